"""Site telemetry storage: the clock-skew check on ingest, the rows, and the reads by time window.

Session-level helpers: :class:`~csms.services.sites.SiteService` owns the unit of work and the events, and
the carbon and demand-response services read windows with :func:`telemetry_between`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.sites import SiteTelemetry
from csms.domain.energy import TelemetrySample
from csms.errors import InvalidInput


def check_not_ahead(samples: Sequence[TelemetrySample], received: datetime, max_future: timedelta) -> None:
    """Refuse the batch if a sample is dated more than ``max_future`` after ``received`` (the CSMS clock):
    it would stay the latest sample and plan every cycle until then on it."""
    for i, s in enumerate(samples):
        if s.timestamp > received + max_future:
            raise InvalidInput(
                f"samples[{i}].timestamp: {s.timestamp.isoformat()} is ahead of the CSMS clock "
                f"({received.isoformat()}) by more than {max_future.total_seconds():g} s",
                field="timestamp",
            )


def add_samples(
    session: AsyncSession, site_id: str, samples: Sequence[TelemetrySample], received: datetime
) -> None:
    """Add the samples' rows to ``session`` (powers in W, state of charge in %)."""
    session.add_all(
        SiteTelemetry(
            site_id=site_id,
            timestamp=s.timestamp,
            pv_power_w=s.pv_power_w,
            base_load_w=s.base_load_w,
            battery_power_w=s.battery_power_w,
            battery_soc_pct=s.battery_soc_pct,
            grid_import_w=s.grid_import_w,
            received_at=received,
        )
        for s in samples
    )


async def telemetry_between(
    session: AsyncSession, site_id: str, since: datetime | None, until: datetime | None, limit: int = 100_000
) -> list[SiteTelemetry]:
    query = select(SiteTelemetry).where(SiteTelemetry.site_id == site_id)
    if since is not None:
        query = query.where(SiteTelemetry.timestamp >= since)
    if until is not None:
        query = query.where(SiteTelemetry.timestamp < until)
    rows = await session.scalars(
        query.order_by(SiteTelemetry.timestamp.desc(), SiteTelemetry.id.desc()).limit(limit)
    )
    return list(reversed(rows.all()))


async def recent_samples(
    session: AsyncSession, latest: Mapping[str, SiteTelemetry], window_s: float
) -> dict[str, tuple[TelemetrySample, ...]]:
    """Per site, the samples of ``[latest - window_s, latest]`` in time order (columns only: every cycle)."""
    if window_s <= 0 or not latest:
        return {site_id: (sample_of(row),) for site_id, row in latest.items()}
    t = SiteTelemetry
    first = min(row.timestamp for row in latest.values()) - timedelta(seconds=window_s)
    last = max(row.timestamp for row in latest.values())
    rows = await session.execute(
        select(t.site_id, t.timestamp, t.pv_power_w, t.base_load_w, t.battery_power_w, t.battery_soc_pct,
               t.grid_import_w)
        .where(t.site_id.in_(list(latest)), t.timestamp >= first, t.timestamp <= last)
        .order_by(t.site_id, t.timestamp, t.id)
    )  # fmt: skip
    out: dict[str, list[TelemetrySample]] = {site_id: [] for site_id in latest}
    for site_id, *values in rows:
        end = latest[site_id].timestamp
        if end - timedelta(seconds=window_s) <= values[0] <= end:
            out[site_id].append(TelemetrySample(*values))
    return {site_id: tuple(samples) for site_id, samples in out.items()}


def sample_of(row: SiteTelemetry) -> TelemetrySample:
    return TelemetrySample(
        row.timestamp, row.pv_power_w, row.base_load_w, row.battery_power_w, row.battery_soc_pct,
        row.grid_import_w,
    )  # fmt: skip
