"""The station's link to the CSMS: connect, boot, heartbeat, ordered sending, reconnect.

A mixin of :class:`~charger_simulator.station.Station`, kept apart so the station module holds what
happens at the charger and this one what happens on the wire.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from ocpp.exceptions import OCPPError
from websockets.exceptions import InvalidHandshake

from charger_simulator.connection import backoff_delay_s, open_connection, tls_context
from charger_simulator.events import TxEvent

LOGGER = logging.getLogger("charger_simulator")


class LinkMixin:
    """Connection supervision for :class:`Station` (uses its config, clock, outbox and events)."""

    async def _supervise(self) -> None:
        attempt = 0
        while self._running:
            if self._offline_until is not None:
                wait_s = (self._offline_until - self.clock.now()).total_seconds()
                if wait_s > 0:
                    await self.clock.sleep(wait_s)
                self._offline_until = None
            try:
                ws = await open_connection(
                    self.config.endpoint,
                    self.adapter_cls.SUBPROTOCOL,
                    self.config.station_id,
                    self.config.password,
                    tls=tls_context(
                        self.config.endpoint, self.config.ca_file, self.config.cert_file, self.config.key_file
                    ),
                )
            except (OSError, InvalidHandshake, TimeoutError, ConnectionError) as e:
                self.connect_failures += 1
                delay_s = backoff_delay_s(
                    attempt, self.config.backoff_base_s, self.config.backoff_max_s, self.rng
                )
                LOGGER.info("%s: connect failed (%s); retry in %.1f s", self.config.station_id, e, delay_s)
                attempt += 1
                await self.clock.sleep(delay_s)
                continue
            attempt = 0
            self.connections += 1
            await self._run_session(ws)
            if not self._reconnect_now and self._running and self._offline_until is None:
                # Lost, not closed on purpose: wait a jittered moment before the first retry.
                await self.clock.sleep(
                    backoff_delay_s(0, self.config.backoff_base_s, self.config.backoff_max_s, self.rng)
                )
            self._reconnect_now = False

    async def _run_session(self, ws: Any) -> None:
        self._ws = ws
        cp = self.adapter_cls(self, ws)
        self.cp = cp
        self.notify()
        reader = self.spawn(cp.start(), session=True)
        try:
            boot = self.spawn(self._boot(cp), session=True)
            done, _ = await asyncio.wait({reader, boot}, return_when=asyncio.FIRST_COMPLETED)
            if boot in done and boot.exception() is None:
                self.spawn(self._heartbeat_loop(cp), session=True)
                sender = self.spawn(self._sender_loop(cp), session=True)
                await asyncio.wait({reader, sender}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in list(self._session_tasks):
                task.cancel()
            await asyncio.gather(*self._session_tasks, return_exceptions=True)
            self.cp = None
            self._ws = None
            self.booted.clear()
            # Status changes are re-reported after the next boot; only transaction messages wait.
            self.outbox = deque(e for e in self.outbox if isinstance(e, TxEvent))
            await ws.close()
            self.notify()

    async def _boot(self, cp: Any) -> None:
        while True:
            status, interval_s = await cp.boot(self.boot_reason)
            self.registration = status
            self.notify()
            if status == "Accepted":
                if interval_s > 0:
                    self.settings.set(self.adapter_cls.KEYS["heartbeat"], str(interval_s))
                self.boot_reason = "PowerUp"
                self.booted.set()
                # Queue the statuses after every boot in the same step the station becomes online, so
                # nobody sees it online with nothing queued before they are (OCPP reports the current
                # status after a boot or reconnect, not the changes it missed offline).
                self._reported.clear()
                for event in cp.station_statuses():
                    self.emit(event)
                self.sync_status()
                self.notify()
                if self.firmware_installed_pending:
                    self.firmware_installed_pending = False
                    await cp.firmware_status("Installed")
                return
            await self.clock.sleep(interval_s if interval_s > 0 else self.config.boot_retry_s)

    async def _heartbeat_loop(self, cp: Any) -> None:
        task = asyncio.current_task()
        while not (task and task.cancelling()):
            await self.clock.sleep(max(1, self.settings.int_value(self.adapter_cls.KEYS["heartbeat"])))
            await cp.heartbeat()

    async def _sender_loop(self, cp: Any) -> None:
        # Python 3.11's wait_for can swallow a cancellation that races a response (fixed in 3.12),
        # so the loop also checks whether it is being cancelled.
        task = asyncio.current_task()
        while self._running and not (task and task.cancelling()):
            if not self.outbox:
                self._outbox_event.clear()
                await self._outbox_event.wait()
                continue
            event = self.outbox[0]
            async with self._sending:
                try:
                    await cp.send_event(event)
                except (OCPPError, TimeoutError) as e:
                    # A refused or unanswered message is dropped rather than blocking the queue forever.
                    LOGGER.warning(
                        "%s: %s not delivered: %r", self.config.station_id, type(event).__name__, e
                    )
                if self.outbox and self.outbox[0] is event:
                    self.outbox.popleft()
            self.delivered.append(event)
            self.notify()

    async def _close_between_calls(self) -> None:
        """Close the websocket between two exchanges (at most 2 s of waiting).

        A message whose answer was cut off would be sent again after the reconnect (at-least-once),
        so a deliberate disconnect waits for the exchange in flight to finish.
        """
        ws, cp = self._ws, self.cp
        if ws is None:
            return
        if cp is None:
            await ws.close()
            return
        try:
            async with asyncio.timeout(2), self._sending, cp._call_lock:
                await ws.close()
        except TimeoutError:
            await ws.close()
