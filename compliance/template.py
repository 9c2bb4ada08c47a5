"""Write the empty register template (``compliance template``): CSV or XLSX, Chinese or English headers.

The XLSX template has a second sheet explaining every column and listing the category codes, and a
drop-down list on the category column, so inspectors fill in values the importer accepts.
"""

from __future__ import annotations

import csv
from pathlib import Path

from compliance.columns import COLUMNS
from compliance.model import CATEGORY_ZH, Category


def headers(lang: str = "zh") -> list[str]:
    """Template headers in ``lang``; English headers are the record field names.

    Examples
    --------
    >>> headers("en")[:4], headers("zh")[:2]
    (['id', 'name', 'address', 'district'], ['编号', '名称'])
    """
    return [c.zh if lang == "zh" else c.key for c in COLUMNS]


def write_template(path: Path | str, lang: str = "zh") -> Path:
    """Write the template to ``path`` (``.csv`` or ``.xlsx``) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        # utf-8-sig so that Excel opens the Chinese headers correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerow(headers(lang))
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    sheet = wb.active
    assert isinstance(sheet, Worksheet)  # a new workbook's first sheet
    sheet.title = "停车场" if lang == "zh" else "car_parks"
    sheet.append(headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    category_col = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "category")
    letter = get_column_letter(category_col)
    codes = ",".join(c.value for c in Category)
    validation = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=False)
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}5000")
    notes = wb.create_sheet("说明" if lang == "zh" else "notes")
    notes.append(["列(中文)", "column (English)", "必填 required", "说明", "note"])
    for c in COLUMNS:
        notes.append([c.zh, c.key, "是 yes" if c.required else "", c.note_zh, c.note_en])
    notes.append([])
    notes.append(["类别代码 category code", "类别 category"])
    for category in Category:
        notes.append([category.value, CATEGORY_ZH[category]])
    wb.save(path)
    return path
