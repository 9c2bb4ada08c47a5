"""The live presence of stations follows the domain events; the compliance cross-check reads it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from csms.domain.events import (
    EventBus,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.services.presence import Presence

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _stored(values: Mapping[str, datetime | None]):
    async def stored(ids: Sequence[str]) -> Mapping[str, datetime | None]:
        return {sid: values.get(sid) for sid in ids}

    return stored


async def test_a_connected_station_is_heard_now_and_a_disconnected_one_when_it_left() -> None:
    bus, now = EventBus(), [T0]
    presence = Presence(bus, lambda: now[0])
    bus.publish(StationConnected(T0, "A", "2.0.1"))
    bus.publish(StationConnected(T0, "B", "1.6"))
    bus.publish(StationDisconnected(T0 + timedelta(minutes=5), "B"))
    now[0] = T0 + timedelta(days=3)
    stored = _stored({"A": T0 - timedelta(days=30), "B": T0 - timedelta(days=30), "C": T0})
    seen = await presence.last_seen(["A", "B", "C", "D"], stored)
    assert seen == {"A": now[0], "B": T0 + timedelta(minutes=5), "C": T0, "D": None}
    assert presence.is_connected("A") and not presence.is_connected("B")


async def test_heard_times_never_move_backwards() -> None:
    bus = EventBus()
    presence = Presence(bus, lambda: T0)
    bus.publish(StatusChanged(T0 + timedelta(hours=1), "A", 1, 1, "Charging", T0))
    bus.publish(StationBooted(T0, "A", "Accepted"))  # published late, happened earlier
    assert presence.last_seen_live(["A"]) == {"A": T0 + timedelta(hours=1)}
