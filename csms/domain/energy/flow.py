"""A site's power flow over time, for people to read: PV, battery, base load, the EVs and the grid import,
with the demand-response target in force at each instant.

The EVs' power is the balance of the site meter (``grid + pv + battery - base load``): the site meter is read
every few seconds, the sessions' meters every minute or so. Without a site meter there is no balance to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from csms.domain.demand_response import DemandResponseEvent, active_limit
from csms.domain.energy.site import TelemetrySample


@dataclass(frozen=True, slots=True)
class FlowPoint:
    """One instant [W]: battery > 0 discharging; grid import < 0 exporting; ``None``: not measured."""

    at: datetime
    pv_w: float
    battery_w: float
    base_load_w: float
    ev_w: float | None
    grid_import_w: float | None
    dr_target_w: float | None
    """The import limit of the demand-response event in force (the strictest one), if any."""
    soc_pct: float | None = None


def ev_balance_w(s: TelemetrySample) -> float | None:
    """What the EVs drew at ``s`` by the site meter's balance (never below 0), ``None`` without a meter.

    >>> from datetime import UTC
    >>> t = datetime(2026, 12, 3, tzinfo=UTC)
    >>> ev_balance_w(TelemetrySample(t, pv_power_w=8000, base_load_w=5000, battery_power_w=2000,
    ...                              grid_import_w=30000))
    35000.0
    >>> ev_balance_w(TelemetrySample(t, 0, 5000)) is None
    True
    """
    if s.grid_import_w is None:
        return None
    return max(0.0, float(s.grid_import_w + s.pv_power_w + s.battery_power_w - s.base_load_w))


def power_flow(
    samples: Sequence[TelemetrySample], site_id: str, events: Iterable[DemandResponseEvent] = ()
) -> list[FlowPoint]:
    """One point per sample, in time order, with the DR target in force for ``site_id`` then.

    >>> from datetime import UTC, timedelta
    >>> t = datetime(2026, 12, 3, 10, tzinfo=UTC)
    >>> ev = DemandResponseEvent("dr1", frozenset({"s1"}), t + timedelta(minutes=5), t + timedelta(hours=1),
    ...                          target_import_kw=40.0)
    >>> pts = power_flow([TelemetrySample(t + timedelta(minutes=m), 0, 1000, grid_import_w=9000)
    ...                   for m in (0, 10)], "s1", [ev])
    >>> [(p.ev_w, p.dr_target_w) for p in pts]
    [(8000.0, None), (8000.0, 40000.0)]
    """
    live = list(events)
    out = []
    for s in sorted(samples, key=lambda s: s.timestamp):
        limit = active_limit(site_id, live, s.timestamp)
        out.append(
            FlowPoint(
                s.timestamp, s.pv_power_w, s.battery_power_w, s.base_load_w, ev_balance_w(s),
                s.grid_import_w, None if limit is None else limit.limit_kw * 1000, s.battery_soc_pct,
            )
        )  # fmt: skip
    return out
