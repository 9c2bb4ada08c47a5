"""A simulated charging station: the I/O around the sans-I/O :class:`StationModel`.

One supervisor task owns the connection (connect, boot, heartbeats, ordered sending, reconnect
with back-off); one ticker integrates energy and emits meter values; everything the station
reports goes through one ordered outbox so transaction messages queued offline keep their order.
Version differences live in the adapter class (``v16.py``/``v201.py``).

Drive it from a test::

    station = Station(StationConfig("CP-1", url=...), clock=ScaledClock(100))
    await station.run_until_booted()
    await station.plug_in(1)
    await station.present_token("TAG-1", 1)
    await station.wait_for(lambda: station.model.connectors[1].energy_wh >= 1000)
    await station.stop()
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from ocpp.exceptions import OCPPError
from websockets.exceptions import ConnectionClosed

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.events import ENDED, STARTED, UPDATED, StatusEvent, TxEvent
from charger_simulator.link import LinkMixin
from charger_simulator.state import Connector, StationModel

LOGGER = logging.getLogger("charger_simulator")


class Station(LinkMixin):
    """One simulated station; see the module docstring for the life cycle."""

    def __init__(
        self,
        config: StationConfig,
        clock: ScaledClock | None = None,
        rng: random.Random | None = None,
        id_factory: Callable[[], str] | None = None,
        tick_s: float = 1.0,
        csms_time_factor: float | None = None,
    ) -> None:
        from charger_simulator.protocols import adapter_for

        self.config = config
        # Set when the CSMS runs on the real clock and this station on a faster simulated one: the times of
        # the profiles it receives are mapped onto the station's clock (profiles.on_station_clock).
        self.csms_time_factor = csms_time_factor
        self.clock = clock or ScaledClock()
        self.rng = rng or random.Random(config.station_id)
        self.new_id = id_factory or (lambda: str(uuid.uuid4()))
        self.tick_s = tick_s
        self.adapter_cls = adapter_for(config.protocol)
        self.settings = self.adapter_cls.default_settings(config)
        self.model = StationModel(config)
        self.cp: Any = None
        self.booted = asyncio.Event()
        self.registration: str | None = None
        self.boot_reason = "PowerUp"
        self.firmware_version = config.firmware_version
        self.firmware_installed_pending = False
        self.auth_cache: dict[str, bool] = {}
        self.local_list_version = 0
        self.firmware_request_id: int | None = None
        self.log_request_id: int | None = None
        self.connections = 0
        self.connect_failures = 0
        self.outbox: deque[TxEvent | StatusEvent] = deque()
        self.delivered: list[TxEvent | StatusEvent] = []
        self._outbox_event = asyncio.Event()
        self._sending = asyncio.Lock()
        self._change = asyncio.Event()
        self._reported: dict[int, tuple[str, str]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._session_tasks: set[asyncio.Task] = set()
        self._running = False
        self._offline_until = None
        self._reconnect_now = False
        self._ws: Any = None
        #: Observers for load measurement: every raw frame, and round-trip times [s] of our calls.
        self.on_frame: Callable[[str, str], None] | None = None
        self.rtt_s: list[float] = []

    # -- life cycle -----------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.booted.is_set() and self.cp is not None

    def spawn(self, coro: Coroutine[Any, Any, Any], session: bool = False) -> asyncio.Task:
        """Start a referenced background task whose failure is logged, never lost."""
        task = asyncio.get_running_loop().create_task(coro)
        group = self._session_tasks if session else self._tasks
        group.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._session_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            if not isinstance(exc, ConnectionClosed):
                LOGGER.error("%s: task failed", self.config.station_id, exc_info=exc)

    async def start(self) -> None:
        """Start connecting and ticking (idempotent)."""
        if self._running:
            return
        self._running = True
        self.model.advance(self.clock.now())
        self.spawn(self._supervise())
        self.spawn(self._tick_loop())

    async def run_until_booted(self, timeout_s: float = 10.0) -> None:
        """Start and wait (real seconds) until the CSMS accepted the BootNotification."""
        await self.start()
        await asyncio.wait_for(self.booted.wait(), timeout_s)

    async def stop(self) -> None:
        """Stop all tasks and drop the connection (no close handshake: the peer may already be gone)."""
        self._running = False
        if self._ws is not None:
            self._ws.transport.abort()
        tasks = list(self._tasks) + list(self._session_tasks)
        self._outbox_event.set()
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                LOGGER.error("%s: task %s did not stop", self.config.station_id, task.get_coro())

    def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_for`."""
        self._change.set()
        self._change = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
        """Wait (real seconds) until ``predicate()`` holds; re-checked on every state change."""

        async def _wait() -> None:
            while not predicate():
                await self._change.wait()

        await asyncio.wait_for(_wait(), timeout_s)

    async def _tick_loop(self) -> None:
        while True:
            await self.clock.sleep(self.tick_s)
            self.tick()

    def tick(self) -> None:
        """Integrate energy to now, emit due meter values, report status changes."""
        now = self.clock.now()
        self.model.advance(now)
        interval_s = self.settings.int_value(self.adapter_cls.KEYS["sample_interval"])
        for c in self.model.connectors.values():
            if c.reservation is not None and now >= c.reservation.expires_at:
                expired, c.reservation = c.reservation, None
                if self.online:
                    self.spawn(self.cp.reservation_ended(expired.reservation_id, "Expired"), session=True)
            tx = c.transaction
            if tx is not None and interval_s > 0 and tx.last_sample_at is not None:
                if (now - tx.last_sample_at).total_seconds() >= interval_s:
                    tx.last_sample_at = now
                    self.emit_tx(UPDATED, c, "MeterValuePeriodic")
        self.sync_status()
        self.notify()

    # -- reporting ------------------------------------------------------------------------------
    def emit(self, event: TxEvent | StatusEvent) -> None:
        self.outbox.append(event)
        self._outbox_event.set()

    def emit_tx(self, kind: str, c: Connector, trigger: str, reason: str | None = None) -> TxEvent:
        """Snapshot the connector now and queue a transaction message."""
        tx = c.transaction
        assert tx is not None
        event = TxEvent(
            kind=kind,
            connector_id=c.connector_id,
            tx=tx,
            timestamp=self.clock.now(),
            reading=self.model.reading(c),
            trigger=trigger,
            reason=reason,
            seq_no=tx.next_seq_no(),
            offline=not self.online,
            charging_state=c.status,
            fault_code=c.fault_code,
        )
        tx.reported_state = c.status
        self.emit(event)
        return event

    def sync_status(self) -> None:
        """Queue a StatusNotification for every connector whose status changed (when online).

        Offline, nothing is queued: after the next boot every connector's *current* status is sent
        (see ``LinkMixin._boot``), as real chargers do (OCPP 2.0.1 B04: after an offline period the
        station reports the connectors' status, not each change it missed). So a fault still present
        at reconnect is reported as Faulted with its error code, while a fault that came and cleared
        offline is not reported as a status; a real charger keeps it in its diagnostics/event log.
        """
        now = self.clock.now()
        for cid, c in self.model.connectors.items():
            current = (c.status, c.fault_code or "NoError")
            if c.transaction is not None and c.transaction.reported_state != current[0]:
                self.emit_tx(UPDATED, c, "ChargingStateChanged")
            if self._reported.get(cid) != current and self.online:
                self._reported[cid] = current
                self.emit(StatusEvent(cid, current[0], current[1], now))

    # -- what happens at the station ------------------------------------------------------------
    async def plug_in(self, connector_id: int = 1, soc_pct: float | None = None) -> None:
        """An EV is plugged in; a transaction starts if a token was already accepted."""
        self.model.advance(self.clock.now())
        c = self.model.plug_in(connector_id, soc_pct)
        if c.authorized_tag and self.model.can_start(c, c.authorized_tag):
            self.begin_transaction(c, c.authorized_tag, "CablePluggedIn")
        self.sync_status()
        self.notify()

    async def unplug(self, connector_id: int = 1) -> None:
        """The EV leaves; a running transaction ends with reason EVDisconnected."""
        c = self.model.connector(connector_id)
        if c.transaction is not None:
            self.end_transaction(c, "EVDisconnected")
        self.model.unplug(connector_id)
        self.sync_status()
        self.notify()

    async def present_token(self, id_tag: str, connector_id: int = 1) -> bool:
        """Swipe a token: stops this token's transaction, or authorizes and (if plugged) starts one."""
        c = self.model.connector(connector_id)
        if c.transaction is not None:
            if c.transaction.id_tag != id_tag:
                return False
            self.end_transaction(c, "Local")
            self.notify()
            return True
        accepted = await self.authorize(id_tag)
        if accepted and self.model.can_start(c, id_tag):
            c.authorized_tag = id_tag
            if c.plugged:
                self.begin_transaction(c, id_tag, "Authorized")
        self.sync_status()
        self.notify()
        return accepted

    async def authorize(self, id_tag: str) -> bool:
        """Ask the CSMS; offline, accept per the offline-authorization settings (cache first)."""
        if self.online:
            try:
                accepted = await self.cp.authorize(id_tag)
                self.auth_cache[id_tag] = accepted
                return accepted
            except (OCPPError, TimeoutError, ConnectionClosed):
                pass
        if id_tag in self.auth_cache:
            return self.auth_cache[id_tag]
        return self.settings.bool_value(self.adapter_cls.KEYS["allow_offline_unknown"])

    def begin_transaction(self, c: Connector, id_tag: str, trigger: str, remote_start_id: int | None = None):
        now = self.clock.now()
        self.model.advance(now)
        tx = self.model.start_transaction(c, id_tag, self.new_id(), now)
        tx.remote_start_id = remote_start_id
        if self.adapter_cls.STATION_ASSIGNS_TX_ID:
            tx.transaction_id = tx.local_id
        self.model.replan(now)
        self.emit_tx(STARTED, c, trigger)
        self.sync_status()
        return tx

    def end_transaction(self, c: Connector, reason: str) -> TxEvent:
        """End the connector's transaction now with a 1.6-vocabulary ``reason``."""
        now = self.clock.now()
        self.model.advance(now)
        event = self.emit_tx(ENDED, c, reason, reason=reason)
        self.model.end_transaction(c, now)
        self.sync_status()
        return event

    async def stop_charging(self, connector_id: int = 1, reason: str = "Local") -> None:
        c = self.model.connector(connector_id)
        if c.transaction is not None:
            self.end_transaction(c, reason)
        self.notify()

    async def fault(self, connector_id: int, error_code: str = "GroundFailure") -> None:
        """A hardware fault: the connector is Faulted and its transaction ends (reason Other)."""
        c = self.model.connector(connector_id)
        self.model.advance(self.clock.now())
        c.fault_code = error_code
        if c.transaction is not None:
            self.end_transaction(c, "Other")
        self.model.replan(self.clock.now())
        self.sync_status()
        self.notify()

    async def clear_fault(self, connector_id: int) -> None:
        self.model.connector(connector_id).fault_code = None
        self.sync_status()
        self.notify()

    async def go_offline(self, duration_s: float) -> None:
        """Lose the network for ``duration_s`` simulated seconds (the station keeps charging)."""
        self._offline_until = self.clock.now() + timedelta(seconds=duration_s)
        await self._close_between_calls()
        await self.wait_for(lambda: not self.online, timeout_s=5)

    async def reboot(self, hard: bool = False, boot_reason: str = "RemoteReset") -> None:
        """Reset: end transactions, deliver what can be delivered, reconnect and boot again."""
        reason = "HardReset" if hard else "SoftReset"
        for c in self.model.connectors.values():
            if c.transaction is not None:
                self.end_transaction(c, reason)
        if self.online and not hard:
            try:
                await self.wait_for(lambda: not any(isinstance(e, TxEvent) for e in self.outbox), timeout_s=5)
            except TimeoutError:
                LOGGER.warning("%s: soft reset with undelivered messages", self.config.station_id)
        self.boot_reason = boot_reason
        self._reconnect_now = True
        self.notify()
        await self._close_between_calls()

    def profiles_changed(self) -> None:
        """Re-plan power right away so the delivered power follows a new limit at once."""
        self.model.replan(self.clock.now())
        self.sync_status()
        self.notify()

    async def send_firmware_status(self, status: str) -> None:
        """FirmwareStatusNotification through the current connection (dropped while offline)."""
        if self.online:
            await self.cp.firmware_status(status)

    async def send_diagnostics_status(self, status: str) -> None:
        """DiagnosticsStatusNotification (1.6) / LogStatusNotification (2.0.1) when online."""
        if self.online:
            await self.cp.diagnostics_status(status)

    async def run_scenario(self, scenario):
        """Run a :class:`~charger_simulator.scenario.Scenario` (or a built-in name / file path)."""
        from charger_simulator.scenario import Scenario, load_scenario, run_scenario

        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        return await run_scenario(self, scenario)

    def sent(self, action: str | None = None) -> list[TxEvent | StatusEvent]:
        """Delivered events (optionally only of one type name), for tests and reports."""
        return [e for e in self.delivered if action is None or type(e).__name__ == action]
