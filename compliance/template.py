"""The empty register template (``compliance template``, ``GET /compliance/template``): CSV or XLSX.

The XLSX template has three sheets an inspector fills in or reads:

- the register (停车场 / car_parks): one row per car park, headers in ``lang``, drop-down lists on the
  category, every yes/no column, AC/DC and the coordinate system, whole numbers >= 0 on the counts;
- the pile list (充电桩清单 / piles): one row per pile, so fast chargers are counted pile by pile
  (:mod:`compliance.piles`), with drop-downs on AC/DC;
- the instructions (填表说明 / instructions): every column with its meaning, the category names, how
  "new" and the pile list are read.

The drop-down values are read from a hidden sheet of options, each one a value the importer accepts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from compliance.categories import CATEGORY_ZH, Category
from compliance.columns import COLUMNS
from compliance.piles import TEMPLATE_HEADERS as PILE_HEADERS
from compliance.schema import Kind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: Rows given drop-downs and checks (the validations cover the rows, not the whole sheet).
ROWS = 5000
#: The drop-down options per kind and language; every value is one the importer accepts.
OPTIONS: dict[str, dict[str, list[str]]] = {
    "zh": {
        "category": [CATEGORY_ZH[c] for c in Category if c is not Category.UNKNOWN],
        "bool": ["是", "否"],
        "current": ["交流", "直流", "交直流"],
        "crs": ["WGS84", "GCJ02"],
    },
    "en": {
        "category": [c.value for c in Category if c is not Category.UNKNOWN],
        "bool": ["yes", "no"],
        "current": ["AC", "DC", "AC+DC"],
        "crs": ["WGS84", "GCJ02"],
    },
}
_KIND_OPTIONS = {Kind.CATEGORY: "category", Kind.BOOL: "bool", Kind.CURRENT: "current", Kind.CRS: "crs"}
_SHEETS = {
    "zh": ("停车场", "充电桩清单", "填表说明", "选项"),
    "en": ("car_parks", "piles", "instructions", "options"),
}

_GUIDE_ZH = [
    "一、每行填写一个停车场;编号、名称、类别、总车位数必填,其余不详可留空(留空的项目按“资料不足”处理,不会被猜测)。",
    "二、类别请从下拉列表选择。住宅小区的停车场即使对外开放,仍按住宅小区条款核查;"
    "仅当该停车场本身登记为公共停车场时,请在“登记为公共停车场”列填“是”。",
    "三、填写规划审批日期后,各条款按各自文件的施行日期判定是否“新建”(例如2022年6月审批的小区适用2021年省文件,"
    "不适用2023年新区方案的新建条款);未填日期时按“是否新建”列判定。",
    "四、快充桩请逐桩填入“充电桩清单”工作表:停车场编号、桩编号、交流/直流、额定功率(千瓦),可选OCPP站点编号;"
    "只计直流且额定功率不低于60千瓦的桩。只填“60kW及以上直流快充桩数”汇总数的,报告中标为台账自报。",
    "五、“产权/管理单位”为整改通知书的送达对象,请填写全称。",
]
_GUIDE_EN = [
    "1. One car park per row; id, name, category and total spaces are required. Leave unknown cells "
    "blank: they give 'insufficient data', never a guess.",
    "2. Pick the category from the list. A residential compound's car park stays under the "
    "residential rules even when open to the public; mark 'registered as a public car park' only when"
    " it is one in its own right.",
    "3. With a planning approval date, each rule judges 'new' by its own document's effective date (a"
    " compound approved in June 2022 falls under the 2021 provincial text, not the 2023 plan); "
    "without one, 'new' stands.",
    "4. List fast chargers pile by pile on the 'piles' sheet: car park id, pile id, AC/DC, rated kW, "
    "optionally the OCPP station id; only DC piles of at least 60 kW count. A pre-counted column is "
    "reported as self-declared.",
    "5. 'Owner or manager' is the addressee of a rectification notice: give the full name.",
]


def headers(lang: str = "zh") -> list[str]:
    """Template headers in ``lang``; English headers are the record field names.

    Examples
    --------
    >>> headers("en")[:4], headers("zh")[:2]
    (['id', 'name', 'owner', 'address'], ['编号', '名称'])
    """
    return [c.zh if lang == "zh" else c.key for c in COLUMNS]


def render_template(lang: str = "zh", fmt: str = "xlsx") -> bytes:
    """The template as bytes: ``xlsx`` (three sheets, drop-downs) or ``csv`` (the header row, UTF-8 BOM)."""
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow(headers(lang))
        return buffer.getvalue().encode("utf-8-sig")  # utf-8-sig so that Excel opens Chinese headers
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    zh = lang == "zh"
    register_name, piles_name, guide_name, options_name = _SHEETS["zh" if zh else "en"]
    options = OPTIONS["zh" if zh else "en"]
    wb = Workbook()
    register = wb.active
    assert isinstance(register, Worksheet)  # a new workbook's first sheet
    register.title = register_name
    piles = wb.create_sheet(piles_name)
    guide = wb.create_sheet(guide_name)
    lists = wb.create_sheet(options_name)
    lists.sheet_state = "hidden"
    refs: dict[str, str] = {}
    for col, (key, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(col)
        lists.cell(1, col, key)
        for row, value in enumerate(values, start=2):
            lists.cell(row, col, value)
        refs[key] = f"'{options_name}'!${letter}$2:${letter}${len(values) + 1}"

    def list_check(sheet: Worksheet, letter: str, key: str) -> None:
        check = DataValidation(type="list", formula1=refs[key], allow_blank=True, showErrorMessage=True)
        check.error = ("请从下拉列表中选择:" if zh else "Pick one of: ") + "、".join(options[key])
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{ROWS}")

    def header_row(sheet: Worksheet, names: list[str]) -> None:
        sheet.append(names)
        for i, cell in enumerate(sheet[1], start=1):
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[get_column_letter(i)].width = max(10, min(28, 2 * len(names[i - 1]) + 2))
        sheet.freeze_panes = "A2"

    header_row(register, headers(lang))
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    counts.error = "应为不小于0的整数" if zh else "A whole number of at least 0"
    counts.showErrorMessage = True
    register.add_data_validation(counts)
    for i, c in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        if c.kind in _KIND_OPTIONS:
            list_check(register, letter, _KIND_OPTIONS[c.kind])
        elif c.kind is Kind.INT:
            counts.add(f"{letter}2:{letter}{ROWS}")

    header_row(piles, list(PILE_HEADERS["zh" if zh else "en"]))
    list_check(piles, "C", "current")
    power = DataValidation(
        type="decimal", operator="between", formula1="0.1", formula2="2000", allow_blank=True
    )
    power.error = "额定功率(千瓦),大于0且不超过2000" if zh else "Rated power in kW, above 0 and at most 2000"
    power.showErrorMessage = True
    piles.add_data_validation(power)
    power.add(f"D2:D{ROWS}")

    _guide(guide, zh)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _guide(sheet: Worksheet, zh: bool) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 10
    sheet.column_dimensions["D"].width = 60
    sheet.append(["填表说明" if zh else "How to fill in the register"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in _GUIDE_ZH if zh else _GUIDE_EN:
        sheet.append([line])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4)
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[sheet.max_row].height = 45
    sheet.append([])
    sheet.append(["列(中文)", "column (English)", "必填 required", "说明 note"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for c in COLUMNS:
        note = c.note_zh if zh else c.note_en
        sheet.append([c.zh, c.key, "是 yes" if c.required else "", note or (c.note_en if zh else c.note_zh)])
    sheet.append([])
    sheet.append(["类别 category", "代码 code"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for category in Category:
        if category is not Category.UNKNOWN:  # a blank cell is the way to say "unknown"
            sheet.append([CATEGORY_ZH[category], category.value])
    sheet.append([])
    sheet.append(["充电桩清单 pile list", "", "", "每桩一行 one row per pile"])
    sheet[sheet.max_row][0].font = Font(bold=True)
    for zh_name, en_name in zip(PILE_HEADERS["zh"], PILE_HEADERS["en"], strict=True):
        sheet.append([zh_name, en_name, "" if en_name == "station_id" else "是 yes"])


def write_template(path: Path | str, lang: str = "zh") -> Path:
    """Write the template to ``path`` (``.csv`` or ``.xlsx``) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_template(lang, "csv" if path.suffix.lower() == ".csv" else "xlsx"))
    return path
