"""Which stations are heard, live: a subscriber of the station events, for the compliance cross-check.

The stored ``last_seen_at`` of a station moves with its heartbeats and status notifications; a station whose
websocket is open right now is heard *now*, whatever its heartbeat interval. :class:`Presence` follows the
domain events (connected, disconnected, booted, status changed) and answers the compliance package's
``TelemetrySource`` question (``last_seen``) by combining what it saw with what is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from csms.domain.events import (
    EventBus,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.domain.timeutil import Clock

StoredLastSeen = Callable[[Sequence[str]], Awaitable[Mapping[str, datetime | None]]]


class Presence:
    def __init__(self, events: EventBus, clock: Clock) -> None:
        self._clock = clock
        self._online: set[str] = set()
        self._heard: dict[str, datetime] = {}
        events.subscribe(StationConnected, self._connected)
        events.subscribe(StationDisconnected, self._disconnected)
        events.subscribe(StationBooted, lambda e: self._hear(e.station_id, e.at))
        events.subscribe(StatusChanged, lambda e: self._hear(e.station_id, e.at))

    def _hear(self, station_id: str, at: datetime) -> None:
        # never backwards: events of one station may be published out of order
        self._heard[station_id] = max(at, self._heard.get(station_id, at))

    def _connected(self, event: StationConnected) -> None:
        self._online.add(event.station_id)
        self._hear(event.station_id, event.at)

    def _disconnected(self, event: StationDisconnected) -> None:
        self._online.discard(event.station_id)
        self._hear(event.station_id, event.at)

    def is_connected(self, station_id: str) -> bool:
        return station_id in self._online

    def last_seen_live(self, station_ids: Sequence[str]) -> dict[str, datetime | None]:
        """Now for a station connected now; else the last event heard from it here (``None``: none)."""
        now = self._clock()
        return {sid: now if sid in self._online else self._heard.get(sid) for sid in station_ids}

    async def last_seen(
        self, station_ids: Sequence[str], stored: StoredLastSeen
    ) -> dict[str, datetime | None]:
        """The later of what is stored (``stored(station_ids)``) and what this node heard live."""
        found = await stored(station_ids)
        live = self.last_seen_live(station_ids)
        out: dict[str, datetime | None] = {}
        for sid in station_ids:
            times = [t for t in (found.get(sid), live.get(sid)) if t is not None]
            out[sid] = max(times) if times else None
        return out
