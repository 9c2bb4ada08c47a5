"""Rebuild ``NoticeSans.ttf``: Noto Sans CJK SC Regular, subset to what a notice can need, as TrueType.

Run by a maintainer, never at run time (``python -m compliance.reports.fonts.build [source.ttc]``;
needs ``fonttools``, a dev dependency). The source is the OFL-licensed Noto Sans CJK (Debian's
``fonts-noto-cjk``); its PostScript (CFF) outlines are converted to quadratic TrueType outlines because
reportlab embeds TrueType only. The subset keeps every character of GB 2312 (6,763 hanzi, the full-width
forms and the CJK punctuation), printable ASCII, Latin-1, and the few marks notices print (〔〕「」《》×≥≤—…).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
TARGET = HERE / "NoticeSans.ttf"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "XJ Notice Sans"  # a modified (subset) font: renamed, as the OFL asks of derivatives


def gb2312() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted() -> set[str]:
    extra = "〔〕「」『』《》〈〉【】×≥≤—…·•○●□■√" + "\u3000"
    latin = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    fullwidth = {chr(c) for c in range(0xFF01, 0xFF5F)}
    return gb2312() | latin | fullwidth | set(extra)


def build(source: Path = SOURCE, target: Path = TARGET) -> Path:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
    from fontTools.ttLib import TTCollection, TTFont, newTable  # type: ignore[import-untyped]

    fonts = TTCollection(str(source)).fonts if source.suffix == ".ttc" else [TTFont(str(source))]
    font = next(f for f in fonts if "SC" in str(f["name"].getDebugName(1)))
    options = subset.Options()
    options.layout_features = []  # no shaping needed for CJK + ASCII; keeps the file small
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in wanted()])
    subsetter.subset(font)
    # CFF -> glyf: reportlab embeds TrueType outlines only.
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):  # fmt: skip
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    maxp.maxComponentDepth = 0
    maxp.maxPoints = maxp.maxContours = maxp.maxCompositePoints = maxp.maxCompositeContours = 0
    font["head"].indexToLocFormat = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names stored
    font.sfntVersion = "\x00\x01\x00\x00"
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
    font.save(str(target))
    return target


if __name__ == "__main__":
    path = build(Path(sys.argv[1])) if len(sys.argv) > 1 else build()
    print(f"{path}: {path.stat().st_size} bytes")
