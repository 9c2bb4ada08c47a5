"""OCPP 2.0.1 display messages (block O): NotifyDisplayMessages; the SetDisplayMessage, GetDisplayMessages and
ClearDisplayMessage shapes of the operator commands (stored by :mod:`csms.services.display_messages`)."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.ocpp_handlers.commands import Translator, need, optional


class V201DisplayMessages:
    """Mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`."""

    id: str
    services: Any

    @on(Action.notify_display_messages)
    async def on_notify_display_messages(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.display.report(
            self.id, p["requestId"], p.get("messageInfo") or [], bool(p.get("tbc", False))
        )
        return {}

    async def display_transaction_event(self, p: dict[str, Any]) -> None:
        """A transaction's messages leave the store when it ends (the station removes them)."""
        if p["eventType"] == "Ended":
            await self.services.display.transaction_ended(self.id, p["transactionInfo"]["transactionId"])


def _utc(value: Any) -> str | None:
    """In UTC, as the spec recommends for every time exchanged."""
    return None if value is None else format_timestamp(parse_timestamp(str(value)))


def _set(p: Any) -> tuple[str, dict[str, Any]]:
    content = optional(
        format=p.get("message_format") or "UTF8", language=p.get("message_language"),
        content=need(p, "message_content"),
    )  # fmt: skip
    message = optional(
        id=need(p, "display_message_id"), priority=need(p, "priority"), state=p.get("state"),
        startDateTime=_utc(p.get("start_date_time")), endDateTime=_utc(p.get("end_date_time")),
        transactionId=p.get("transaction_uid"), display=p.get("display"), message=content,
    )  # fmt: skip
    return "SetDisplayMessage", {"message": message}


COMMANDS: dict[str, Translator] = {
    "set-display-message": _set,
    "get-display-messages": lambda p: (
        "GetDisplayMessages",
        optional(
            requestId=need(p, "request_id"), id=p.get("display_message_ids") or None,
            priority=p.get("priority"), state=p.get("state"),
        ),
    ),  # fmt: skip
    "clear-display-message": lambda p: ("ClearDisplayMessage", {"id": need(p, "display_message_id")}),
}
