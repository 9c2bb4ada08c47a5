"""Pydantic schemas of the compliance REST routes (separate Create / Public shapes, FastAPI style).

The car park's and the verdict's models are not written out here: their fields are derived from the
records' field specs (:class:`compliance.model.CarPark`, :class:`compliance.verdict_row.VerdictRow`),
with the bounds and help text declared there. Type checkers see the hand-written base of each derived
model (its methods and the fields they use); FastAPI sees the full model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from compliance.errors import Effect
from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.headers import SheetColumn
from compliance.importers import ImportResult
from compliance.model import CarPark
from compliance.repository import Inspection
from compliance.rules import Rule, RulePack
from compliance.schema import Kind, fields_of
from compliance.telemetry import MAX_SILENT_DAYS, TelemetryCheck
from compliance.verdict_row import VerdictRow


def model_fields(record_type: type[Any], exclude: Collection[str] = ()) -> dict[str, Any]:
    """``create_model`` field definitions of a ``Spec``-annotated record's API fields.

    A required text field must not be empty; ``ge``/``le`` come from the spec; the description
    is the English label (and help text).
    """
    out: dict[str, Any] = {}
    for f in fields_of(record_type):
        if f.name in exclude or not f.spec.api:
            continue
        constraints: dict[str, Any] = {"ge": f.spec.ge, "le": f.spec.le}
        if f.kind is Kind.TEXT and f.spec.required:
            constraints["min_length"] = 1
        description = f"{f.spec.en} / {f.spec.zh}" + (f": {f.spec.help_en}" if f.spec.help_en else "")
        default = f.default if f.has_default else ...
        out[f.name] = (f.hint, Field(default, description=description, **constraints))
    return out


class CarParkCreateBase(BaseModel):
    """A car park as sent by a client: the record's fields (but the conversion flag) and ``crs``."""

    crs: Literal["WGS84", "GCJ02"] = "WGS84"

    def to_record(self) -> CarPark:
        data = self.model_dump(exclude={"crs"})
        record = CarPark(**data)
        if self.crs == "GCJ02" and record.lon_deg is not None and record.lat_deg is not None:
            record = record.with_gcj02(record.lon_deg, record.lat_deg)
        return record


class CarParkPublicBase(BaseModel):
    """A car park as answered: every field of the record."""

    @classmethod
    def of(cls, cp: CarPark) -> CarParkPublic:
        data = {f.name: getattr(cp, f.name) for f in fields_of(CarPark)}
        for f in fields_of(CarPark):
            if f.default == "" and data[f.name] is None:
                data[f.name] = ""  # tolerate records a store rebuilt with None
        return CarParkPublic.model_validate(data)


class VerdictPublicBase(BaseModel):
    """One verdict as answered (formula and detail in English, the explanation in both languages)."""

    @classmethod
    def of(cls, result: CarParkResult, v: Verdict) -> VerdictPublic:
        row = VerdictRow.of(result, v, "en")
        return VerdictPublic.model_validate({f.name: getattr(row, f.name) for f in _VERDICT_API_FIELDS})


_VERDICT_API_FIELDS = tuple(f for f in fields_of(VerdictRow) if f.spec.api)

if TYPE_CHECKING:
    CarParkCreate = CarParkCreateBase
    CarParkPublic = CarParkPublicBase
    VerdictPublic = VerdictPublicBase
else:
    CarParkCreate = create_model(
        "CarParkCreate",
        __base__=CarParkCreateBase,
        **model_fields(CarPark, exclude={"coords_converted_from_gcj02"}),
    )
    CarParkPublic = create_model("CarParkPublic", __base__=CarParkPublicBase, **model_fields(CarPark))
    VerdictPublic = create_model("VerdictPublic", __base__=VerdictPublicBase, **model_fields(VerdictRow))


class RowErrorPublic(BaseModel):
    """A register problem: ``column`` is the register column's key, ``header`` the sheet column as
    written (``E 总车位数(个)``); ``effect`` says what it did (row_rejected, value_ignored, note)."""

    row: int
    column: str
    value: str
    message_en: str
    message_zh: str
    effect: Effect = Effect.ROW_REJECTED
    header: str = ""


class SheetColumnPublic(BaseModel):
    """One column of the imported sheet: the register column (``field``) it became, or why it was ignored."""

    column: str = Field(description="the sheet column's letter")
    header: str
    field: str | None = Field(description="the register column's key; null: ignored")
    field_zh: str | None
    warning: bool = Field(description="ignored although it looks relevant")
    note_en: str
    note_zh: str

    @classmethod
    def of(cls, c: SheetColumn) -> SheetColumnPublic:
        return cls(
            column=c.letter,
            header=c.header,
            field=c.key,
            field_zh=c.field_label("zh") or None,
            warning=c.warning,
            note_en=c.note_en,
            note_zh=c.note_zh,
        )


class ImportWarning(BaseModel):
    message_en: str
    message_zh: str


class ImportReport(BaseModel):
    """What an import did: rows read and stored, each problem, and how the sheet's columns were read."""

    rows_read: int
    imported: int
    errors: list[RowErrorPublic]
    sheet: str = ""
    header_rows: list[int] = []
    columns: list[SheetColumnPublic] = []
    warnings: list[ImportWarning] = []

    @classmethod
    def of(cls, result: ImportResult) -> ImportReport:
        mapping = result.mapping
        return cls(
            rows_read=result.rows_read,
            imported=len(result.records),
            errors=[RowErrorPublic(**dataclasses.asdict(e)) for e in result.errors],
            sheet=mapping.sheet if mapping else "",
            header_rows=list(mapping.header_rows) if mapping else [],
            columns=[SheetColumnPublic.of(c) for c in mapping.columns] if mapping else [],
            warnings=[
                ImportWarning(message_en=en, message_zh=zh)
                for en, zh in zip(mapping.warnings("en"), mapping.warnings("zh"), strict=True)
            ]
            if mapping
            else [],
        )


class StationFindingPublic(BaseModel):
    station_id: str
    status: str
    silent_days: float | None


class CarParkResultPublic(BaseModel):
    id: str
    name: str
    district: str
    verdict: Status
    leading_rule_id: str | None
    verdicts: list[VerdictPublic]
    telemetry: list[StationFindingPublic] | None = None

    @classmethod
    def of(cls, result: CarParkResult, telemetry: TelemetryCheck | None = None) -> CarParkResultPublic:
        cp = result.car_park
        return cls(
            id=cp.id,
            name=cp.name,
            district=cp.district,
            verdict=result.status,
            leading_rule_id=result.leading.rule.id if result.leading else None,
            verdicts=[VerdictPublic.of(result, v) for v in result.verdicts],
            telemetry=None
            if telemetry is None
            else [
                StationFindingPublic(
                    station_id=f.station_id, status=f.status.value, silent_days=f.silent_days
                )
                for f in telemetry.findings
            ],
        )


class CheckRequest(BaseModel):
    rules: list[str] = ["xiangjiang-2023"]
    car_park_ids: list[str] | None = None
    strict: bool = False
    silent_after_days: float = Field(default=7.0, ge=0, le=MAX_SILENT_DAYS)


class CheckReport(BaseModel):
    counts: dict[Status, int]
    results: list[CarParkResultPublic]


class RulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    pack_id: str
    jurisdiction: str
    document_number: str
    document_title: str
    clause: str
    quote: str
    quote_lang: str
    summary_en: str
    summary_zh: str
    effective: date
    citation: str
    unverified: list[str]
    applies_to_en: str
    applies_to_zh: str
    notes: str

    @classmethod
    def of(cls, rule: Rule) -> RulePublic:
        data = {name: getattr(rule, name) for name in cls.model_fields if hasattr(rule, name)}
        data["unverified"] = list(rule.unverified)
        return cls(
            **data, applies_to_en=rule.applies_to.describe("en"), applies_to_zh=rule.applies_to.describe("zh")
        )


class RulePackPublic(BaseModel):
    id: str
    version: str
    title_zh: str
    title_en: str
    jurisdiction: str
    rules: list[RulePublic]

    @classmethod
    def of(cls, pack: RulePack) -> RulePackPublic:
        return cls(
            id=pack.id,
            version=pack.version,
            title_zh=pack.title_zh,
            title_en=pack.title_en,
            jurisdiction=pack.jurisdiction,
            rules=[RulePublic.of(r) for r in pack.rules],
        )


class InspectionCreate(BaseModel):
    inspected_on: date
    inspector: str = Field(min_length=1)
    findings: str = ""
    rectification_deadline: date | None = None

    def to_record(self, car_park_id: str) -> Inspection:
        return Inspection(car_park_id=car_park_id, **self.model_dump())


class InspectionPublic(InspectionCreate):
    id: int | None
    car_park_id: str

    @classmethod
    def of(cls, inspection: Inspection) -> InspectionPublic:
        return cls(**{f.name: getattr(inspection, f.name) for f in dataclasses.fields(inspection)})
