"""What CSMS commands do to a station, once, for both protocol versions.

The adapters translate a request into one of these calls and the result into the version's
response. Each command returns its decision synchronously (the CALLRESULT) and a coroutine
to run after the reply is sent (the state change and follow-up messages), because a station
must answer before it acts (e.g. OCPP 1.6 §5.14 Reset: respond, then reboot).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from charger_simulator.profiles import (
    PURPOSE_STATION_MAX,
    PURPOSE_TX,
    ChargingProfile,
    CompositeSchedule,
    LimitContext,
    composite_schedule,
    on_station_clock,
)

if TYPE_CHECKING:
    from charger_simulator.station import Station

After = Callable[[], Coroutine[Any, Any, None]] | None


def remote_start(
    station: Station,
    id_tag: str,
    connector_id: int | None,
    remote_start_id: int | None = None,
    profile: ChargingProfile | None = None,
) -> tuple[bool, After]:
    """RemoteStartTransaction / RequestStartTransaction: accept if a connector can start.

    With no connector given, the first connector able to start is used. The token is authorized
    with the CSMS first only when the AuthorizeRemoteTxRequests/AuthorizeRemoteStart setting is true.
    """
    model = station.model
    candidates = [connector_id] if connector_id else list(model.connectors)
    chosen = next(
        (
            cid
            for cid in candidates
            if cid in model.connectors and model.can_start(model.connectors[cid], id_tag)
        ),
        None,
    )
    if chosen is None:
        return False, None
    c = model.connectors[chosen]
    if profile is not None and profile.purpose != PURPOSE_TX:
        return False, None

    async def apply() -> None:
        if station.settings.bool_value(station.adapter_cls.KEYS["authorize_remote"]):
            if not await station.authorize(id_tag):
                return
        if profile is not None:
            station.model.profiles.install(_on_connector(profile, chosen))
        c.authorized_tag = id_tag
        if c.plugged and station.model.can_start(c, id_tag):
            station.begin_transaction(c, id_tag, "RemoteStart", remote_start_id)
        else:
            station.spawn(_expire_authorization(station, c, id_tag))
        station.sync_status()
        station.notify()

    return True, apply


async def _expire_authorization(station: Station, c, id_tag: str) -> None:
    """No EV within ConnectionTimeOut (1.6) / EVConnectionTimeOut (2.0.1): the remote start lapses."""
    await station.clock.sleep(station.settings.int_value(station.adapter_cls.KEYS["connection_timeout"]))
    if c.transaction is None and c.authorized_tag == id_tag:
        c.authorized_tag = None
        station.notify()


def _on_connector(profile: ChargingProfile, connector_id: int) -> ChargingProfile:
    from dataclasses import replace

    return replace(profile, connector_id=connector_id)


def remote_stop(station: Station, transaction_id: str) -> tuple[bool, After]:
    """RemoteStopTransaction / RequestStopTransaction: stop it if it runs here."""
    c = station.model.find_transaction(transaction_id)
    if c is None:
        return False, None

    async def apply() -> None:
        if c.transaction is not None:
            station.end_transaction(c, "Remote")
            station.notify()

    return True, apply


def change_availability(station: Station, connector_id: int, operative: bool) -> tuple[str, After]:
    """ChangeAvailability: Accepted, or Scheduled while a transaction runs on an affected connector."""
    model = station.model
    if connector_id != 0 and connector_id not in model.connectors:
        return "Rejected", None
    targets = list(model.connectors.values()) if connector_id == 0 else [model.connectors[connector_id]]
    busy = [c for c in targets if c.transaction is not None]

    async def apply() -> None:
        for c in targets:
            if c.transaction is not None and not operative:
                c.pending_inoperative = True
            else:
                c.operative = operative
                c.pending_inoperative = False
        if connector_id == 0:
            model.station_operative = operative
        station.sync_status()
        station.notify()

    return ("Scheduled" if busy and not operative else "Accepted"), apply


def reserve(
    station: Station, connector_id: int | None, reservation_id: int, id_tag: str, expires_at: datetime
) -> str:
    """ReserveNow: Accepted, or why not (Faulted, Occupied, Unavailable, Rejected).

    Connector 0 / no EVSE means "any": the first idle connector is held. A reservation with the
    id of an existing one replaces it (1.6 §5.13).
    """
    from charger_simulator.state import Reservation

    model = station.model
    for c in model.connectors.values():
        if c.reservation is not None and c.reservation.reservation_id == reservation_id:
            c.reservation = None
    if connector_id:
        if connector_id not in model.connectors:
            return "Rejected"
        candidates = [model.connectors[connector_id]]
    else:
        candidates = [c for c in model.connectors.values() if c.status == "Available"] or list(
            model.connectors.values()
        )
    c = candidates[0]
    if c.fault_code:
        return "Faulted"
    if not c.operative or not model.station_operative:
        return "Unavailable"
    if c.transaction is not None or c.plugged or c.reservation is not None:
        return "Occupied"
    c.reservation = Reservation(reservation_id, id_tag, expires_at)
    station.sync_status()
    station.notify()
    return "Accepted"


def cancel_reservation(station: Station, reservation_id: int) -> bool:
    """CancelReservation: True if the reservation existed (and is now gone)."""
    for c in station.model.connectors.values():
        if c.reservation is not None and c.reservation.reservation_id == reservation_id:
            c.reservation = None
            station.sync_status()
            station.notify()
            return True
    return False


def unlock(station: Station, connector_id: int) -> tuple[str, After]:
    """UnlockConnector: 'Unlocked', 'Busy' (a transaction runs) or 'Unknown' (no such connector)."""
    c = station.model.connectors.get(connector_id)
    if c is None:
        return "Unknown", None
    if c.transaction is not None:
        return "Busy", None
    return "Unlocked", None


def set_profile(station: Station, profile: ChargingProfile, max_stack_level: int) -> bool:
    """Validate and install a profile (1.6 §5.16, 2.0.1 K01); the power follows at once."""
    model = station.model
    if profile.stack_level > max_stack_level or profile.rate_unit not in ("W", "A"):
        return False
    if station.csms_time_factor:
        profile = on_station_clock(profile, station.clock.now(), station.csms_time_factor)
    if profile.purpose == PURPOSE_STATION_MAX and profile.connector_id != 0:
        return False
    if profile.connector_id != 0 and profile.connector_id not in model.connectors:
        return False
    if profile.purpose == PURPOSE_TX:
        c = model.connectors.get(profile.connector_id)
        tx = c.transaction if c else None
        if tx is None or (profile.transaction_id is not None and profile.transaction_id != tx.transaction_id):
            return False
    model.advance(station.clock.now())
    model.profiles.install(profile)
    station.profiles_changed()
    return True


async def status_sequence(
    station: Station, send: Callable[[str], Awaitable[None]], statuses: list[str], step_s: float
) -> None:
    """Send ``statuses`` one by one, ``step_s`` simulated seconds apart (firmware, diagnostics, logs)."""
    for status in statuses:
        await station.clock.sleep(step_s)
        await send(status)


async def firmware_update(
    station: Station,
    send: Callable[[str], Awaitable[None]],
    retrieve_at: datetime,
    location: str,
    step_s: float = 2.0,
    rebooting_status: str | None = None,
) -> None:
    """Wait for the retrieve date, then Downloading → Downloaded → Installing, reboot, Installed."""
    wait_s = (retrieve_at - station.clock.now()).total_seconds()
    if wait_s > 0:
        await station.clock.sleep(wait_s)
    statuses = ["Downloading", "Downloaded", "Installing"] + ([rebooting_status] if rebooting_status else [])
    await status_sequence(station, send, statuses, step_s)
    station.firmware_version = location.rstrip("/").rsplit("/", 1)[-1] or station.firmware_version
    station.firmware_installed_pending = True
    await station.reboot(hard=False, boot_reason="FirmwareUpdate")


def data_transfer(
    station: Station, vendor_id: str, message_id: str | None, data: str | None
) -> tuple[str, str | None]:
    """DataTransfer: the station's own vendor id answers 'Echo' (data back) and 'Time'; others are unknown."""
    if vendor_id != station.config.vendor:
        return "UnknownVendorId", None
    if message_id == "Echo":
        return "Accepted", data
    if message_id == "Time":
        return "Accepted", station.clock.now().isoformat()
    return "UnknownMessageId", None


def composite(
    station: Station, connector_id: int, duration_s: int, rate_unit: str
) -> CompositeSchedule | None:
    """The composite schedule of a connector (0: the whole station), or None for an unknown connector."""
    model = station.model
    if connector_id != 0 and connector_id not in model.connectors:
        return None
    now = station.clock.now().replace(microsecond=0)
    if connector_id == 0:
        ctx = model.limit_context(model.connectors[1])
        ctx = LimitContext(0, voltage_v=ctx.voltage_v, phases=ctx.phases)
        hardware_w = model.config.max_power_w * len(model.connectors)
    else:
        ctx = model.limit_context(model.connectors[connector_id])
        hardware_w = model.config.max_power_w
    return composite_schedule(model.profiles, now, duration_s, ctx, hardware_w, rate_unit)


def upload_ok(location: str) -> bool:
    """Whether the simulated upload to ``location`` succeeds (ftp/ftps/http/https URLs)."""
    return location.split(":", 1)[0].lower() in ("ftp", "ftps", "http", "https")
