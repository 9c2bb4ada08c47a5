"""Pydantic schemas of the compliance REST routes (separate Create / Public shapes, FastAPI style)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.explain import explain, formula, provided_text
from compliance.model import CarPark, Category
from compliance.repository import Inspection
from compliance.rules import Rule, RulePack
from compliance.telemetry import TelemetryCheck


class CarParkFields(BaseModel):
    """Every field of a car-park record; counts are non-negative, coordinates in degrees."""

    name: str = Field(min_length=1)
    category: Category
    district: str = ""
    street: str = ""
    address: str = ""
    lon_deg: float | None = Field(default=None, ge=-180, le=180)
    lat_deg: float | None = Field(default=None, ge=-90, le=90)
    is_public: bool | None = None
    is_new: bool | None = None
    approval_date: date | None = None
    completion_date: date | None = None
    total_spaces: int | None = Field(default=None, ge=0)
    dedicated_spaces: int | None = Field(default=None, ge=0)
    dwellings: int | None = Field(default=None, ge=0)
    spaces_with_chargers: int | None = Field(default=None, ge=0)
    charger_power_kw: float | None = Field(default=None, ge=0)
    charger_current: Literal["AC", "DC", "AC+DC"] | None = None
    spaces_reserved: int | None = Field(default=None, ge=0)
    conduit_to_each_space: bool | None = None
    reserved_capacity_kva: float | None = Field(default=None, ge=0)
    meter_box_position: str | None = None
    civil_works_done: bool | None = None
    underground_levels: int | None = Field(default=None, ge=0)
    fire_alarm: bool | None = None
    smoke_extraction: bool | None = None
    sprinklers: bool | None = None
    emergency_lighting: bool | None = None
    on_trunk_road: bool | None = None
    dc_fast_chargers_60kw: int | None = Field(default=None, ge=0)
    station_ids: list[str] = []


class CarParkCreate(CarParkFields):
    id: str = Field(min_length=1)
    crs: Literal["WGS84", "GCJ02"] = "WGS84"

    def to_record(self) -> CarPark:
        data = self.model_dump(exclude={"crs"})
        data["station_ids"] = tuple(data["station_ids"])
        record = CarPark(**data)
        if self.crs == "GCJ02" and self.lon_deg is not None and self.lat_deg is not None:
            record = record.with_gcj02(self.lon_deg, self.lat_deg)
        return record


class CarParkPublic(CarParkFields):
    id: str
    coords_converted_from_gcj02: bool = False

    @classmethod
    def of(cls, cp: CarPark) -> CarParkPublic:
        data = {f.name: getattr(cp, f.name) for f in dataclasses.fields(cp)}
        data["station_ids"] = list(cp.station_ids)
        for name in ("district", "street", "address"):
            data[name] = data[name] or ""  # tolerate records a store rebuilt with None
        return cls(**data)


class RowErrorPublic(BaseModel):
    row: int
    column: str
    value: str
    message_en: str
    message_zh: str


class ImportReport(BaseModel):
    rows_read: int
    imported: int
    errors: list[RowErrorPublic]


class VerdictPublic(BaseModel):
    rule_id: str
    pack_id: str
    verdict: Status
    required: int | None
    provided: int | None
    shortfall: int | None
    formula: str
    provided_detail: str
    reserved_unverified: int
    missing: list[str]
    citation: str
    explanation_zh: str
    explanation_en: str

    @classmethod
    def of(cls, v: Verdict) -> VerdictPublic:
        return cls(
            rule_id=v.rule.id,
            pack_id=v.rule.pack_id,
            verdict=v.status,
            required=v.required,
            provided=v.provided,
            shortfall=v.shortfall,
            formula=formula(v, "en") if v.required is not None else "",
            provided_detail=provided_text(v, "en") if v.provided is not None else "",
            reserved_unverified=v.reserved_unverified,
            missing=list(v.missing),
            citation=v.rule.citation,
            explanation_zh=explain(v, "zh"),
            explanation_en=explain(v, "en"),
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
            verdicts=[VerdictPublic.of(v) for v in result.verdicts],
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
    silent_after_days: float = Field(default=7.0, ge=0)


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
