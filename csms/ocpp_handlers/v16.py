"""OCPP 1.6J: every Core message a station sends, translated to services.

A 1.6 connector ``n`` is EVSE ``n`` with connector 1 in the CSMS's one model (connector 0 is the station).
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16.enums import Action

from csms.domain.authorization import TokenInfo
from csms.domain.carbon_records import signed_values_v16
from csms.domain.metering import Sample, normalise
from csms.domain.stations import BootInfo, StatusChange
from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.errors import InvalidInput
from csms.ocpp_handlers import v16_firmware, v16_reservations, v16_smart_charging
from csms.ocpp_handlers.commands import need, optional
from csms.ocpp_handlers.outbound_rules import OutboundRules
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.v16_local_list import COMMANDS as LOCAL_LIST_COMMANDS
from csms.ocpp_handlers.v16_security import COMMANDS_16, V16SecurityMixin
from csms.ocpp_handlers.validation import V16_CODES
from csms.services.metering import MeterReport
from csms.services.transactions import StartRequest, StopRequest


def id_tag_info(info: TokenInfo) -> dict[str, Any]:
    return optional(
        status=info.status.value,
        expiryDate=format_timestamp(info.expiry_date) if info.expiry_date else None,
        parentIdTag=info.group_id_token,
    )


def samples(meter_value: list[dict[str, Any]]) -> list[Sample]:
    out = []
    for reading in meter_value:
        at = parse_timestamp(reading["timestamp"])
        for sv in reading["sampledValue"]:
            if sv.get("format") == "SignedData":
                continue  # a signed blob, kept by the station for calibration-law billing; nothing to add up
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            value, unit = normalise(sv["value"], sv.get("unit"), measurand)
            out.append(
                Sample(at, measurand, value, unit, sv.get("phase"), sv.get("location"), sv.get("context"))
            )
    return out


class V16Connection(V16SecurityMixin, OutboundRules, StationConnection):
    """Each handler takes the request payload as on the wire and returns the response payload."""

    ocpp_version = "1.6"
    subprotocol = "ocpp1.6"
    codes = V16_CODES

    @on(Action.boot_notification)
    async def on_boot(self, p: dict[str, Any]) -> dict[str, Any]:
        info = BootInfo(p["chargePointVendor"], p["chargePointModel"], p.get("chargePointSerialNumber"),
                        p.get("firmwareVersion"))
        return await self.boot(info)

    @on(Action.status_notification)
    async def on_status(self, p: dict[str, Any]) -> dict[str, Any]:
        connector_id = p["connectorId"]
        at = parse_timestamp(p["timestamp"]) if "timestamp" in p else self.clock()
        change = StatusChange(
            connector_id, 0 if connector_id == 0 else 1, p["status"], at, p["errorCode"], p.get("info")
        )
        await self.services.stations.status_notification(self.id, change)
        return {}

    @on(Action.authorize)
    async def on_authorize(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"idTagInfo": id_tag_info(await self.services.tokens.authorize(p["idTag"]))}

    @on(Action.start_transaction)
    async def on_start(self, p: dict[str, Any]) -> dict[str, Any]:
        req = StartRequest(
            self.id, p["connectorId"], p["idTag"], float(p["meterStart"]), parse_timestamp(p["timestamp"])
        )
        transaction_id, info = await self.services.transactions.start(req)
        if p.get("reservationId") is not None:  # the transaction ends the reservation as used
            await self.services.reservations.used(self.id, p["reservationId"], transaction_id=transaction_id)
        return {"transactionId": transaction_id, "idTagInfo": id_tag_info(info)}

    @on(Action.stop_transaction)
    async def on_stop(self, p: dict[str, Any]) -> dict[str, Any]:
        req = StopRequest(
            self.id, p["transactionId"], float(p["meterStop"]), parse_timestamp(p["timestamp"]),
            p.get("reason"), p.get("idTag"), samples(p.get("transactionData") or []),
        )
        info = await self.services.transactions.stop(req)
        signed = signed_values_v16(p.get("transactionData") or [])
        await self.services.signed_meter.record(self.id, None, signed, transaction_pk=p["transactionId"])
        return {"idTagInfo": id_tag_info(info)} if info else {}

    @on(Action.meter_values)
    async def on_meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        report = MeterReport(
            self.id, p["connectorId"], samples(p["meterValue"]), transaction_id=p.get("transactionId")
        )
        await self.services.meters.write(report)
        signed = signed_values_v16(p["meterValue"])
        if signed:
            tx = p.get("transactionId")
            await self.services.signed_meter.record(self.id, p["connectorId"], signed, transaction_pk=tx)
        return {}

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self.sign_certificate(p["csr"])

    @on(Action.data_transfer)
    async def on_data_transfer(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.record(self.id, "DataTransfer", p)
        return {"status": "UnknownVendorId"}

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.record(self.id, "DiagnosticsStatusNotification", p)
        return {}

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.firmware.status_notification(self.id, p["status"], None)
        await self.services.stations.record(self.id, "FirmwareStatusNotification", p)
        return {}


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
        {"connectorId": p.get("evse_id") or 0,
         "type": "Operative" if need(p, "operative") else "Inoperative"},
    ),
    "get-configuration": lambda p: ("GetConfiguration", optional(key=p.get("keys"))),
    "change-configuration": lambda p: (
        "ChangeConfiguration", {"key": need(p, "key"), "value": str(need(p, "value"))}
    ),
    "trigger-message": lambda p: (
        "TriggerMessage",
        optional(requestedMessage=need(p, "requested_message"), connectorId=p.get("evse_id")),
    ),
    "clear-cache": lambda p: ("ClearCache", {}),
    "data-transfer": lambda p: (
        "DataTransfer",
        optional(vendorId=need(p, "vendor_id"), messageId=p.get("message_id"), data=p.get("data")),
    ),
}

V16Connection.commands.update(COMMANDS_16)


# -- SetChargingProfile: the site energy manager's version-neutral profile on the 1.6 wire ------------------
# Self-contained on purpose: the domain says what to limit (csms.domain.energy.ChargingProfile); only this
# block knows how 1.6 spells it (connectorId, csChargingProfiles, one schedule object, an integer
# transactionId, ChargePointMaxProfile). Not an operator command: it is not in csms.domain.commands.COMMANDS.
from datetime import UTC  # noqa: E402
from types import MappingProxyType  # noqa: E402

from csms.domain.energy import ChargingProfile, ProfilePurpose  # noqa: E402

V16_PURPOSES = MappingProxyType(
    {
        ProfilePurpose.TX: "TxProfile",
        ProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
        ProfilePurpose.STATION_MAX: "ChargePointMaxProfile",
    }
)


def set_charging_profile(p: Any) -> tuple[str, dict[str, Any]]:
    """``{"profile": ChargingProfile}`` -> a 1.6 SetChargingProfile.req (connector = the profile's EVSE)."""
    prof: ChargingProfile = need(p, "profile")
    schedule = {
        "startSchedule": prof.start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "chargingRateUnit": prof.unit,
        "chargingSchedulePeriod": [
            optional(startPeriod=x.start_s, limit=x.limit, numberPhases=x.number_phases) for x in prof.periods
        ],
    }
    body: dict[str, Any] = {
        "chargingProfileId": prof.profile_id,
        "stackLevel": prof.stack_level,
        "chargingProfilePurpose": V16_PURPOSES[prof.purpose],
        "chargingProfileKind": "Absolute",
        "chargingSchedule": schedule,
    }
    if prof.purpose is ProfilePurpose.TX and prof.transaction is not None:
        body["transactionId"] = prof.transaction.id
    return "SetChargingProfile", {"connectorId": prof.evse_id, "csChargingProfiles": body}


V16Connection.commands["set-charging-profile"] = set_charging_profile
for _module in (v16_smart_charging, v16_reservations, v16_firmware):
    V16Connection.commands.update(_module.COMMANDS)
V16Connection.commands.update(LOCAL_LIST_COMMANDS)  # LocalAuthListManagement
