"""OCPP 2.0.1 reservations (block H): ReservationStatusUpdate; the ReserveNow / CancelReservation shapes."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.ocpp_handlers.commands import Translator, need, optional


class V201Reservations:
    """Mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`."""

    id: str
    services: Any

    @on(Action.reservation_status_update)
    async def on_reservation_status_update(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.reservations.station_update(
            self.id, p["reservationId"], p["reservationUpdateStatus"]
        )
        return {}


COMMANDS: dict[str, Translator] = {
    "reserve-now": lambda p: (
        "ReserveNow",
        optional(
            id=need(p, "reservation_id"),
            expiryDateTime=need(p, "expires_at"),
            idToken={"idToken": need(p, "id_token"), "type": p.get("id_token_type") or "ISO14443"},
            evseId=p.get("evse_id"),
            connectorType=p.get("connector_type"),
            groupIdToken={"idToken": p["group_id_token"], "type": "Central"}
            if p.get("group_id_token")
            else None,
        ),
    ),
    "cancel-reservation": lambda p: ("CancelReservation", {"reservationId": need(p, "reservation_id")}),
}
"""Commands the reservation service sends (not operator commands of ``csms.domain.commands``)."""
