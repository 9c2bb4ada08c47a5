"""Tables of the car-park register the compliance routes work on, and its inspection history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class CarParkRow(Base):
    """One car park. The whole record is kept as JSON (the compliance package owns its schema); the columns
    beside it are what operators filter and join on."""

    __tablename__ = "car_parks"
    __table_args__ = (Index("ix_car_parks_district", "district"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(100), default="")
    record: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CarParkVerdictRow(Base):
    """What lists of car parks show and filter on, one narrow row per car park beside its JSON: its overall
    verdict under ``verdict_rules`` (the packs the console lists by), judged when the record was stored
    (register figures, no telemetry), and its WGS-84 position. Narrow on purpose: a filter that no index
    serves scans 100,000 of these rows in tens of milliseconds, where the car parks' JSON would take
    hundreds. ``verdict`` is ``None`` until judged (rows of car parks stored before verdicts were kept)."""

    __tablename__ = "car_park_verdicts"
    __table_args__ = (
        Index("ix_car_park_verdicts_district", "district"),
        Index("ix_car_park_verdicts_category", "category"),
        Index("ix_car_park_verdicts_verdict", "verdict_rules", "verdict"),
    )

    id: Mapped[str] = mapped_column(ForeignKey("car_parks.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(40))
    verdict: Mapped[str | None] = mapped_column(String(20))
    verdict_rules: Mapped[str | None] = mapped_column(String(200))
    leading_rule: Mapped[str | None] = mapped_column(String(60))
    shortfall: Mapped[int | None] = mapped_column(Integer)
    lon_deg: Mapped[float | None] = mapped_column(Float)
    lat_deg: Mapped[float | None] = mapped_column(Float)


class InspectionRow(Base):
    __tablename__ = "car_park_inspections"
    __table_args__ = (Index("ix_car_park_inspections_car_park", "car_park_id", "inspected_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    car_park_id: Mapped[str] = mapped_column(ForeignKey("car_parks.id", ondelete="CASCADE"))
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String(100))
    findings: Mapped[str] = mapped_column(Text)
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RegisterImportRow(Base):
    """One register imported through the console: who, when, what file, and what became of its rows."""

    __tablename__ = "car_park_imports"
    __table_args__ = (Index("ix_car_park_imports_at", "imported_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filename: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rows_read: Mapped[int] = mapped_column(Integer)
    imported: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    car_park_ids: Mapped[list] = mapped_column(JSON)
    """The ids stored (at most the register's 100,000 rows)."""
    problems: Mapped[list] = mapped_column(JSON)
    """Rows left out, values read as blank: ``{row, column, value, message_en, message_zh, effect}``."""
