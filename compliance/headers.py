"""Find the header of an inspectors' sheet and map its columns to register fields (pure: no I/O).

Registers are typed by hand: a title row (``湖南湘江新区…检查台账(2025年第三季度)``) may sit above the
header, a merged group-header row (``基本信息 | 车位情况 | 快充 | 位置``) above the column headers, and
the headers are worded freely (``总车位数(个)``, ``快充桩数(≥60kW)``). Headers are compared after
:func:`normalise_header` with the register columns' names and aliases (declared once, on the car-park
record's field specs); the rows above the header are skipped; the result says which sheet column became
which field and which columns were ignored, with a warning for each ignored column that looks relevant.

Merged cells hold their value in the top-left cell only (the others read blank), so a blank header cell
takes the value of the group row above it (a vertically merged header), and a sub-header is matched
first together with its group header (``快充`` + ``桩数(≥60kW)``), then alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from compliance.columns import BY_KEY, COLUMNS
from compliance.normalise import normalise_header

#: Rows searched for the header (title and group-header rows above it included).
HEADER_SEARCH_ROWS = 30

#: A header holding one of these words, when no column name matches it, is reported as a warning.
RELEVANT_WORDS = (
    "车位",
    "泊位",
    "停车",
    "车场",
    "充电",
    "桩",
    "快充",
    "慢充",
    "kw",
    "kva",
    "功率",
    "预留",
    "日期",
    "时间",
    "审批",
    "竣工",
    "新建",
    "既有",
    "开放",
    "类别",
    "类型",
    "经度",
    "纬度",
    "坐标",
    "消防",
    "喷淋",
    "排烟",
    "报警",
    "户数",
    "干线",
    "站",
    "编号",
    "名称",
    "区县",
    "街道",
    "space",
    "charg",
    "date",
    "park",
    "power",
)


def _aliases() -> dict[str, tuple[str, int]]:
    """Normalised header -> (column key, rank): 0 for the key and the Chinese header, then 1, 2... for
    the aliases in their order (a lower rank wins when two sheet columns name the same field)."""
    table: dict[str, tuple[str, int]] = {}
    for column in COLUMNS:
        for rank, name in enumerate((column.key, column.zh, *column.aliases)):
            table.setdefault(normalise_header(name), (column.key, max(0, rank - 1)))
    return table


#: Normalised header -> (column key, rank): the synonym table, built from the field specs.
HEADER_SYNONYMS: dict[str, tuple[str, int]] = _aliases()


def match_header(text: object) -> tuple[str, int] | None:
    """The register column (key, rank) a header names; ``None`` when no name or alias matches."""
    return _match("" if text is None else str(text))


@lru_cache(maxsize=8192)
def _match(text: str) -> tuple[str, int] | None:
    return HEADER_SYNONYMS.get(normalise_header(text))


def looks_relevant(text: str) -> bool:
    """True for a header that names something the rules may need (spaces, chargers, dates...)."""
    norm = normalise_header(text)
    return any(word in norm for word in RELEVANT_WORDS)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


#: Characters of a cell compared as a header: no header is longer, and a 32,767-character cell in each of
#: the searched rows' 1,024 columns must not cost a gigabyte of normalising.
MAX_HEADER_CHARS = 60


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()[:MAX_HEADER_CHARS]


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One sheet column and what became of it: ``key`` is the register column it fills, or ``None``.

    ``header`` is the text as written (``group / sub`` under a group header); ``note_en``/``note_zh``
    say why an ignored column was ignored; ``warning`` marks an ignored column that looks relevant.
    """

    index: int
    header: str
    key: str | None = None
    warning: bool = False
    note_en: str = ""
    note_zh: str = ""

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        """``E 总车位数(个)``: the column as an inspector finds it in the sheet."""
        return f"{self.letter} {self.header}".strip()

    def field_label(self, lang: str = "en") -> str:
        if self.key is None:
            return ""
        column = BY_KEY[self.key]
        return column.zh if lang == "zh" else column.key


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Where the header was found and what each column became.

    ``header_rows`` are the 1-based sheet rows forming the header (two with a group-header row),
    ``skipped_rows`` the rows above it (titles); ``missing`` lists register columns (keys) the rules
    rely on that no sheet column gives; ``sheet`` is the worksheet's name (``""`` for a CSV).
    """

    header_rows: tuple[int, ...]
    skipped_rows: tuple[int, ...]
    columns: tuple[SheetColumn, ...]
    missing: tuple[str, ...] = ()
    sheet: str = ""

    @property
    def header_row(self) -> int:
        return self.header_rows[-1]

    @property
    def mapped(self) -> tuple[SheetColumn, ...]:
        return tuple(c for c in self.columns if c.key is not None)

    @property
    def ignored(self) -> tuple[SheetColumn, ...]:
        return tuple(c for c in self.columns if c.key is None)

    def by_key(self) -> dict[str, SheetColumn]:
        return {c.key: c for c in self.columns if c.key is not None}

    def warnings(self, lang: str = "en") -> list[str]:
        """Every warning as one line: relevant columns left unmapped, needed columns not found."""
        zh = lang == "zh"
        out = []
        for c in self.columns:
            if c.warning:
                note = c.note_zh if zh else c.note_en
                out.append(
                    f"列 {c.letter}「{c.header}」看起来与检查有关,但未被识别,已忽略({note})"
                    if zh
                    else f"column {c.letter} '{c.header}' looks relevant but was not recognised: "
                    f"ignored ({note})"
                )
        for key in self.missing:
            column = BY_KEY[key]
            out.append(
                f"表中没有“{column.zh}”列:需要此项的条款结论为资料不足"
                if zh
                else f"no column for {key} ({column.zh}): rules that need it give insufficient data"
            )
        return out


#: Register columns whose absence is warned about: the rules read them for almost every car park.
KEY_COLUMNS = ("category", "total_spaces", "spaces_with_chargers")


def _forward_fill(cells: Sequence[Any], width: int) -> list[str]:
    out, last = [], ""
    for i in range(width):
        text = _text(cells[i]) if i < len(cells) else ""
        last = text or last
        out.append(last)
    return out


@dataclass(frozen=True, slots=True)
class _Candidate:
    row: int  # 0-based index in the searched rows
    grouped: bool  # the row above is a group-header row
    headers: tuple[str, ...]
    matches: tuple[tuple[str, int] | None, ...]

    @property
    def score(self) -> int:
        return len({m[0] for m in self.matches if m is not None})


def _candidate(rows: Sequence[Sequence[Any]], r: int) -> _Candidate:
    own = rows[r]
    above = rows[r - 1] if r > 0 else ()
    width = max(len(own), len(above))
    # A group row has several cells; a title row (one cell, merged across) is no group row.
    group_row = sum(1 for c in above if _text(c)) >= 2
    groups = _forward_fill(above, width) if group_row else [""] * width
    headers, matches = [], []
    for i in range(width):
        text = _text(own[i]) if i < len(own) else ""
        if not text:
            upper = _text(above[i]) if group_row and i < len(above) else ""
            headers.append(upper)
            matches.append(match_header(upper) if upper else None)
            continue
        group = groups[i]
        combined = match_header(group + text) if group else None
        headers.append(f"{group} / {text}" if combined and group else text)
        matches.append(combined or match_header(text))
    return _Candidate(r, group_row, tuple(headers), tuple(matches))


def find_header(rows: Sequence[Sequence[Any]], first_row: int = 1) -> tuple[int, ColumnMapping] | None:
    """The header among ``rows`` (the sheet's first rows) and its mapping; ``None`` when there is none.

    Returns the index in ``rows`` of the last header row and the mapping; ``first_row`` is the sheet row
    number of ``rows[0]``. The header is the row naming the most register columns (at least two, one of
    them the id or the name); the earliest wins a tie.
    """
    best: _Candidate | None = None
    for r in range(len(rows)):
        candidate = _candidate(rows, r)
        keys = {m[0] for m in candidate.matches if m is not None}
        if len(keys) < 2 or not keys & {"id", "name"}:
            continue
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None:
        return None
    r = best.row
    header_rows = tuple(range(first_row + r - (1 if best.grouped else 0), first_row + r + 1))
    skipped = tuple(range(first_row, header_rows[0]))
    return r, ColumnMapping(header_rows, skipped, _assign(best), _missing(best))


def _assign(candidate: _Candidate) -> tuple[SheetColumn, ...]:
    """One sheet column per register column: the best-ranked match wins, the others are ignored."""
    winner: dict[str, tuple[int, int]] = {}  # key -> (rank, column index)
    for i, m in enumerate(candidate.matches):
        if m is not None and (m[0] not in winner or m[1] < winner[m[0]][0]):
            winner[m[0]] = (m[1], i)
    out = []
    for i, (header, m) in enumerate(zip(candidate.headers, candidate.matches, strict=True)):
        if m is not None and winner[m[0]][1] == i:
            out.append(SheetColumn(i, header, m[0]))
        elif m is not None:
            other = SheetColumn(winner[m[0]][1], candidate.headers[winner[m[0]][1]])
            out.append(
                SheetColumn(
                    i,
                    header,
                    None,
                    looks_relevant(header),
                    f"column {other.letter} already gives {m[0]}",
                    f"{other.letter} 列已给出“{BY_KEY[m[0]].zh}”",
                )
            )
        elif header:
            relevant = looks_relevant(header)
            out.append(
                SheetColumn(
                    i,
                    header,
                    None,
                    relevant,
                    "no register column has this name; see the synonym table in docs/compliance.md",
                    "没有同名或同义的登记表列;同义词表见 docs/compliance.md",
                )
            )
    return tuple(out)


def _missing(candidate: _Candidate) -> tuple[str, ...]:
    found = {m[0] for m in candidate.matches if m is not None}
    return tuple(k for k in KEY_COLUMNS if k not in found)
