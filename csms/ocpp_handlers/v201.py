"""OCPP 2.0.1: every message a station sends in the Core and Advanced Security profiles."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.domain.authorization import TokenInfo
from csms.domain.carbon_records import signed_values_v201
from csms.domain.metering import Sample, normalise
from csms.domain.stations import BootInfo, StatusChange
from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.errors import InvalidInput
from csms.ocpp_handlers import v201_display, v201_firmware, v201_reservations, v201_smart_charging
from csms.ocpp_handlers.commands import need, optional
from csms.ocpp_handlers.outbound_rules import OutboundRules
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.v201_certificates import COMMANDS_201, V201CertificatesMixin
from csms.ocpp_handlers.v201_ev_needs import EvNeedsMixin
from csms.ocpp_handlers.v201_local_list import COMMANDS as LOCAL_LIST_COMMANDS
from csms.ocpp_handlers.v201_monitoring import V201Monitoring
from csms.ocpp_handlers.v201_tariff import V201CostAndSync, V201MessageSplitting
from csms.ocpp_handlers.validation import V201_CODES
from csms.services.metering import MeterReport
from csms.services.transactions import EventRequest


def id_token_info(info: TokenInfo) -> dict[str, Any]:
    return optional(
        status=info.status.value,
        cacheExpiryDateTime=format_timestamp(info.expiry_date) if info.expiry_date else None,
        groupIdToken={"idToken": info.group_id_token, "type": "Central"} if info.group_id_token else None,
    )


def samples(meter_value: list[dict[str, Any]]) -> list[Sample]:
    out = []
    for reading in meter_value:
        at = parse_timestamp(reading["timestamp"])
        for sv in reading["sampledValue"]:
            measurand = sv.get("measurand", "Energy.Active.Import.Register")
            unit = sv.get("unitOfMeasure") or {}
            value, base = normalise(sv["value"], unit.get("unit"), measurand, int(unit.get("multiplier", 0)))
            out.append(
                Sample(at, measurand, value, base, sv.get("phase"), sv.get("location"), sv.get("context"))
            )
    return out


class V201Connection(
    v201_smart_charging.V201SmartCharging, v201_reservations.V201Reservations, v201_firmware.V201Firmware,
    V201CertificatesMixin, EvNeedsMixin, V201MessageSplitting, OutboundRules, StationConnection,
    V201CostAndSync, V201Monitoring, v201_display.V201DisplayMessages,
):
    """Each handler takes the request payload as on the wire and returns the response payload."""

    ocpp_version = "2.0.1"
    subprotocol = "ocpp2.0.1"
    codes = V201_CODES
    gated_before_boot = True

    async def _keep(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.record(self.id, action, payload)
        return {}

    @on(Action.boot_notification)
    async def on_boot(self, p: dict[str, Any]) -> dict[str, Any]:
        cs = p["chargingStation"]
        return await self.boot(
            BootInfo(cs.get("vendorName"), cs.get("model"), cs.get("serialNumber"), cs.get("firmwareVersion"))
        )

    @on(Action.status_notification)
    async def on_status(self, p: dict[str, Any]) -> dict[str, Any]:
        change = StatusChange(
            p["evseId"], p["connectorId"], p["connectorStatus"], parse_timestamp(p["timestamp"])
        )
        await self.services.stations.status_notification(self.id, change)
        return {}

    @on(Action.authorize)
    async def on_authorize(self, p: dict[str, Any]) -> dict[str, Any]:
        info = id_token_info(await self.services.tokens.authorize(p["idToken"]["idToken"]))
        if p.get("iso15118CertificateHashData"):  # C07: the contract certificate's status too
            return await self.authorize_certificates(info, p["iso15118CertificateHashData"])
        if p.get("certificate"):  # C07: or the chain itself
            return await self.authorize_chain(info, p["certificate"])
        return {"idTokenInfo": await self.tariff_message(info)}

    @on(Action.transaction_event)
    async def on_transaction_event(self, p: dict[str, Any]) -> dict[str, Any]:
        evse, token, info = p.get("evse") or {}, p.get("idToken"), p["transactionInfo"]
        req = EventRequest(
            station_id=self.id, event_type=p["eventType"], uid=info["transactionId"], seq_no=p["seqNo"],
            timestamp=parse_timestamp(p["timestamp"]), trigger_reason=p["triggerReason"],
            evse_id=evse.get("id"), connector_id=evse.get("connectorId"),
            id_token=token["idToken"] if token else None, offline=bool(p.get("offline", False)),
            stopped_reason=info.get("stoppedReason"), remote_start_id=info.get("remoteStartId"),
            samples=samples(p.get("meterValue") or []), charging_state=info.get("chargingState"),
        )
        answer = await self.services.transactions.event(req)
        if p.get("reservationId") is not None:  # H03: the transaction uses the reservation
            await self.services.reservations.used(self.id, p["reservationId"], transaction_uid=req.uid)
        signed = signed_values_v201(p.get("meterValue") or [])
        uid = info["transactionId"]
        await self.services.signed_meter.record(self.id, evse.get("id"), signed, transaction_uid=uid)
        await self.display_transaction_event(p)  # block O
        return await self.after_transaction_event(p, {"idTokenInfo": id_token_info(answer)} if answer else {})

    @on(Action.meter_values)
    async def on_meter_values(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.meters.write(MeterReport(self.id, p["evseId"], samples(p["meterValue"])))
        await self.services.signed_meter.record(self.id, p["evseId"], signed_values_v201(p["meterValue"]))
        return {}

    @on(Action.notify_report)
    async def on_notify_report(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep("NotifyReport", p)

    @on(Action.notify_event)
    async def on_notify_event(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep("NotifyEvent", p)

    @on(Action.security_event_notification)
    async def on_security_event(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep("SecurityEventNotification", p)

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.firmware.status_notification(self.id, p["status"], p.get("requestId"))
        return await self._keep("FirmwareStatusNotification", p)

    @on(Action.log_status_notification)
    async def on_log_status(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep("LogStatusNotification", p)

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self.sign_certificate(p["csr"], p.get("certificateType"))

    @on(Action.data_transfer)
    async def on_data_transfer(self, p: dict[str, Any]) -> dict[str, Any]:
        await self._keep("DataTransfer", p)
        return {"status": "UnknownVendorId"}


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
            remoteStartId=need(p, "request_id"),
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
        "GetBaseReport",
        {"requestId": need(p, "request_id"), "reportBase": p.get("report_base") or "FullInventory"},
    ),
    "trigger-message": lambda p: (
        "TriggerMessage", optional(requestedMessage=need(p, "requested_message"), evse=_evse(p))
    ),
    "clear-cache": lambda p: ("ClearCache", {}),
    "data-transfer": lambda p: (
        "DataTransfer",
        optional(vendorId=need(p, "vendor_id"), messageId=p.get("message_id"), data=p.get("data")),
    ),
}

V201Connection.commands.update(COMMANDS_201)


# -- SetChargingProfile: the site energy manager's version-neutral profile on the 2.0.1 wire (2.1 too) -------
# Self-contained on purpose: the domain says what to limit (csms.domain.energy.ChargingProfile); only this
# block knows how 2.0.1 spells it (evseId, chargingProfile, a list of schedules with their own id, the
# station's transactionId string). Not an operator command: it is not in csms.domain.commands.COMMANDS.
from datetime import UTC  # noqa: E402

from csms.domain.energy import ChargingProfile, ProfilePurpose  # noqa: E402


def set_charging_profile(p: Any) -> tuple[str, dict[str, Any]]:
    """``{"profile": ChargingProfile}`` -> a 2.0.1 SetChargingProfileRequest; the schedule's id is the
    profile's. A TxProfile needs the transaction's station id (``uid``)."""
    prof: ChargingProfile = need(p, "profile")
    uid = prof.transaction.uid if prof.transaction is not None else None
    if prof.purpose is ProfilePurpose.TX and not uid:
        raise InvalidInput("OCPP 2.0.1 TxProfile needs the transaction's station id", field="profile")
    schedule = {
        "id": prof.profile_id,
        "startSchedule": prof.start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "chargingRateUnit": prof.unit,
        "chargingSchedulePeriod": [
            optional(startPeriod=x.start_s, limit=x.limit, numberPhases=x.number_phases) for x in prof.periods
        ],
    }
    body: dict[str, Any] = {
        "id": prof.profile_id,
        "stackLevel": prof.stack_level,
        "chargingProfilePurpose": prof.purpose.value,  # the neutral names are 2.0.1's
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [schedule],
    }
    if prof.purpose is ProfilePurpose.TX:
        body["transactionId"] = uid
    return "SetChargingProfile", {"evseId": prof.evse_id, "chargingProfile": body}


V201Connection.commands["set-charging-profile"] = set_charging_profile
for _module in (v201_smart_charging, v201_reservations, v201_firmware, v201_display):
    V201Connection.commands.update(_module.COMMANDS)
V201Connection.commands.update(V201Monitoring.translators)
V201Connection.commands.update(LOCAL_LIST_COMMANDS)  # block D: SendLocalList, GetLocalListVersion
