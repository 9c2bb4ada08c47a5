"""Rules on what the CSMS sends, for every version: TriggerMessage (F06, 1.6 Remote Trigger) is checked
before it goes out, and the answers to the CSMS's own calls are checked against their response schema.

A mixin of the version connections: it wraps :meth:`StationConnection.call_raw`, so operator commands, raw
calls and the CSMS's own calls (GetTransactionStatus, CostUpdated) all pass through it.
"""

from __future__ import annotations

import logging
from typing import Any

from csms.domain.trigger import check_trigger
from csms.errors import StationCallError
from csms.ocpp_handlers.validation import SchemaViolation, validate

log = logging.getLogger("csms.ocpp")

TRIGGERS = frozenset({"TriggerMessage", "ExtendedTriggerMessage"})

CHECKED_ANSWERS = TRIGGERS | {"GetTransactionStatus", "CostUpdated"} | {
    "SetDisplayMessage", "GetDisplayMessages", "ClearDisplayMessage",  # stored by the display service
}
"""Actions whose answers the CSMS acts on or reports as they came: an answer off its schema is refused."""


class OutboundRules:
    """Put before :class:`StationConnection` in the bases (its ``call_raw`` runs first)."""

    id: str
    ocpp_version: str
    boot_accepted: bool
    codes: Any

    async def call_raw(
        self, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        if action in TRIGGERS and isinstance(payload, dict):
            evse = payload.get("evse")
            evse_id = evse.get("id") if isinstance(evse, dict) else payload.get("connectorId")
            check_trigger(
                self.ocpp_version, str(payload.get("requestedMessage")), evse_id=evse_id,
                boot_accepted=self.boot_accepted, action=action,
            )
        answer: dict[str, Any] = await super().call_raw(action, payload, timeout_s=timeout_s)  # type: ignore[misc]
        if action in CHECKED_ANSWERS:
            try:
                validate(self.ocpp_version, action, answer, self.codes, response=True)
            except SchemaViolation as exc:
                log.warning("station=%s event=invalid_answer action=%s error=%r", self.id, action,
                            exc.description[:200])
                raise StationCallError(
                    "InvalidAnswer", f"the station's {action} answer fails its schema: {exc.description}",
                    {"path": exc.path},
                ) from None
        return answer
