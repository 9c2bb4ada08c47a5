"""Tables of the car-park register the compliance routes work on, and its inspection history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
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
