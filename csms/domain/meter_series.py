"""A session's meter values as time series for a chart: its active power and the energy it took so far."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from csms.domain.metering import ENERGY_REGISTER, Sample

POWER = "Power.Active.Import"
PHASES = ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N")


def power_series(samples: Iterable[Sample]) -> list[tuple[datetime, float]]:
    """Active power import per instant [W], in time order: the total when the station sent one, else the
    sum of its phases.

    >>> a, b = datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 8, 1)
    >>> power_series([Sample(b, POWER, 7000.0, "W", "L1"), Sample(b, POWER, 7100.0, "W", "L2"),
    ...               Sample(a, POWER, 11000.0, "W"), Sample(a, POWER, 3600.0, "W", "L1")])
    [(datetime.datetime(2026, 1, 1, 8, 0), 11000.0), (datetime.datetime(2026, 1, 1, 8, 1), 14100.0)]
    """
    total: dict[datetime, float] = {}
    phases: dict[datetime, float] = {}
    for s in samples:
        if s.measurand != POWER:
            continue
        if s.phase is None:
            total.setdefault(s.timestamp, s.value)
        elif s.phase in PHASES:
            phases[s.timestamp] = phases.get(s.timestamp, 0.0) + s.value
    return sorted({**phases, **total}.items())


def energy_series(
    samples: Iterable[Sample], start: tuple[datetime, float] | None = None
) -> list[tuple[datetime, float]]:
    """Energy taken since the start [Wh] at each register reading, in time order: the register less the
    session's ``start`` reading ``(when, Wh)`` (which opens the series), or less its first reading; never
    below 0.

    >>> a, b = datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 8, 30)
    >>> energy_series([Sample(b, ENERGY_REGISTER, 15500.0, "Wh"), Sample(a, ENERGY_REGISTER, 10000.0, "Wh"),
    ...                Sample(a, ENERGY_REGISTER, 3000.0, "Wh", "L1")])
    [(datetime.datetime(2026, 1, 1, 8, 0), 0.0), (datetime.datetime(2026, 1, 1, 8, 30), 5500.0)]
    >>> energy_series([Sample(b, ENERGY_REGISTER, 15500.0, "Wh")], start=(a, 9000.0))
    [(datetime.datetime(2026, 1, 1, 8, 0), 0.0), (datetime.datetime(2026, 1, 1, 8, 30), 6500.0)]
    """
    readings = sorted(
        (s.timestamp, s.value) for s in samples if s.measurand == ENERGY_REGISTER and s.phase is None
    )
    if start is not None and not any(t == start[0] for t, _ in readings):
        readings.insert(0, start)
    if not readings:
        return []
    base = readings[0][1] if start is None else start[1]
    return [(t, max(0.0, v - base)) for t, v in readings if start is None or t >= start[0]]
