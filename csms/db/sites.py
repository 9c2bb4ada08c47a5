"""Tables of 光储充 sites: sites, their stations, telemetry, demand-response events, sent charging profiles.

Powers carry their unit in the column name (``_kw``, ``_w``); times are :class:`UtcDateTime`. The site's
tariff is stored as the JSON mapping :func:`csms.domain.tariff.tariff_from_dict` reads (``NULL`` = the
shipped Hunan default), so a contract change is data, not code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class Site(Base):
    """A PV + storage + charging site behind one grid connection."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    area: Mapped[str | None] = mapped_column(String(100), index=True)
    """District or feeder the load-management centre groups sites by (the VPP view per area)."""
    grid_limit_kw: Mapped[float] = mapped_column(Float)
    transformer_limit_kw: Mapped[float | None] = mapped_column(Float)
    pv_kwp: Mapped[float] = mapped_column(Float, default=0.0)
    battery_capacity_kwh: Mapped[float] = mapped_column(Float, default=0.0)
    battery_power_kw: Mapped[float] = mapped_column(Float, default=0.0)
    battery_soc_min_pct: Mapped[float] = mapped_column(Float, default=10.0)
    battery_soc_max_pct: Mapped[float] = mapped_column(Float, default=90.0)
    base_load_kw: Mapped[float] = mapped_column(Float, default=0.0)
    """Declared maximum building load [kW]; the live value comes with telemetry."""
    voltage_v: Mapped[float] = mapped_column(Float, default=220.0)
    tariff: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SiteStation(Base):
    """A station's membership of a site (a station belongs to at most one site) and its electrical data."""

    __tablename__ = "site_stations"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    current_type: Mapped[str] = mapped_column(String(2), default="AC")
    phases: Mapped[int] = mapped_column(Integer, default=3)
    max_power_w: Mapped[float] = mapped_column(Float)
    min_power_w: Mapped[float | None] = mapped_column(Float)
    """Lowest power a session charges at; ``NULL``: 6 A per phase for AC (IEC 61851-1), 0 for DC."""
    priority: Mapped[str] = mapped_column(String(16), default="standard")


class SiteTelemetry(Base):
    """One telemetry sample of a site (what the site controller or the simulator's site mode sends)."""

    __tablename__ = "site_telemetry"
    __table_args__ = (Index("ix_site_telemetry_site_ts", "site_id", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    pv_power_w: Mapped[float] = mapped_column(Float)
    battery_power_w: Mapped[float] = mapped_column(Float, default=0.0)
    """> 0 discharging into the site, < 0 charging."""
    battery_soc_pct: Mapped[float | None] = mapped_column(Float)
    grid_import_w: Mapped[float | None] = mapped_column(Float)
    """Site meter: > 0 import, < 0 export."""
    base_load_w: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DrEvent(Base):
    """A demand-response event from the load-management centre (one target for a site or a group)."""

    __tablename__ = "dr_events"
    __table_args__ = (Index("ix_dr_events_window", "start_at", "end_at"),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime())
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    target_import_kw: Mapped[float | None] = mapped_column(Float)
    reduction_kw: Mapped[float | None] = mapped_column(Float)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When it was cancelled (``NULL`` for events cancelled before this was recorded, and live ones)."""
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DrEventSite(Base):
    """A site targeted by an event, with the baseline fixed when the event was created."""

    __tablename__ = "dr_event_sites"

    event_id: Mapped[str] = mapped_column(ForeignKey("dr_events.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    baseline_kw: Mapped[float | None] = mapped_column(Float)
    target_import_kw: Mapped[float | None] = mapped_column(Float)
    """Per-site share of a group target (``NULL``: the event's own target or reduction applies)."""


class SentChargingProfile(Base):
    """The last charging profile the energy manager had accepted by a station, per EVSE and purpose.

    An audit of what each station was told; the manager keeps its own copy in memory and resends
    everything after a restart, so this table is never the authority.
    """

    __tablename__ = "sent_charging_profiles"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    evse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(48), index=True)
    profile_id: Mapped[int] = mapped_column(Integer)
    transaction_ref: Mapped[str | None] = mapped_column(String(36))
    limit_w: Mapped[float] = mapped_column(Float)
    limit_value: Mapped[float] = mapped_column(Float)
    rate_unit: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
