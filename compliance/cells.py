"""One register cell -> a typed value, the way inspectors type them (pure: no I/O).

- numbers: ``1,200``, ``40个``, ``１５０`` (full-width), ``120kW``; ``无`` is 0 for a count;
- dates: real date cells, Excel serial numbers, ``2019-06-01``, ``2019/6/1``, ``2024.5.20``,
  ``2024年3月15日``, ``20240315``, optionally followed by a time;
- yes/no: 是/否, √/×, 有/无, Y/N, true/false, 1/0 (see :data:`compliance.columns.TRUE_WORDS`);
- categories: the code, the Chinese name or a synonym (:data:`compliance.model.CATEGORY_SYNONYMS`).

``/``, ``-``, ``—``, ``不详``... read as blank (unknown). A cell that cannot be read raises
:class:`CellError` with an English and a Chinese message, the latter listing what is accepted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from compliance.categories import CATEGORY_SYNONYMS, CATEGORY_ZH, Category
from compliance.columns import BLANK_WORDS, CATEGORY_ALIASES, CURRENT_ALIASES, FALSE_WORDS, TRUE_WORDS
from compliance.errors import ComplianceError
from compliance.normalise import normalise_header
from compliance.schema import Kind


class CellError(ComplianceError):
    """A cell that cannot be read as its column's kind; both messages say what is accepted."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


#: Units a count or a power may carry after its number (NFKC, lower-cased).
COUNT_UNITS = (
    "个车位",
    "个泊位",
    "车位",
    "泊位",
    "个",
    "辆",
    "台",
    "根",
    "把",
    "处",
    "户",
    "层",
    "套",
    "桩",
    "枪",
)
POWER_UNITS = ("kw", "千瓦", "kva", "千伏安", "°")

_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)([^\d]*)$")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
#: Excel serial numbers of 1990-01-01 and 2099-12-31: a bare number in this range in a date column.
_SERIAL_RANGE = (32874, 73050)

DATE_FORMS = "2019-06-01, 2019/6/1, 2024.5.20, 2024年3月15日, 20240315, an Excel date or serial number"
DATE_FORMS_ZH = "2019-06-01、2019/6/1、2024.5.20、2024年3月15日、20240315、Excel 日期或日期序列号"
YES_NO_ZH = "是/否、√/×、有/无、Y/N、true/false、1/0"


def _category_hint_zh() -> str:
    parts = []
    for category in Category:
        if category is Category.UNKNOWN:
            continue
        name = CATEGORY_ZH[category]
        synonyms = "、".join([w for w in CATEGORY_SYNONYMS.get(category, ()) if w != name][:4])
        parts.append(f"{CATEGORY_ZH[category]}({synonyms})" if synonyms else CATEGORY_ZH[category])
    return ";".join(parts)


#: The accepted categories, as the Chinese error message lists them (name and first synonyms).
CATEGORY_HINT_ZH = _category_hint_zh()
CATEGORY_HINT_EN = ", ".join(c.value for c in Category if c is not Category.UNKNOWN)


def is_blank(value: Any) -> bool:
    """True for an empty cell and for the marks inspectors use for "not filled in" (``/``, ``—``...)."""
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        # Every blank word is at most 3 characters: longer text needs no normalising (a fast path).
        return not text or (len(text) <= 3 and unicodedata.normalize("NFKC", text).lower() in BLANK_WORDS)
    return False


def _text(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def _number(value: Any, units: tuple[str, ...], what_en: str, what_zh: str) -> float:
    if isinstance(value, bool):
        raise CellError(f"expected {what_en}, got {value!r}", f"应为{what_zh},实际为 {value!r}")
    if isinstance(value, int | float):
        number: int | float | str = value
    else:
        text = _text(value)
        if text in ("无", "没有"):
            return 0.0
        match = _NUMBER.match(text)
        if match is None or match.group(2) not in ("", *units):
            raise CellError(
                f"expected {what_en} (e.g. 1,200 or 40个), got {value!r}",
                f"应为{what_zh}(如 1,200、40个、１５０),实际为 {value!r}",
            )
        number = match.group(1).replace(",", "")
    try:
        result = float(number)
    except OverflowError:  # an integer past any float
        result = math.inf
    if not math.isfinite(result):  # hundreds of digits, or inf/NaN in a workbook's number cell
        raise CellError(f"{what_en} out of range: {value!r}", f"{what_zh}超出范围:{value!r}")
    return result


def parse_int(value: Any) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)  # the common case, without normalising
    number = _number(value, COUNT_UNITS, "a whole number", "整数")
    if number != int(number):
        raise CellError(f"expected a whole number, got {value!r}", f"应为整数,实际为 {value!r}")
    if number < 0:
        raise CellError(f"must not be negative, got {value!r}", f"不能为负数,实际为 {value!r}")
    return int(number)


def parse_float(value: Any) -> float:
    return _number(value, POWER_UNITS, "a number", "数字")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word not in TRUE_WORDS and word not in FALSE_WORDS:
        word = _text(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(
        f"expected yes or no (是/否, √/×, 有/无, Y/N, true/false), got {value!r}",
        f"应为 {YES_NO_ZH},实际为 {value!r}",
    )


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value) if not isinstance(value, int | float) else ""
    serial: float | None = float(value) if isinstance(value, int | float) else None
    if serial is None and text.isdigit() and len(text) == 5:
        serial = float(text)
    if serial is not None and _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        from openpyxl.utils.datetime import from_excel

        converted = from_excel(serial)
        if isinstance(converted, datetime):
            return converted.date()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is not None:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass  # 2024-02-30: reported below
    raise CellError(
        f"expected a date ({DATE_FORMS}), got {value!r}", f"应为日期({DATE_FORMS_ZH}),实际为 {value!r}"
    )


def parse_category(value: Any) -> Category:
    return _category(str(value))


@lru_cache(maxsize=4096)
def _category(value: str) -> Category:
    """A register has few distinct category words: each is normalised once."""
    text = normalise_header(value)
    category = CATEGORY_ALIASES.get(text) or CATEGORY_ALIASES.get(text.removesuffix("停车场"))
    if category is None:
        raise CellError(
            f"unknown category {str(value).strip()!r}; expected one of {CATEGORY_HINT_EN} "
            "or a Chinese name or synonym (docs/compliance.md)",
            f"未知类别 {str(value).strip()!r};可填:{CATEGORY_HINT_ZH};或类别代码",
        )
    return category


def parse_cell(kind: Kind, value: Any) -> Any:
    """One cell -> typed value; ``None`` for blank. Raises CellError with both languages."""
    if is_blank(value):
        return None
    if kind is Kind.INT:
        return parse_int(value)
    if kind is Kind.FLOAT:
        return parse_float(value)
    if kind is Kind.BOOL:
        return parse_bool(value)
    if kind is Kind.DATE:
        return parse_date(value)
    if kind is Kind.CATEGORY:
        return parse_category(value)
    if kind is Kind.CRS:
        text = _text(value).upper().replace("-", "")
        if text not in ("WGS84", "GCJ02"):
            raise CellError(
                f"expected WGS84 or GCJ02, got {value!r}", f"坐标系应为 WGS84 或 GCJ02,实际为 {value!r}"
            )
        return text
    if kind is Kind.CURRENT:
        current = CURRENT_ALIASES.get(_text(value).upper())
        if current is None:
            raise CellError(
                f"expected AC, DC or AC+DC, got {value!r}", f"应为 交流、直流 或 交直流,实际为 {value!r}"
            )
        return current
    if kind is Kind.IDS:
        text = unicodedata.normalize("NFKC", str(value))
        return tuple(s for s in re.split(r"[;,、\s]+", text) if s)
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # Excel turns an id such as 1001 into 1001.0
    return text
