"""Bilingual display labels of record fields (zh-CN, en), read from the car-park record's field specs."""

from __future__ import annotations

from compliance.model import CarPark
from compliance.schema import FieldInfo, fields_of, label_of

_FIELDS: dict[str, FieldInfo] = {f.name: f for f in fields_of(CarPark)}

#: Field name -> (zh, en) label, for every field of a car park.
FIELD_LABELS: dict[str, tuple[str, str]] = {name: (f.spec.zh, f.spec.en) for name, f in _FIELDS.items()}


def label(name: str, lang: str = "en") -> str:
    """The display label of a record field; the field name itself when it has none.

    Examples
    --------
    >>> label("spaces_reserved", "zh"), label("spaces_reserved")
    ('预留安装条件车位数', 'reserved spaces')
    """
    return label_of(_FIELDS, name, lang)
