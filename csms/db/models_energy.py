"""Tables of issue 17's energy work: EV charging needs per session, and the signed meter values stations send.

``ev_charging_needs``: what a session needs, from OCPP 2.0.1 NotifyEVChargingNeeds (K15-K17) or from the
operator's API (a 1.6 session's departure time and energy), with the EV's own schedule
(NotifyEVChargingSchedule) when it sent one. One row per transaction; a later message replaces it.

``signed_meter_values``: the signed meter data (OCMF and the like) a station sent with its meter values
(1.6 ``format: SignedData``, 2.0.1 ``signedMeterValue``), kept verbatim for the 碳普惠 session records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class EvChargingNeeds(Base):
    """A session's charging needs (powers W, energy Wh, currents A); ``source`` says who gave them."""

    __tablename__ = "ev_charging_needs"

    transaction_pk: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[str] = mapped_column(String(48), index=True)
    evse_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))
    """``NotifyEVChargingNeeds`` (the EV via the station) or ``operator`` (the REST API)."""
    departure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    energy_requested_wh: Mapped[float | None] = mapped_column(Float)
    """Energy the EV still asks for when the needs were given [Wh]."""
    energy_at_request_wh: Mapped[float | None] = mapped_column(Float)
    """The session's metered energy when the needs were given [Wh] (the request counts from there)."""
    ev_max_power_w: Mapped[float | None] = mapped_column(Float)
    ev_min_power_w: Mapped[float | None] = mapped_column(Float)
    energy_transfer: Mapped[str | None] = mapped_column(String(32))
    """2.0.1 ``requestedEnergyTransfer`` (AC_single_phase, AC_three_phase, DC...)."""
    max_schedule_tuples: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    """What the CSMS answered: Accepted, Processing or Rejected."""
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The ``chargingNeeds`` object as the station sent it (2.0.1); ``NULL`` from the operator."""
    ev_schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The EV's own schedule (NotifyEVChargingSchedule ``chargingSchedule``) when it sent one."""
    ev_schedule_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SignedMeterValue(Base):
    """One signed meter value as the station sent it (never parsed for billing: kept for verification)."""

    __tablename__ = "signed_meter_values"
    __table_args__ = (Index("ix_signed_meter_values_tx", "transaction_pk", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    transaction_pk: Mapped[int | None] = mapped_column(ForeignKey("transactions.id", ondelete="SET NULL"))
    evse_id: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    context: Mapped[str | None] = mapped_column(String(32))
    """``Transaction.Begin``, ``Transaction.End``, ``Sample.Periodic``..."""
    measurand: Mapped[str] = mapped_column(String(50))
    signed_meter_data: Mapped[str] = mapped_column(Text)
    """The signed data as sent (an OCMF string ``OCMF|{...}|{...}``, or base64 for 2.0.1)."""
    signing_method: Mapped[str | None] = mapped_column(String(50))
    encoding_method: Mapped[str | None] = mapped_column(String(50))
    public_key: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
