"""OCPP 1.6J adapter: translates between 1.6 messages and the station (thin handlers)."""

from __future__ import annotations

from datetime import datetime

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from charger_simulator import commands
from charger_simulator.adapter import StationAdapter
from charger_simulator.clock import ocpp_time, parse_time
from charger_simulator.events import ENDED, STARTED, StatusEvent, TxEvent
from charger_simulator.meter import MeterReading, sampled_values
from charger_simulator.profiles import (
    PURPOSE_STATION_MAX,
    PURPOSE_TX,
    PURPOSE_TX_DEFAULT,
    ChargingProfile,
    profile_from_payload,
)
from charger_simulator.v16_keys import default_keys

PURPOSES = {
    "ChargePointMaxProfile": PURPOSE_STATION_MAX,
    "TxDefaultProfile": PURPOSE_TX_DEFAULT,
    "TxProfile": PURPOSE_TX,
}
_LOCATIONS = {"SoC": "EV"}


def parse_profile(d: dict, connector_id: int) -> ChargingProfile:
    """A 1.6 ``csChargingProfiles`` (snake_case keys) as a neutral profile."""
    purpose = PURPOSES[d["charging_profile_purpose"]]
    return profile_from_payload(
        d, d["charging_schedule"], d["charging_profile_id"], purpose, connector_id, parse_time
    )


def meter_value(timestamp: datetime, reading: MeterReading, context: str) -> dict:
    """One 1.6 MeterValue (snake_case; the library camel-cases it)."""
    return {
        "timestamp": ocpp_time(timestamp),
        "sampled_value": [
            {
                "value": str(v["value"]),
                "context": context,
                "measurand": v["measurand"],
                "unit": v["unit"],
                "location": _LOCATIONS.get(v["measurand"], "Outlet"),
            }
            for v in sampled_values(reading)
        ],
    }


class V16Station(StationAdapter, ChargePoint):
    """The station's OCPP 1.6J charge point (one per websocket connection)."""

    SUBPROTOCOL = "ocpp1.6"
    KEYS = {
        "connection_timeout": "ConnectionTimeOut",
        "heartbeat": "HeartbeatInterval",
        "sample_interval": "MeterValueSampleInterval",
        "allow_offline_unknown": "AllowOfflineTxForUnknownId",
        "authorize_remote": "AuthorizeRemoteTxRequests",
    }
    STATION_ASSIGNS_TX_ID = False
    ERROR_SPELLING = {
        "FormatViolation": "FormationViolation",
        "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    }
    KNOWN_ACTIONS = frozenset(a.value for a in Action)
    CALLS = call
    default_settings = staticmethod(default_keys)

    # -- station -> CSMS ------------------------------------------------------------------------
    async def boot(self, reason: str) -> tuple[str, int]:
        cfg = self.station.config
        r = await self._request(
            call.BootNotification(
                charge_point_model=cfg.model,
                charge_point_vendor=cfg.vendor,
                charge_point_serial_number=cfg.serial_number,
                firmware_version=self.station.firmware_version,
                meter_type="DC meter" if cfg.dc else "AC meter",
            )
        )
        return r.status, int(r.interval)

    async def authorize(self, id_tag: str) -> bool:
        r = await self._request(call.Authorize(id_tag=id_tag))
        return r.id_tag_info["status"] == "Accepted"

    async def firmware_status(self, status: str) -> None:
        await self._request(call.FirmwareStatusNotification(status=status))

    async def diagnostics_status(self, status: str) -> None:
        await self._request(call.DiagnosticsStatusNotification(status=status))

    async def send_event(self, event: TxEvent | StatusEvent) -> None:
        if isinstance(event, StatusEvent):
            await self._request(
                call.StatusNotification(
                    connector_id=event.connector_id,
                    error_code=event.error_code,
                    status=event.status,
                    timestamp=ocpp_time(event.timestamp),
                )
            )
        elif event.kind == STARTED:
            await self._send_start(event)
        elif event.kind == ENDED:
            if event.tx.transaction_id is None:
                return  # its StartTransaction was refused: there is nothing to stop
            await self._request(
                call.StopTransaction(
                    meter_stop=round(event.reading.energy_wh),
                    timestamp=ocpp_time(event.timestamp),
                    transaction_id=int(event.tx.transaction_id),
                    reason=event.reason,
                    id_tag=event.tx.id_tag,
                    transaction_data=[meter_value(event.timestamp, event.reading, "Transaction.End")],
                )
            )
        elif event.trigger == "MeterValuePeriodic" and event.tx.transaction_id is not None:
            await self._request(
                call.MeterValues(
                    connector_id=event.connector_id,
                    transaction_id=int(event.tx.transaction_id),
                    meter_value=[meter_value(event.timestamp, event.reading, "Sample.Periodic")],
                )
            )

    async def _send_start(self, event: TxEvent) -> None:
        r = await self._request(
            call.StartTransaction(
                connector_id=event.connector_id,
                id_tag=event.tx.id_tag,
                meter_start=round(event.tx.meter_start_wh),
                timestamp=ocpp_time(event.timestamp),
            )
        )
        event.tx.transaction_id = str(r.transaction_id)
        c = self.station.model.connectors[event.connector_id]
        accepted = r.id_tag_info["status"] == "Accepted"
        if (
            not accepted
            and c.transaction is event.tx
            and self.station.settings.bool_value("StopTransactionOnInvalidId")
        ):
            self.station.end_transaction(c, "DeAuthorized")
        self.station.notify()

    def station_statuses(self) -> list[StatusEvent]:
        """After boot, 1.6 reports connector 0 (the charge point itself) besides each connector."""
        status = "Available" if self.station.model.station_operative else "Unavailable"
        return [StatusEvent(0, status, "NoError", self.station.clock.now())]

    async def send_status(self, connector_id: int) -> None:
        """A triggered StatusNotification for one connector (0: the charge point itself)."""
        model = self.station.model
        if connector_id == 0:
            event = self.station_statuses()[0]
        else:
            c = model.connectors[connector_id]
            event = StatusEvent(connector_id, c.status, c.fault_code or "NoError", self.station.clock.now())
        await self.send_event(event)

    # -- CSMS -> station ------------------------------------------------------------------------
    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, charging_profile=None, **_):
        profile = parse_profile(charging_profile, connector_id or 0) if charging_profile else None
        accepted, after = commands.remote_start(self.station, id_tag, connector_id, None, profile)
        if after:
            self.after_reply(after)
        return call_result.RemoteStartTransaction(status="Accepted" if accepted else "Rejected")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **_):
        accepted, after = commands.remote_stop(self.station, str(transaction_id))
        if after:
            self.after_reply(after)
        return call_result.RemoteStopTransaction(status="Accepted" if accepted else "Rejected")

    @on(Action.reset)
    def on_reset(self, type: str, **_):
        self.after_reply(lambda: self.station.reboot(hard=type == "Hard"))
        return call_result.Reset(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int, **_):
        status, _after = commands.unlock(self.station, connector_id)
        if status == "Unknown":
            return call_result.UnlockConnector(status="NotSupported")
        if status == "Busy":  # 1.6 §5.18: an unlock ends the transaction first
            self.station.end_transaction(self.station.model.connectors[connector_id], "UnlockCommand")
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **_):
        status, after = commands.change_availability(self.station, connector_id, type == "Operative")
        if after:
            self.after_reply(after)
        return call_result.ChangeAvailability(status=status)

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **_):
        settings = self.station.settings
        wanted = key or [s.key for s in settings.all()]
        known = [settings.get(k) for k in wanted if k in settings]
        return call_result.GetConfiguration(
            configuration_key=[
                {"key": s.key, "readonly": s.readonly}
                | (
                    {} if s.key == "AuthorizationKey" else {"value": s.value}
                )  # write-only (security whitepaper)
                for s in known
                if s is not None
            ],
            unknown_key=[k for k in wanted if k not in settings] or None,
        )

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_):
        status = self.station.settings.change(key, value)
        return call_result.ChangeConfiguration(status=status)

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, connector_id: int | None = None, **_):
        model = self.station.model
        if connector_id is not None and connector_id != 0 and connector_id not in model.connectors:
            return call_result.TriggerMessage(status="Rejected")
        senders = {
            "BootNotification": lambda: self.boot("Triggered"),
            "Heartbeat": self.heartbeat,
            "StatusNotification": lambda: self._trigger_statuses(connector_id),
            "MeterValues": lambda: self._trigger_meter(connector_id),
            "FirmwareStatusNotification": lambda: self.firmware_status("Idle"),
            "DiagnosticsStatusNotification": lambda: self.diagnostics_status("Idle"),
        }
        if requested_message not in senders:
            return call_result.TriggerMessage(status="NotImplemented")
        self.defer(senders[requested_message])
        return call_result.TriggerMessage(status="Accepted")

    async def _trigger_statuses(self, connector_id: int | None) -> None:
        ids = [connector_id] if connector_id is not None else [0, *self.station.model.connectors]
        for cid in ids:
            await self.send_status(cid)

    async def _trigger_meter(self, connector_id: int | None) -> None:
        model = self.station.model
        for cid in [connector_id] if connector_id else list(model.connectors):
            c = model.connectors[cid]
            mv = meter_value(self.station.clock.now(), model.reading(c), "Trigger")
            tx = c.transaction
            txid = int(tx.transaction_id) if tx and tx.transaction_id else None
            await self._request(call.MeterValues(connector_id=cid, transaction_id=txid, meter_value=[mv]))

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict, **_):
        status = self.install_profile(
            parse_profile(cs_charging_profiles, connector_id), "ChargeProfileMaxStackLevel"
        )
        return call_result.SetChargingProfile(status=status)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(
        self, id=None, connector_id=None, charging_profile_purpose=None, stack_level=None, **_
    ):
        purpose = PURPOSES.get(charging_profile_purpose) if charging_profile_purpose else None
        status = self.clear_profiles(id, connector_id, purpose, stack_level)
        return call_result.ClearChargingProfile(status=status)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id: int, duration: int, charging_rate_unit=None, **_):
        schedule = commands.composite(self.station, connector_id, duration, charging_rate_unit or "W")
        if schedule is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        return call_result.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=ocpp_time(schedule.start),
            charging_schedule={
                "duration": schedule.duration_s,
                "start_schedule": ocpp_time(schedule.start),
                "charging_rate_unit": schedule.rate_unit,
                "charging_schedule_period": [
                    {"start_period": p.start_s, "limit": p.limit} for p in schedule.periods
                ],
            },
        )

    @on(Action.update_firmware)
    def on_update_firmware(self, location: str, retrieve_date: str, **_):
        station = self.station
        retrieve_at = parse_time(retrieve_date)
        self.after_reply(
            lambda: commands.firmware_update(station, station.send_firmware_status, retrieve_at, location)
        )
        return call_result.UpdateFirmware()

    @on(Action.get_diagnostics)
    def on_get_diagnostics(self, location: str, **_):
        station = self.station
        name = f"{station.config.station_id}-diagnostics-{station.clock.now():%Y%m%dT%H%M%S}.log"
        final = "Uploaded" if commands.upload_ok(location) else "UploadFailed"
        self.after_reply(
            lambda: commands.status_sequence(
                station, station.send_diagnostics_status, ["Uploading", final], 1.0
            )
        )
        return call_result.GetDiagnostics(file_name=name)

    @on(Action.reserve_now)
    def on_reserve_now(self, connector_id: int, expiry_date: str, id_tag: str, reservation_id: int, **_):
        status = commands.reserve(self.station, connector_id, reservation_id, id_tag, parse_time(expiry_date))
        return call_result.ReserveNow(status=status)

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **_):
        ok = commands.cancel_reservation(self.station, reservation_id)
        return call_result.CancelReservation(status="Accepted" if ok else "Rejected")

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **_):
        return call_result.GetLocalListVersion(list_version=self.station.local_list_version)

    @on(Action.send_local_list)
    def on_send_local_list(self, list_version: int, update_type: str, local_authorization_list=None, **_):
        cache = self.station.auth_cache
        if update_type == "Full":
            cache.clear()
        for entry in local_authorization_list or []:
            info = entry.get("id_tag_info")
            cache[entry["id_tag"]] = bool(info) and info.get("status") == "Accepted"
        self.station.local_list_version = list_version
        return call_result.SendLocalList(status="Accepted")
