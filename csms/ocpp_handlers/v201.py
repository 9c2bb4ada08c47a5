"""OCPP 2.0.1: every message a station sends in the Core and Advanced Security profiles."""

from __future__ import annotations

from typing import Any

from ocpp.charge_point import snake_to_camel_case
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from csms.domain.authorization import TokenInfo
from csms.domain.metering import Sample, normalise
from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.errors import InvalidInput
from csms.ocpp_handlers.commands import need, next_request_id, optional
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.validation import V201_CODES
from csms.services.metering import MeterReport
from csms.services.stations_types import BootInfo, StatusChange
from csms.services.transactions import EventRequest


def id_token_info(info: TokenInfo) -> dict[str, Any]:
    group = {"id_token": info.group_id_token, "type": "Central"} if info.group_id_token else None
    expiry = format_timestamp(info.expiry_date) if info.expiry_date else None
    return {"status": info.status.value, "cache_expiry_date_time": expiry, "group_id_token": group}


def samples(meter_value: list[dict[str, Any]]) -> list[Sample]:
    out = []
    for reading in meter_value:
        at = parse_timestamp(reading["timestamp"])
        for sv in reading["sampled_value"]:
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            unit = sv.get("unit_of_measure") or {}
            value, base = normalise(sv["value"], unit.get("unit"), measurand, int(unit.get("multiplier", 0)))
            out.append(Sample(at, measurand, value, base, sv.get("phase"), sv.get("location"), sv.get("context")))
    return out


class V201Connection(StationConnection):
    ocpp_version = "2.0.1"
    subprotocol = "ocpp2.0.1"
    codes = V201_CODES
    gated_before_boot = True

    async def _keep(self, action: str, payload: dict[str, Any]) -> None:
        await self.services.stations.record(self.id, action, snake_to_camel_case(payload))

    @on(Action.boot_notification)
    async def on_boot(self, charging_station: dict[str, Any], reason: str, **_: Any):
        cs = charging_station
        info = BootInfo(cs.get("vendor_name"), cs.get("model"), cs.get("serial_number"), cs.get("firmware_version"))
        return call_result.BootNotification(**await self.boot(info))

    @on(Action.status_notification)
    async def on_status(self, timestamp: str, connector_status: str, evse_id: int, connector_id: int, **_: Any):
        change = StatusChange(evse_id, connector_id, connector_status, parse_timestamp(timestamp))
        await self.services.stations.status_notification(self.id, change)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_token: dict[str, Any], **_: Any):
        return call_result.Authorize(id_token_info(await self.services.tokens.authorize(id_token["id_token"])))

    @on(Action.transaction_event)
    async def on_transaction_event(
        self, event_type: str, timestamp: str, trigger_reason: str, seq_no: int, transaction_info: dict[str, Any], **kw: Any
    ):
        evse = kw.get("evse") or {}
        token = kw.get("id_token")
        req = EventRequest(
            station_id=self.id, event_type=event_type, uid=transaction_info["transaction_id"], seq_no=seq_no,
            timestamp=parse_timestamp(timestamp), trigger_reason=trigger_reason,
            evse_id=evse.get("id"), connector_id=evse.get("connector_id"),
            id_token=token["id_token"] if token else None, offline=bool(kw.get("offline", False)),
            stopped_reason=transaction_info.get("stopped_reason"), remote_start_id=transaction_info.get("remote_start_id"),
            samples=samples(kw.get("meter_value") or []),
        )
        info = await self.services.transactions.event(req)
        if event_type != "Updated":
            self.sessions_changed()
        return call_result.TransactionEvent(id_token_info=id_token_info(info) if info else None)

    @on(Action.meter_values)
    async def on_meter_values(self, evse_id: int, meter_value: list[dict[str, Any]], **_: Any):
        await self.services.meters.write(MeterReport(self.id, evse_id, samples(meter_value)))
        return call_result.MeterValues()

    @on(Action.notify_report)
    async def on_notify_report(self, **payload: Any):
        await self._keep("NotifyReport", payload)
        return call_result.NotifyReport()

    @on(Action.notify_event)
    async def on_notify_event(self, **payload: Any):
        await self._keep("NotifyEvent", payload)
        return call_result.NotifyEvent()

    @on(Action.security_event_notification)
    async def on_security_event(self, **payload: Any):
        await self._keep("SecurityEventNotification", payload)
        return call_result.SecurityEventNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, **payload: Any):
        await self._keep("FirmwareStatusNotification", payload)
        return call_result.FirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status(self, **payload: Any):
        await self._keep("LogStatusNotification", payload)
        return call_result.LogStatusNotification()

    @on(Action.data_transfer)
    async def on_data_transfer(self, **payload: Any):
        await self._keep("DataTransfer", payload)
        return call_result.DataTransfer("UnknownVendorId")


def _evse(p: Any) -> dict[str, Any] | None:
    if p.get("evse_id") is None:
        return None
    return optional(id=p["evse_id"], connectorId=p.get("connector_id"))


def _reset(p: Any) -> tuple[str, dict[str, Any]]:
    kind = str(need(p, "type")).lower()
    if kind not in ("soft", "hard"):
        raise InvalidInput("type must be soft or hard", field="type")
    # 2.0.1 has no soft/hard: a soft reset waits for sessions to end (OnIdle), a hard one does not.
    return "Reset", optional(type="OnIdle" if kind == "soft" else "Immediate", evseId=p.get("evse_id"))


V201Connection.commands = {
    "remote-start": lambda p: (
        "RequestStartTransaction",
        optional(
            idToken={"idToken": need(p, "id_token"), "type": p.get("id_token_type") or "ISO14443"},
            remoteStartId=next_request_id(),
            evseId=p.get("evse_id"),
        ),
    ),
    "remote-stop": lambda p: ("RequestStopTransaction", {"transactionId": str(need(p, "transaction_uid"))}),
    "reset": _reset,
    "unlock-connector": lambda p: (
        "UnlockConnector", {"evseId": need(p, "evse_id"), "connectorId": p.get("connector_id") or 1}
    ),
    "change-availability": lambda p: (
        "ChangeAvailability",
        optional(operationalStatus="Operative" if need(p, "operative") else "Inoperative", evse=_evse(p)),
    ),
    "get-variables": lambda p: ("GetVariables", {"getVariableData": need(p, "variables")}),
    "set-variables": lambda p: ("SetVariables", {"setVariableData": need(p, "variables")}),
    "get-base-report": lambda p: (
        "GetBaseReport", {"requestId": next_request_id(), "reportBase": p.get("report_base") or "FullInventory"}
    ),
    "trigger-message": lambda p: (
        "TriggerMessage", optional(requestedMessage=need(p, "requested_message"), evse=_evse(p))
    ),
    "clear-cache": lambda p: ("ClearCache", {}),
    "data-transfer": lambda p: (
        "DataTransfer", optional(vendorId=need(p, "vendor_id"), messageId=p.get("message_id"), data=p.get("data"))
    ),
}
