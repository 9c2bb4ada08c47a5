"""Tables of tariffs and session costs (OCPP 2.0.1 block I), transaction sync (E14) and per-station boot
intervals (B01-B03).

A tariff is stored as the JSON mapping :func:`csms.domain.tariff.tariff_from_dict` reads, so a contract change
is data, not code; migration 0009 seeds the shipped Hunan time-of-use tariff as the default. A station's
tariff is the one assigned to it, else the one assigned to its site, else the default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class Tariff(Base):
    """A named time-of-use tariff for charging sessions; at most one is the default."""

    __tablename__ = "tariffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TariffAssignment(Base):
    """Which tariff a station, or every station of a site, is charged under (one per target)."""

    __tablename__ = "tariff_assignments"
    __table_args__ = (UniqueConstraint("scope", "target_id", name="uq_tariff_assignments_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(8))
    """``station`` or ``site``."""
    target_id: Mapped[str] = mapped_column(String(48))


class TransactionCost(Base):
    """A session's cost: the tariff it is charged under (pinned when it is first costed, a copy of its
    definition, so that editing the tariff never changes a session already under way) and its latest cost."""

    __tablename__ = "transaction_costs"

    transaction_pk: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), primary_key=True
    )
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id", ondelete="SET NULL"))
    tariff: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    total_cost: Mapped[float] = mapped_column(Float, default=0.0)
    energy_wh: Mapped[float] = mapped_column(Float, default=0.0)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``{"energy_wh": {period: Wh}, "cost": {period: amount}, "service_fee": amount}``."""
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cost_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the last CostUpdated went to the station (2.0.1 I02)."""
    shown_period: Mapped[str | None] = mapped_column(String(32))
    """The time-of-use period whose price the driver was last told (2.0.1 I06: a change of period is told in
    the next TransactionEvent answer's ``updatedPersonalMessage``)."""


class TransactionSync(Base):
    """Whether the CSMS holds every TransactionEvent of a 2.0.1 transaction (E14 GetTransactionStatus)."""

    __tablename__ = "transaction_sync"

    transaction_pk: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))
    """:class:`csms.domain.transaction_sync.SyncState`."""
    missing_seq_nos: Mapped[list[int]] = mapped_column(JSON)
    messages_in_queue: Mapped[bool | None] = mapped_column(Boolean)
    ongoing: Mapped[bool | None] = mapped_column(Boolean)
    asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reconciled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StationBootSettings(Base):
    """A station's own BootNotification intervals, overriding the configured ones (``NULL``: configured)."""

    __tablename__ = "station_boot_settings"

    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    pending_retry_interval_s: Mapped[int | None] = mapped_column(Integer)
    heartbeat_interval_s: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
