"""OCPP 1.6 reservations (Reservation profile): the ReserveNow / CancelReservation shapes.

A 1.6 station ends a reservation by starting a transaction with its ``reservationId`` (``v16.on_start``);
expiry is the CSMS's own (``csms.services.reservations``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms.errors import InvalidInput
from csms.ocpp_handlers.commands import Translator, need, optional


def _connector(p: Mapping[str, Any]) -> int:
    if p.get("connector_type"):
        raise InvalidInput("OCPP 1.6 reserves a connector, not a connector type", field="connector_type")
    return int(p.get("evse_id") or 0)  # 0: any connector of the station


COMMANDS: dict[str, Translator] = {
    "reserve-now": lambda p: (
        "ReserveNow",
        optional(
            connectorId=_connector(p),
            expiryDate=need(p, "expires_at"),
            idTag=need(p, "id_token"),
            parentIdTag=p.get("group_id_token"),
            reservationId=need(p, "reservation_id"),
        ),
    ),
    "cancel-reservation": lambda p: ("CancelReservation", {"reservationId": need(p, "reservation_id")}),
}
"""Commands the reservation service sends (not operator commands of ``csms.domain.commands``)."""
