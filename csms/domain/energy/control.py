"""Closed-loop import control of a site: plan against the metered import, not only against the model.

The allocation (:func:`csms.domain.energy.allocate`) is a model: it assumes the chargers draw what they are
told, at the site's nominal voltage, that PV and the base load stay as last measured. Real sites break each
assumption a little (stations at 230 V where 220 V was planned, a cloud between two samples, a station that
takes a second to follow). The site meter (``grid_import_w``) says by how much, and this module feeds it back:

* **Safety margin.** The site aims at ``limit x (1 - margin_pct/100) - margin_w``, never at the limit.
* **Integral feedback.** ``correction_w`` is subtracted from the import the allocation may plan. A metered
  import above the aim adds its whole excess at once (the fast path: one sample over is corrected by the next
  cycle); one below gives the difference back at ``dt / window_s`` per sample, so a constant error held for
  ``window_s`` is returned in full. Asymmetric on purpose: going over costs the grid, staying under costs a
  little charging. The correction stays within ``[0, limit]`` (no wind-up while the chargers want less).
* **Settling.** Samples taken within ``settle_s`` of a change of the limit (a demand-response start or end)
  are not integrated: the stations are still following the new limit and the error says nothing of the model.
* **Variability.** PV is planned at its minimum and the base load at its maximum over ``pv_window_s``, and PV
  further reduced by its largest one-sample drop in that window (the next cloud edge is likely as steep as the
  last one), and by at least ``pv_reserve_pct`` of its present output (the first edge after a clear spell).

:class:`ImportController` holds one site's state; time comes only with the samples (no clock is read).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.domain.demand_response import DemandResponseEvent, active_limit
from csms.domain.energy.site import TelemetrySample

__all__ = ["ControlPolicy", "ImportController", "aim_w", "planning_inputs_w"]


@dataclass(frozen=True)
class ControlPolicy:
    """Settings of the closed loop (see the module docstring); powers [W], times [s]."""

    margin_pct: float = 3.0
    margin_w: float = 1_000.0
    window_s: float = 10.0
    settle_s: float = 2.0
    pv_window_s: float = 30.0
    pv_reserve_pct: float = 10.0
    max_step_s: float = 5.0
    """A gap between samples counts at most this long (a pause in telemetry is not a long error)."""


def aim_w(limit_w: float, policy: ControlPolicy) -> float:
    """The import the site aims at under ``limit_w`` [W]: the limit less the safety margin, never below 0.

    >>> aim_w(100_000, ControlPolicy(margin_pct=3, margin_w=1_000))
    96000.0
    """
    return max(0.0, limit_w * (1 - policy.margin_pct / 100) - policy.margin_w)


def planning_inputs_w(
    samples: Sequence[TelemetrySample], now: datetime, policy: ControlPolicy
) -> tuple[float, float] | None:
    """``(pv_w, base_load_w)`` to plan with: PV at its recent minimum less its steepest recent one-sample
    drop (at least ``pv_reserve_pct`` of the latest PV), the base load at its recent maximum, over
    ``[now - pv_window_s, now]`` (``samples`` in time order; the latest one always counts). ``None`` without
    samples.

    >>> from datetime import UTC, datetime, timedelta
    >>> t0 = datetime(2026, 6, 21, 4, tzinfo=UTC)
    >>> pv = [50e3, 40e3, 45e3]
    >>> s = [TelemetrySample(t0 + timedelta(seconds=i), w, 20_000 + i) for i, w in enumerate(pv)]
    >>> planning_inputs_w(s, t0 + timedelta(seconds=2), ControlPolicy(pv_reserve_pct=10))
    (30000.0, 20002)
    >>> planning_inputs_w(s[:1], t0, ControlPolicy(pv_reserve_pct=10))
    (45000.0, 20000)
    """
    if not samples:
        return None
    since = now - timedelta(seconds=policy.pv_window_s)
    recent = [s for s in samples if s.timestamp >= since] or [samples[-1]]
    pv = min(s.pv_power_w for s in recent)
    drop = max((a.pv_power_w - b.pv_power_w for a, b in zip(recent, recent[1:], strict=False)), default=0.0)
    base = max(s.base_load_w for s in recent)
    reserve = max(drop, policy.pv_reserve_pct / 100 * samples[-1].pv_power_w)
    return max(0.0, pv - reserve), base


@dataclass
class ImportController:
    """The feedback state of one site (mutable; the energy manager keeps one per site).

    ``observe`` takes each metered sample once, in time order, with the import limit in force when it was
    taken [W] and when that limit last changed; ``correction_w`` is what the next allocation subtracts from
    the import it may plan.
    """

    policy: ControlPolicy
    correction_w: float = 0.0
    last_t: datetime | None = None

    def observe(self, sample: TelemetrySample, limit_w: float, limit_since: datetime | None = None) -> float:
        """Integrate one sample; returns its excess over the aim [W] (> 0: the fast path corrected it)."""
        if sample.grid_import_w is None or not math.isfinite(sample.grid_import_w):
            return 0.0
        if self.last_t is not None and sample.timestamp <= self.last_t:
            return 0.0  # already seen (or older): each sample counts once
        dt = self.policy.max_step_s
        if self.last_t is not None:
            dt = min(dt, (sample.timestamp - self.last_t).total_seconds())
        self.last_t = sample.timestamp
        settling = limit_since is not None and sample.timestamp < limit_since + timedelta(
            seconds=self.policy.settle_s
        )
        error = sample.grid_import_w - aim_w(limit_w, self.policy)
        if settling:
            return max(0.0, error)
        if error > 0:
            self.correction_w += error
        else:
            self.correction_w += error * min(1.0, dt / self.policy.window_s)
        self.correction_w = min(max(0.0, self.correction_w), limit_w)
        return max(0.0, error)

    def feed(
        self,
        site_id: str,
        samples: Sequence[TelemetrySample],
        connection_limit_w: float,
        events: Iterable[DemandResponseEvent] = (),
    ) -> float:
        """Observe the samples not seen yet, each against the limit in force when it was taken (the
        connection's, or a stricter demand-response limit) [W]; returns the largest excess over the aim
        [W]."""
        events = [ev for ev in events if site_id in ev.site_ids and not ev.cancelled]
        worst = 0.0
        for s in samples:
            if self.last_t is not None and s.timestamp <= self.last_t:
                continue
            limit_w = connection_limit_w
            dr = active_limit(site_id, events, s.timestamp)
            if dr is not None:
                limit_w = min(limit_w, dr.limit_kw * 1000)
            since = max((t for ev in events for t in (ev.start, ev.end) if t <= s.timestamp), default=None)
            worst = max(worst, self.observe(s, limit_w, since))
        return worst
