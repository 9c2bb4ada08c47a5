"""OCPP 1.6J: every Core message a station sends, translated to services.

A 1.6 connector ``n`` is EVSE ``n`` with connector 1 in the CSMS's one model (connector 0 is the station).
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from csms.domain.authorization import TokenInfo
from csms.domain.metering import Sample, normalise
from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.errors import InvalidInput
from csms.ocpp_handlers.commands import need, optional
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.validation import V16_CODES
from csms.services.metering import MeterReport
from csms.services.stations_types import BootInfo, StatusChange
from csms.services.transactions import StartRequest, StopRequest


def id_tag_info(info: TokenInfo) -> dict[str, Any]:
    return {
        "status": info.status.value,
        "expiry_date": format_timestamp(info.expiry_date) if info.expiry_date else None,
        "parent_id_tag": info.group_id_token,
    }


def samples(meter_value: list[dict[str, Any]]) -> list[Sample]:
    out = []
    for reading in meter_value:
        at = parse_timestamp(reading["timestamp"])
        for sv in reading["sampled_value"]:
            if sv.get("format") == "SignedData":
                continue  # a signed blob, kept by the station for calibration-law billing; nothing to add up
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            value, unit = normalise(sv["value"], sv.get("unit"), measurand)
            out.append(Sample(at, measurand, value, unit, sv.get("phase"), sv.get("location"), sv.get("context")))
    return out


class V16Connection(StationConnection):
    ocpp_version = "1.6"
    subprotocol = "ocpp1.6"
    codes = V16_CODES

    @on(Action.boot_notification)
    async def on_boot(self, charge_point_vendor: str, charge_point_model: str, **kw: Any):
        info = BootInfo(charge_point_vendor, charge_point_model, kw.get("charge_point_serial_number"), kw.get("firmware_version"))
        return call_result.BootNotification(**await self.boot(info))

    @on(Action.status_notification)
    async def on_status(self, connector_id: int, error_code: str, status: str, **kw: Any):
        at = parse_timestamp(kw["timestamp"]) if "timestamp" in kw else self.services.now()
        change = StatusChange(connector_id, 0 if connector_id == 0 else 1, status, at, error_code, kw.get("info"))
        await self.services.stations.status_notification(self.id, change)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **_: Any):
        return call_result.Authorize(id_tag_info(await self.services.tokens.authorize(id_tag)))

    @on(Action.start_transaction)
    async def on_start(self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **_: Any):
        req = StartRequest(self.id, connector_id, id_tag, float(meter_start), parse_timestamp(timestamp))
        transaction_id, info = await self.services.transactions.start(req)
        self.sessions_changed()
        return call_result.StartTransaction(transaction_id, id_tag_info(info))

    @on(Action.stop_transaction)
    async def on_stop(self, meter_stop: int, timestamp: str, transaction_id: int, **kw: Any):
        req = StopRequest(
            self.id, transaction_id, float(meter_stop), parse_timestamp(timestamp),
            kw.get("reason"), kw.get("id_tag"), samples(kw.get("transaction_data") or []),
        )
        info = await self.services.transactions.stop(req)
        self.sessions_changed()
        return call_result.StopTransaction(id_tag_info(info) if info else None)

    @on(Action.meter_values)
    async def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]], **kw: Any):
        report = MeterReport(self.id, connector_id, samples(meter_value), transaction_id=kw.get("transaction_id"))
        await self.services.meters.write(report)
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, vendor_id: str, **kw: Any):
        await self.services.stations.record(self.id, "DataTransfer", {"vendorId": vendor_id, **kw})
        return call_result.DataTransfer("UnknownVendorId")

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status(self, status: str, **_: Any):
        await self.services.stations.record(self.id, "DiagnosticsStatusNotification", {"status": status})
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, status: str, **_: Any):
        await self.services.stations.record(self.id, "FirmwareStatusNotification", {"status": status})
        return call_result.FirmwareStatusNotification()


def _reset(p: Any) -> tuple[str, dict[str, Any]]:
    kind = str(need(p, "type")).lower()
    if kind not in ("soft", "hard"):
        raise InvalidInput("type must be soft or hard", field="type")
    return "Reset", {"type": kind.capitalize()}


V16Connection.commands = {
    "remote-start": lambda p: (
        "RemoteStartTransaction", optional(idTag=need(p, "id_token"), connectorId=p.get("evse_id"))
    ),
    "remote-stop": lambda p: ("RemoteStopTransaction", {"transactionId": int(need(p, "transaction_id"))}),
    "reset": _reset,
    "unlock-connector": lambda p: ("UnlockConnector", {"connectorId": need(p, "evse_id")}),
    "change-availability": lambda p: (
        "ChangeAvailability",
        {"connectorId": p.get("evse_id") or 0, "type": "Operative" if need(p, "operative") else "Inoperative"},
    ),
    "get-configuration": lambda p: ("GetConfiguration", optional(key=p.get("keys"))),
    "change-configuration": lambda p: ("ChangeConfiguration", {"key": need(p, "key"), "value": str(need(p, "value"))}),
    "trigger-message": lambda p: (
        "TriggerMessage", optional(requestedMessage=need(p, "requested_message"), connectorId=p.get("evse_id"))
    ),
    "clear-cache": lambda p: ("ClearCache", {}),
    "data-transfer": lambda p: (
        "DataTransfer", optional(vendorId=need(p, "vendor_id"), messageId=p.get("message_id"), data=p.get("data"))
    ),
}
