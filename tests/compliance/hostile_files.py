"""Hostile registers, generated in the test: bombs, big sheets and unreadable bytes (finding 1 and 8)."""

from __future__ import annotations

import io
import random
import re
import zipfile

from openpyxl import Workbook

HEADER = [
    "id",
    "name",
    "district",
    "category",
    "is_public",
    "is_new",
    "total_spaces",
    "dedicated_spaces",
    "spaces_with_chargers",
    "spaces_reserved",
    "dc_fast_chargers_60kw",
    "on_trunk_road",
    "station_ids",
]


def row(i: int, name: str | None = None, prefix: str = "P") -> list[object]:
    return [
        f"{prefix}{i}",
        name or f"停车场{i}",
        "岳麓区",
        "social_public",
        "true",
        "true",
        100,
        0,
        30,
        0,
        0,
        "false",
        "",
    ]


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("car_parks")
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def big_xlsx(n_rows: int, prefix: str = "X") -> bytes:
    return xlsx([HEADER] + [row(i, prefix=prefix) for i in range(n_rows)])


def big_csv(n_rows: int, prefix: str = "C") -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(c) for c in row(i, prefix=prefix)) for i in range(n_rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rewrite_sheet(data: bytes, edit: object) -> bytes:
    """``data`` with its first worksheet's XML passed through ``edit`` (bytes -> bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = edit(content)  # type: ignore[operator]
            dst.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """A 2-row sheet (a few KB) claiming ``A1:XFD1048576``: a reader trusting it pads 1M x 16k cells."""
    data = xlsx([HEADER, row(1)])

    def edit(xml: bytes) -> bytes:
        if b"<dimension" in xml:
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)

    return _rewrite_sheet(data, edit)


def zip_bomb(inflated_mib: int = 130) -> bytes:
    """A small xlsx whose sheet inflates to ``inflated_mib`` MiB (whitespace compresses ~1000:1)."""
    data = xlsx([HEADER, row(1)])
    padding = b" " * (inflated_mib * 1024 * 1024)
    return _rewrite_sheet(data, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding, 1))


def unreadable() -> dict[str, tuple[str, bytes]]:
    """Label -> (file name, bytes) of registers no reader can use."""
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    header = ",".join(HEADER)
    return {
        "not a zip": ("r.xlsx", b"id,name\nP1,x\n"),
        "empty xlsx": ("r.xlsx", b""),
        "random bytes": ("r.xlsx", random.Random(7).randbytes(4096)),
        "zip, not xlsx": ("r.xlsx", zip_buffer.getvalue()),
        "utf-16 csv": ("r.csv", (header + "\nP1,x\n").encode("utf-16")),
        "non-gbk bytes": ("r.csv", header.encode() + b"\nP1,\x80\xff\xfe\x81\x30\n"),
        "huge field": ("r.csv", (header + "\nP1," + "x" * 140_000 + "\n").encode()),
    }
