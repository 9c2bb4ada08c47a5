"""OCPP 2.0.1 adapter: translates between 2.0.1 messages and the station (thin handlers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from charger_simulator import commands, v201_reports
from charger_simulator.adapter import StationAdapter
from charger_simulator.clock import ocpp_time, parse_time
from charger_simulator.device_model import default_device_model
from charger_simulator.events import ENDED, STARTED, StatusEvent, TxEvent
from charger_simulator.meter import MeterReading, sampled_values
from charger_simulator.profiles import (
    PURPOSE_STATION_MAX,
    PURPOSE_TX,
    PURPOSE_TX_DEFAULT,
    ChargingProfile,
    profile_from_payload,
)

PURPOSES = {
    "ChargingStationMaxProfile": PURPOSE_STATION_MAX,
    "TxDefaultProfile": PURPOSE_TX_DEFAULT,
    "TxProfile": PURPOSE_TX,
}
#: 1.6 connector status -> 2.0.1 ConnectorStatusEnumType.
CONNECTOR_STATUS = {
    "Available": "Available",
    "Faulted": "Faulted",
    "Unavailable": "Unavailable",
    "Reserved": "Reserved",
}
#: 1.6 status -> 2.0.1 ChargingStateEnumType.
CHARGING_STATE = {
    "Charging": "Charging",
    "SuspendedEV": "SuspendedEV",
    "SuspendedEVSE": "SuspendedEVSE",
    "Preparing": "EVConnected",
    "Finishing": "EVConnected",
}
#: 1.6 stop reason -> (2.0.1 trigger reason, 2.0.1 stopped reason).
STOP = {
    "Local": ("StopAuthorized", "Local"),
    "Remote": ("RemoteStop", "Remote"),
    "EVDisconnected": ("EVCommunicationLost", "EVDisconnected"),
    "DeAuthorized": ("Deauthorized", "DeAuthorized"),
    "HardReset": ("ResetCommand", "ImmediateReset"),
    "SoftReset": ("ResetCommand", "ImmediateReset"),
    "UnlockCommand": ("UnlockCommand", "Other"),
    "PowerLoss": ("AbnormalCondition", "PowerLoss"),
    "EmergencyStop": ("AbnormalCondition", "EmergencyStop"),
}
FAULT_STOP = {"GroundFailure": "GroundFault", "OverCurrentFailure": "OvercurrentFault"}
_CONTEXT = {STARTED: "Transaction.Begin", ENDED: "Transaction.End"}


def parse_profile(d: dict, evse_id: int) -> ChargingProfile | None:
    """A 2.0.1 ``chargingProfile`` (snake_case keys) as a neutral profile; None for external limits."""
    if d["charging_profile_purpose"] not in PURPOSES:
        return None
    purpose = PURPOSES[d["charging_profile_purpose"]]
    return profile_from_payload(d, d["charging_schedule"][0], d["id"], purpose, evse_id, parse_time)


def meter_value(timestamp: datetime, reading: MeterReading, context: str) -> dict:
    """One 2.0.1 MeterValueType (snake_case; the library camel-cases it)."""
    return {
        "timestamp": ocpp_time(timestamp),
        "sampled_value": [
            {
                "value": v["value"],
                "context": context,
                "measurand": v["measurand"],
                "location": "EV" if v["measurand"] == "SoC" else "Outlet",
                "unit_of_measure": {"unit": v["unit"]},
            }
            for v in sampled_values(reading)
        ],
    }


def token(id_tag: str) -> dict:
    return {"id_token": id_tag, "type": "ISO14443"}


class V201Station(StationAdapter, ChargePoint):
    """The station's OCPP 2.0.1 charging station (one per websocket connection)."""

    SUBPROTOCOL = "ocpp2.0.1"
    KEYS = {
        "connection_timeout": "TxCtrlr/EVConnectionTimeOut",
        "heartbeat": "OCPPCommCtrlr/HeartbeatInterval",
        "sample_interval": "SampledDataCtrlr/TxUpdatedInterval",
        "allow_offline_unknown": "AuthCtrlr/OfflineTxForUnknownIdEnabled",
        "authorize_remote": "AuthCtrlr/AuthorizeRemoteStart",
    }
    STATION_ASSIGNS_TX_ID = True
    FRAMING_ERROR = "RpcFrameworkError"
    MESSAGE_TYPE_ERROR = "MessageTypeNotSupported"
    KNOWN_ACTIONS = frozenset(a.value for a in Action)
    CALLS = call
    default_settings = staticmethod(default_device_model)

    # -- station -> CSMS ------------------------------------------------------------------------
    async def boot(self, reason: str) -> tuple[str, int]:
        cfg = self.station.config
        r = await self._request(
            call.BootNotification(
                charging_station={
                    "model": cfg.model,
                    "vendor_name": cfg.vendor,
                    "serial_number": cfg.serial_number,
                    "firmware_version": self.station.firmware_version,
                },
                reason=reason,
            )
        )
        return r.status, int(r.interval)

    async def authorize(self, id_tag: str) -> bool:
        r = await self._request(call.Authorize(id_token=token(id_tag)))
        return r.id_token_info["status"] == "Accepted"

    async def firmware_status(self, status: str) -> None:
        await self._request(
            call.FirmwareStatusNotification(status=status, request_id=self.station.firmware_request_id)
        )

    async def diagnostics_status(self, status: str) -> None:
        await self._request(call.LogStatusNotification(status=status, request_id=self.station.log_request_id))

    async def send_event(self, event: TxEvent | StatusEvent) -> None:
        if isinstance(event, StatusEvent):
            await self._request(
                call.StatusNotification(
                    timestamp=ocpp_time(event.timestamp),
                    connector_status=CONNECTOR_STATUS.get(event.status, "Occupied"),
                    evse_id=event.connector_id,
                    connector_id=1,
                )
            )
            return
        r = await self._request(self._transaction_event(event))
        info = r.id_token_info
        c = self.station.model.connectors[event.connector_id]
        if event.kind == STARTED and info and info["status"] != "Accepted" and c.transaction is event.tx:
            if self.station.settings.bool_value("TxCtrlr/StopTxOnInvalidId"):
                self.station.end_transaction(c, "DeAuthorized")
                self.station.notify()

    def _transaction_event(self, event: TxEvent) -> call.TransactionEvent:
        tx = event.tx
        info: dict[str, Any] = {"transaction_id": tx.transaction_id}
        trigger = event.trigger
        if event.kind == ENDED:
            trigger, stopped = STOP.get(event.reason or "", ("AbnormalCondition", "Other"))
            if event.reason == "Other" and event.fault_code:
                stopped = FAULT_STOP.get(event.fault_code, "Other")
            info["stopped_reason"] = stopped
            info["charging_state"] = "Idle" if event.reason == "EVDisconnected" else "EVConnected"
        else:
            info["charging_state"] = CHARGING_STATE.get(event.charging_state, "Idle")
        if event.kind == STARTED and tx.remote_start_id is not None:
            info["remote_start_id"] = tx.remote_start_id
        return call.TransactionEvent(
            event_type=event.kind,
            timestamp=ocpp_time(event.timestamp),
            trigger_reason=trigger,
            seq_no=event.seq_no,
            transaction_info=info,
            meter_value=[
                meter_value(event.timestamp, event.reading, _CONTEXT.get(event.kind, "Sample.Periodic"))
            ],
            offline=event.offline or None,
            evse={"id": event.connector_id, "connector_id": 1} if event.kind == STARTED else None,
            id_token=token(tx.id_tag) if event.kind in (STARTED, ENDED) else None,
        )

    async def send_status(self, evse_id: int) -> None:
        c = self.station.model.connectors[evse_id]
        await self.send_event(
            StatusEvent(evse_id, c.status, c.fault_code or "NoError", self.station.clock.now())
        )

    # -- CSMS -> station ------------------------------------------------------------------------
    @on(Action.request_start_transaction)
    def on_request_start(
        self, id_token: dict, remote_start_id: int, evse_id=None, charging_profile=None, **_
    ):
        profile = parse_profile(charging_profile, evse_id or 0) if charging_profile else None
        accepted, after = commands.remote_start(
            self.station, id_token["id_token"], evse_id, remote_start_id, profile
        )
        if after:
            self.after_reply(after)
        return call_result.RequestStartTransaction(status="Accepted" if accepted else "Rejected")

    @on(Action.request_stop_transaction)
    def on_request_stop(self, transaction_id: str, **_):
        accepted, after = commands.remote_stop(self.station, transaction_id)
        if after:
            self.after_reply(after)
        return call_result.RequestStopTransaction(status="Accepted" if accepted else "Rejected")

    @on(Action.reset)
    def on_reset(self, type: str, evse_id: int | None = None, **_):
        station = self.station
        if evse_id is not None:
            return call_result.Reset(status="Rejected")  # EVSE-level reset is not supported
        busy = any(c.transaction for c in station.model.connectors.values())
        if type == "OnIdle" and busy:

            async def when_idle() -> None:
                await station.wait_for(
                    lambda: not any(c.transaction for c in station.model.connectors.values()), 10**9
                )
                await station.reboot(hard=False)

            self.after_reply(when_idle)
            return call_result.Reset(status="Scheduled")
        self.after_reply(lambda: station.reboot(hard=type == "Immediate"))
        return call_result.Reset(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock_connector(self, evse_id: int, connector_id: int, **_):
        status, _after = commands.unlock(self.station, evse_id if connector_id == 1 else -1)
        mapped = {"Unknown": "UnknownConnector", "Busy": "OngoingAuthorizedTransaction"}.get(status, status)
        return call_result.UnlockConnector(status=mapped)

    @on(Action.change_availability)
    def on_change_availability(self, operational_status: str, evse: dict | None = None, **_):
        evse_id = evse["id"] if evse else 0
        status, after = commands.change_availability(self.station, evse_id, operational_status == "Operative")
        if after:
            self.after_reply(after)
        return call_result.ChangeAvailability(status=status)

    @on(Action.get_variables)
    def on_get_variables(self, get_variable_data: list, **_):
        return call_result.GetVariables(
            get_variable_result=v201_reports.get_variables(self.station, get_variable_data)
        )

    @on(Action.set_variables)
    def on_set_variables(self, set_variable_data: list, **_):
        return call_result.SetVariables(
            set_variable_result=v201_reports.set_variables(self.station, set_variable_data)
        )

    @on(Action.get_base_report)
    def on_get_base_report(self, request_id: int, report_base: str, **_):
        pages = v201_reports.base_report(self.station, report_base)
        if not pages:
            return call_result.GetBaseReport(status="EmptyResultSet")

        async def send_pages() -> None:
            for seq_no, page in enumerate(pages):
                await self._request(
                    call.NotifyReport(
                        request_id=request_id,
                        generated_at=ocpp_time(self.station.clock.now()),
                        seq_no=seq_no,
                        tbc=seq_no < len(pages) - 1,
                        report_data=page,
                    )
                )

        self.after_reply(send_pages)
        return call_result.GetBaseReport(status="Accepted")

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, evse: dict | None = None, **_):
        model = self.station.model
        evse_id = evse["id"] if evse else None
        if evse_id is not None and evse_id not in model.connectors:
            return call_result.TriggerMessage(status="Rejected")
        if requested_message == "BootNotification" and self.station.registration == "Accepted":
            return call_result.TriggerMessage(status="Rejected")  # F06.FR.17
        ids = [evse_id] if evse_id else list(model.connectors)
        senders = {
            "BootNotification": lambda: self.boot("Triggered"),
            "Heartbeat": self.heartbeat,
            "StatusNotification": lambda: self._for_each(ids, self.send_status),
            "MeterValues": lambda: self._for_each(ids, self._meter_values),
            "TransactionEvent": lambda: self._for_each(ids, self._tx_trigger),
            "FirmwareStatusNotification": lambda: self.firmware_status("Idle"),
            "LogStatusNotification": lambda: self.diagnostics_status("Idle"),
        }
        if requested_message not in senders:
            return call_result.TriggerMessage(status="NotImplemented")
        self.defer(senders[requested_message])
        return call_result.TriggerMessage(status="Accepted")

    async def _for_each(self, ids: list[int], fn: Any) -> None:
        for evse_id in ids:
            await fn(evse_id)

    async def _meter_values(self, evse_id: int) -> None:
        model = self.station.model
        mv = meter_value(self.station.clock.now(), model.reading(model.connectors[evse_id]), "Trigger")
        await self._request(call.MeterValues(evse_id=evse_id, meter_value=[mv]))

    async def _tx_trigger(self, evse_id: int) -> None:
        c = self.station.model.connectors[evse_id]
        if c.transaction is not None:
            self.station.emit_tx("Updated", c, "Trigger")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict, **_):
        status = self.install_profile(
            parse_profile(charging_profile, evse_id), "SmartChargingCtrlr/ProfileStackLevel"
        )
        return call_result.SetChargingProfile(status=status)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, charging_profile_id=None, charging_profile_criteria=None, **_):
        criteria = charging_profile_criteria or {}
        purpose = criteria.get("charging_profile_purpose")
        status = self.clear_profiles(
            charging_profile_id,
            criteria.get("evse_id"),
            PURPOSES.get(purpose) if purpose else None,
            criteria.get("stack_level"),
        )
        return call_result.ClearChargingProfile(status=status)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, duration: int, evse_id: int, charging_rate_unit=None, **_):
        schedule = commands.composite(self.station, evse_id, duration, charging_rate_unit or "W")
        if schedule is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        return call_result.GetCompositeSchedule(
            status="Accepted",
            schedule={
                "evse_id": evse_id,
                "duration": schedule.duration_s,
                "schedule_start": ocpp_time(schedule.start),
                "charging_rate_unit": schedule.rate_unit,
                "charging_schedule_period": [
                    {"start_period": p.start_s, "limit": p.limit} for p in schedule.periods
                ],
            },
        )

    @on(Action.update_firmware)
    def on_update_firmware(self, request_id: int, firmware: dict, **_):
        station = self.station
        station.firmware_request_id = request_id
        retrieve_at = parse_time(firmware["retrieve_date_time"])
        location = firmware["location"]
        self.after_reply(
            lambda: commands.firmware_update(
                station,
                station.send_firmware_status,
                retrieve_at,
                location,
                rebooting_status="InstallRebooting",
            )
        )
        return call_result.UpdateFirmware(status="Accepted")

    @on(Action.reserve_now)
    def on_reserve_now(self, id: int, expiry_date_time: str, id_token: dict, evse_id: int | None = None, **_):
        expires_at = parse_time(expiry_date_time)
        status = commands.reserve(self.station, evse_id, id, id_token["id_token"], expires_at)
        return call_result.ReserveNow(status=status)

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **_):
        ok = commands.cancel_reservation(self.station, reservation_id)
        return call_result.CancelReservation(status="Accepted" if ok else "Rejected")

    async def reservation_ended(self, reservation_id: int, status: str) -> None:
        await self._request(
            call.ReservationStatusUpdate(reservation_id=reservation_id, reservation_update_status=status)
        )

    @on(Action.get_log)
    def on_get_log(self, log: dict, log_type: str, request_id: int, **_):
        station = self.station
        station.log_request_id = request_id
        name = f"{station.config.station_id}-{log_type}-{station.clock.now():%Y%m%dT%H%M%S}.log"
        final = "Uploaded" if commands.upload_ok(log["remote_location"]) else "UploadFailure"
        self.after_reply(
            lambda: commands.status_sequence(
                station, station.send_diagnostics_status, ["Uploading", final], 1.0
            )
        )
        return call_result.GetLog(status="Accepted", filename=name)
