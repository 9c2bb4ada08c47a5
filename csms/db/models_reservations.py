"""Reservations (OCPP block H, both versions): what the CSMS asked a station to reserve, and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base, UtcDateTime


class Reservation(Base):
    """One ReserveNow; ``id`` (the reservation id on the wire) comes from ``csms.services.ids``.

    ``status`` is a :class:`csms.domain.reservations.ReservationStatus` value.
    """

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    ocpp_version: Mapped[str] = mapped_column(String(8))
    evse_id: Mapped[int | None] = mapped_column(Integer)
    """2.0.1 evseId, 1.6 connectorId; ``NULL``: any (1.6 connector 0)."""
    connector_type: Mapped[str | None] = mapped_column(String(20))
    id_token: Mapped[str] = mapped_column(String(36))
    id_token_type: Mapped[str | None] = mapped_column(String(20))
    group_id_token: Mapped[str | None] = mapped_column(String(36))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    station_answer: Mapped[str | None] = mapped_column(String(16))
    """The ReserveNow answer: Accepted, Faulted, Occupied, Rejected, Unavailable."""
    transaction_id: Mapped[int | None] = mapped_column(Integer)
    """The CSMS's transaction that used the reservation."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
