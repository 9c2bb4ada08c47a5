"""How a record field is described once: labels, unit, register header, aliases, bounds and help text.

The records (:class:`compliance.model.CarPark`, :class:`compliance.verdict_row.VerdictRow`) carry a
:class:`Spec` in each dataclass field's ``metadata``; the register columns and template, the zh/en
labels, the REST models and the stored JSON are all read from there, so none of them restates a field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

SPEC_KEY = "spec"

R = TypeVar("R")


class Kind(StrEnum):
    """How a register cell, a JSON value and an API value of a field are read."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    CATEGORY = "category"
    IDS = "ids"
    CRS = "crs"
    CURRENT = "current"


@dataclass(frozen=True, slots=True)
class Spec:
    """What a field means, for people and for every format that carries it.

    ``zh`` and ``en`` are the display labels; ``unit`` (e.g. ``kW``) is appended to the Chinese register
    header in brackets. ``column`` is the register column's key (the English header), ``""`` for the field
    name itself and ``None`` when the register has no such column. ``aliases`` are other headers the
    importers accept (the synonym table: compared after :func:`compliance.normalise.normalise_header`, so
    units in brackets, spaces and full-width forms need no entry of their own). ``required`` means the
    template marks the column 必填 (the importer keeps a row that lacks it: see compliance.importers).
    ``ge``/``le`` bound numbers (inclusive) in the API and the consistency check. ``api`` is false for a
    field the REST models leave out.
    """

    zh: str
    en: str
    unit: str = ""
    column: str | None = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    ge: float | None = None
    le: float | None = None
    help_en: str = ""
    help_zh: str = ""
    api: bool = True

    @property
    def header_zh(self) -> str:
        """The Chinese register header: the label, with the unit in brackets when it has one."""
        return f"{self.zh}({self.unit})" if self.unit else self.zh


def spec(**kwargs: Any) -> dict[str, Spec]:
    """A dataclass field's ``metadata`` holding one :class:`Spec`."""
    return {SPEC_KEY: Spec(**kwargs)}


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A record field as the derivations see it: name, Python type, kind, default and spec."""

    name: str
    hint: Any
    kind: Kind
    spec: Spec
    default: Any
    has_default: bool

    @property
    def column(self) -> str | None:
        return None if self.spec.column is None else (self.spec.column or self.name)


def _kind(hint: Any) -> Kind:
    """The kind of a (possibly optional) type hint; text when nothing narrower fits."""
    args = [a for a in get_args(hint) if a is not type(None)]
    origin = get_origin(hint)
    if origin in (Union, types.UnionType) and len(args) == 1:
        return _kind(args[0])
    if origin is Literal:
        return Kind.CURRENT
    if origin is tuple:
        return Kind.IDS
    if hint is bool:
        return Kind.BOOL
    if hint is int:
        return Kind.INT
    if hint is float:
        return Kind.FLOAT
    if hint is date:
        return Kind.DATE
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return Kind.CATEGORY
    return Kind.TEXT


_FIELDS: dict[type[Any], tuple[FieldInfo, ...]] = {}


def fields_of(record_type: type[Any]) -> tuple[FieldInfo, ...]:
    """Every field of a ``Spec``-annotated dataclass, in declaration order (read once per type)."""
    cached = _FIELDS.get(record_type)
    if cached is None:
        cached = _FIELDS[record_type] = _read_fields(record_type)
    return cached


def _read_fields(record_type: type[Any]) -> tuple[FieldInfo, ...]:
    hints = typing.get_type_hints(record_type)
    out = []
    for f in dataclasses.fields(record_type):
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        hint = hints[f.name]
        out.append(FieldInfo(f.name, hint, _kind(hint), f.metadata[SPEC_KEY], default, has_default))
    return tuple(out)


def label_of(infos: Mapping[str, FieldInfo], name: str, lang: str = "en") -> str:
    """A field's label in ``lang``; the name itself when the record has no such field."""
    info = infos.get(name)
    if info is None:
        return name
    return info.spec.zh if lang == "zh" else info.spec.en


def to_json(record: object) -> dict[str, Any]:
    """A ``Spec``-annotated record as JSON values: dates ISO 8601, enums their value, tuples lists.

    This is how the CSMS stores a car park (``car_parks.record``); :func:`from_json` reads it back.
    """
    return {f.name: _json_value(getattr(record, f.name)) for f in fields_of(type(record))}


def _json_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def from_json(record_type: type[R], data: Mapping[str, Any]) -> R:
    """The record :func:`to_json` wrote. A key the record no longer has is ignored, a field the JSON
    lacks takes its default, and a text field stored as ``null`` reads as ``""``."""
    values: dict[str, Any] = {}
    for f in fields_of(record_type):
        if f.name not in data:
            continue
        raw = data[f.name]
        if raw is None and f.default == "":
            raw = ""
        values[f.name] = _from_json_value(f, raw)
    return record_type(**values)


def _from_json_value(f: FieldInfo, raw: Any) -> Any:
    if f.kind is Kind.DATE:
        return date.fromisoformat(raw) if raw else None
    if f.kind is Kind.IDS:
        return tuple(raw or ())
    if f.kind is Kind.CATEGORY and raw is not None:
        enum = next(a for a in (f.hint, *get_args(f.hint)) if isinstance(a, type) and issubclass(a, StrEnum))
        return enum(raw)
    return raw
