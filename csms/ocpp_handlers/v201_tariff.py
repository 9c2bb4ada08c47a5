"""OCPP 2.0.1 (and 2.1): session cost in the Ended answer (I03), the tariff in the Authorize answer (I01),
GetTransactionStatus after a seqNo gap or an offline Ended (E14), and requests split to the station's
ItemsPerMessage / BytesPerMessage (B08, N18).

Mixins of :class:`~csms.ocpp_handlers.v201.V201Connection`; the decisions are the domain's
(:mod:`csms.domain.costing`, :mod:`csms.domain.transaction_sync`, :mod:`csms.domain.message_split`).
"""

from __future__ import annotations

import logging
from typing import Any

from csms.domain.costing import tariff_text
from csms.domain.message_split import (
    SPLITTABLE,
    json_size,
    limit_queries,
    limits_from_answer,
    limits_from_report,
    merge_status,
    split,
)
from csms.domain.tariff import tariff_from_dict
from csms.domain.timeutil import parse_timestamp
from csms.errors import CsmsError, StationCallError

log = logging.getLogger("csms.ocpp")


class V201CostAndSync:
    """Called by the TransactionEvent and Authorize handlers once the service has stored the message."""

    id: str
    services: Any

    async def after_transaction_event(self, p: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        uid = p["transactionInfo"]["transactionId"]
        if p["eventType"] != "Ended" and not p.get("offline"):  # I06: a new price in force is told at once
            text = await self.services.costs.price_notice(self.id, uid, parse_timestamp(p["timestamp"]))
            if text is not None:
                result["updatedPersonalMessage"] = {"format": "UTF8", "content": text}
        if p["eventType"] == "Ended":
            try:
                cost = await self.services.costs.of_uid(self.id, uid)
            except CsmsError as exc:  # the session is stored: answer it (without a cost, "not free")
                log.error("station=%s event=cost_failed uid=%s error=%r", self.id, uid, str(exc)[:200])
                cost = None
            if cost is not None:
                result["totalCost"] = cost.total_cost  # I03.FR.02: the final cost, 0.00 for a free session
        ask = await self.services.transaction_sync.observe(
            self.id, uid, event_type=p["eventType"], offline=bool(p.get("offline", False))
        )
        if ask:
            self.after_reply(lambda: self._ask_transaction_status(uid))  # type: ignore[attr-defined]
        return result

    async def _ask_transaction_status(self, uid: str) -> None:
        try:
            answer = await self.call_raw("GetTransactionStatus", {"transactionId": uid})  # type: ignore[attr-defined]
        except CsmsError as exc:  # the top of this follow-up: the next gap asks again
            log.warning("station=%s event=transaction_status_failed uid=%s error=%r", self.id, uid, str(exc))
            return
        await self.services.transaction_sync.answered(
            self.id, uid, messages_in_queue=bool(answer["messagesInQueue"]),
            ongoing=answer.get("ongoingIndicator"),
        )

    async def tariff_message(self, info: dict[str, Any]) -> dict[str, Any]:
        """I01: the driver's tariff as the idTokenInfo's personalMessage (for an Accepted token)."""
        if info.get("status") != "Accepted" or "personalMessage" in info:
            return info
        chosen = await self.services.tariffs.for_station(self.id)
        text = tariff_text(tariff_from_dict(chosen.definition))
        return {**info, "personalMessage": {"format": "UTF8", "content": text}}


class V201MessageSplitting:
    """B08/N18: GetVariables, SetVariables, GetReport, Clear- and SetVariableMonitoring are sent in as many
    calls as the station's ItemsPerMessage / BytesPerMessage allow, and the answers merged into one."""

    id: str
    services: Any
    _message_limits: dict[tuple[str, str], int] | None = None

    async def call_raw(
        self, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        send = super().call_raw  # type: ignore[misc]
        field = SPLITTABLE[action][1] if action in SPLITTABLE else ""
        items = payload.get(field) if field and isinstance(payload, dict) else None
        if not isinstance(items, list) or not items:
            return await send(action, payload, timeout_s=timeout_s)  # type: ignore[no-any-return]
        limits = await self.message_limits()
        envelope = json_size({**payload, field: []}) - 2
        chunks = split(
            items, max_items=limits.get((action, "items")), max_bytes=limits.get((action, "bytes")),
            envelope_bytes=envelope,
        )
        if len(chunks) == 1:
            return await send(action, payload, timeout_s=timeout_s)  # type: ignore[no-any-return]
        parts = []
        for n, chunk in enumerate(chunks):
            part = {**payload, field: chunk}
            if action == "GetReport" and n:  # every report its own request id, as the spec numbers them
                part["requestId"] = await self.services.ids.issue("get-report", self.id)
            parts.append((part, await send(action, part, timeout_s=timeout_s)))
        return _merge(action, parts)

    async def message_limits(self) -> dict[tuple[str, str], int]:
        """The station's limits: from its stored NotifyReport data, else asked once with GetVariables."""
        if self._message_limits is not None:
            return self._message_limits
        found: dict[tuple[str, str], int] = {}
        for message in await self.services.stations.messages(self.id, "NotifyReport"):
            found.update(limits_from_report(message.payload.get("reportData") or []))
        if not found:
            found = await self._ask_limits()
        self._message_limits = found
        return found

    async def _ask_limits(self) -> dict[tuple[str, str], int]:
        send = super().call_raw  # type: ignore[misc]
        queries = limit_queries()
        found: dict[tuple[str, str], int] = {}
        try:
            # First the GetVariables limit alone (one item fits any station), then the rest within it.
            first = await send("GetVariables", {"getVariableData": queries[:1]})
            found.update(limits_from_answer(first.get("getVariableResult") or []))
            for chunk in split(queries[1:], max_items=found.get(("GetVariables", "items"))):
                answer = await send("GetVariables", {"getVariableData": chunk})
                found.update(limits_from_answer(answer.get("getVariableResult") or []))
        except StationCallError as exc:
            log.info("station=%s event=no_message_limits error=%r", self.id, str(exc)[:200])
        return found


def _merge(action: str, parts: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    if action == "GetVariables":
        return {"getVariableResult": [r for _, a in parts for r in a.get("getVariableResult", [])]}
    if action == "SetVariables":
        return {"setVariableResult": [r for _, a in parts for r in a.get("setVariableResult", [])]}
    if action == "ClearVariableMonitoring":
        return {"clearMonitoringResult": [r for _, a in parts for r in a.get("clearMonitoringResult", [])]}
    if action == "SetVariableMonitoring":
        return {"setMonitoringResult": [r for _, a in parts for r in a.get("setMonitoringResult", [])]}
    return {  # GetReport: one status, and each part's request id and answer
        "status": merge_status([str(a.get("status")) for _, a in parts]),
        "parts": [{"requestId": p["requestId"], **a} for p, a in parts],
    }
