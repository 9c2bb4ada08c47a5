"""Reservations (OCPP block H): a reservation's statuses and how it may end. Pure.

A reservation is ``Active`` once its station accepted the ReserveNow; it ends exactly once: ``Used`` by a
transaction, ``Cancelled`` by the CSMS (the station accepted CancelReservation), ``Expired`` at its
``expires_at`` (or when a 2.0.1 station says so), or ``Removed`` by the station (2.0.1
ReservationStatusUpdate). A ReserveNow the station did not accept is stored ``Refused``, with its answer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from csms.errors import Conflict, InvalidInput


class ReservationStatus(StrEnum):
    ACTIVE = "Active"
    REFUSED = "Refused"
    USED = "Used"
    CANCELLED = "Cancelled"
    EXPIRED = "Expired"
    REMOVED = "Removed"


STATION_UPDATES = {"Expired": ReservationStatus.EXPIRED, "Removed": ReservationStatus.REMOVED}
"""2.0.1 ReservationStatusUpdate ``reservationUpdateStatus`` -> the status it ends a reservation with."""


def check_new(expires_at: datetime, now: datetime) -> None:
    """A new reservation must end in the future."""
    if expires_at.tzinfo is None:
        raise InvalidInput("expires_at must carry a UTC offset", field="expires_at")
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")


def after_answer(answer: str) -> ReservationStatus:
    """The status of a reservation once the station answered ReserveNow with ``answer``."""
    return ReservationStatus.ACTIVE if answer == "Accepted" else ReservationStatus.REFUSED


def end(current: str, to: ReservationStatus) -> ReservationStatus:
    """End an active reservation with ``to``; a reservation that already ended cannot end again."""
    if current != ReservationStatus.ACTIVE:
        raise Conflict(f"the reservation is {current}, not Active")
    return to
