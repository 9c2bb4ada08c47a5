"""Tables of smart-charging reports (OCPP 2.0.1 K09, K29-K36) and external charging limits (K12, K13).

What each station says it has installed (``installed_charging_profiles``, from ReportChargingProfiles),
the GetChargingProfiles requests the CSMS sent (``charging_profile_requests``, the scope each report
replaces) and the limits a station reports from outside the CSMS (``external_charging_limits``, from
NotifyChargingLimit until ClearedChargingLimit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class InstalledChargingProfile(Base):
    """A charging profile a station reported as installed, on one EVSE (0: the whole station)."""

    __tablename__ = "installed_charging_profiles"
    __table_args__ = (
        UniqueConstraint("station_id", "evse_id", "profile_id", name="uq_installed_charging_profiles_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(Integer)
    profile_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    """chargingLimitSource: EMS, Other, SO or CSO (the CSMS); OCPP 2.1 allows any name of up to 20."""
    purpose: Mapped[str] = mapped_column(String(40))
    stack_level: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The chargingProfile as the station reported it (camelCase)."""
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChargingProfileRequest(Base):
    """A GetChargingProfiles request the CSMS sent, the station's answer, and the reports it collected."""

    __tablename__ = "charging_profile_requests"
    __table_args__ = (Index("ix_charging_profile_requests_station", "station_id"),)

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int | None] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    """chargingProfile criteria as sent (camelCase)."""
    status: Mapped[str] = mapped_column(String(16))
    """The station's answer: Accepted or NoProfiles."""
    reports: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the last report (``tbc`` false) arrived, or the station answered NoProfiles."""


class ExternalChargingLimit(Base):
    """A limit set outside the CSMS (a grid operator, a local EMS) as the station reported it."""

    __tablename__ = "external_charging_limits"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    evse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """0: the whole station (NotifyChargingLimit without ``evseId``)."""
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    is_grid_critical: Mapped[bool | None] = mapped_column(Boolean)
    schedules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """chargingSchedule list as reported (camelCase); ``NULL``: the station gave none."""
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
