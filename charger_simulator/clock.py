"""Clocks the station reads and sleeps on, so tests and site runs can compress time."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta


class ScaledClock:
    """Wall clock running ``factor`` times faster than real time from its creation.

    ``now()`` is timezone-aware UTC; ``sleep(s)`` waits ``s / factor`` real seconds. A factor of 1 is
    the real clock; tests use 100-1000 so a 60 s meter interval takes well under a second.
    """

    def __init__(self, factor: float = 1.0, start: datetime | None = None) -> None:
        if factor <= 0:
            raise ValueError(f"factor: must be positive, got {factor}")
        self.factor = factor
        self._start = start or datetime.now(UTC)
        self._mono0 = time.monotonic()

    def now(self) -> datetime:
        """Simulated current time (UTC)."""
        return self._start + timedelta(seconds=(time.monotonic() - self._mono0) * self.factor)

    def elapsed_s(self) -> float:
        """Simulated seconds since the clock started."""
        return (time.monotonic() - self._mono0) * self.factor

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of simulated time."""
        await asyncio.sleep(max(0.0, seconds) / self.factor)

    def to_real_s(self, seconds: float) -> float:
        """Real seconds that ``seconds`` of simulated time take."""
        return seconds / self.factor


def ocpp_time(t: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a Z, as OCPP expects."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """Parse an OCPP timestamp strictly; a naive time is rejected."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return t.astimezone(UTC)
