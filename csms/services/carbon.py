"""Carbon accounting of charging sessions at sites: green (PV) and grid Wh, emissions, 碳普惠 credits.

The rule is the domain's (:mod:`csms.domain.carbon`); this service builds its time-aligned site energy
balance from storage. Each telemetry sample holds until the next one (at most 15 min, so a gap is a gap and
counts as grid); a session's energy in an interval is the rise of its energy register, interpolated
linearly between readings. Energy no telemetry covers is grid energy: no PV is credited without proof.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from csms.config import Settings
from csms.db.models import MeterReading, Transaction
from csms.db.sites import Site, SiteStation
from csms.db.uow import UnitOfWork
from csms.domain.carbon import (
    GridEmissionFactor,
    PetrolBaseline,
    SessionCarbon,
    SessionSplit,
    SiteEnergyInterval,
    TokenCredit,
    credits_by_id_token,
    load_grid_emission_factor,
    load_petrol_baseline,
    session_carbon,
    split_green_grid,
)
from csms.domain.metering import register_values
from csms.domain.timeutil import Clock
from csms.errors import InvalidInput, NotFound
from csms.services.site_telemetry import telemetry_between

MAX_HOLD_S = 900.0
#: Sessions may run this long; their site balance is read from this far before the window.
LOOKBACK = timedelta(days=2)


def factor_from_settings(settings: Settings) -> GridEmissionFactor:
    factor = load_grid_emission_factor(settings.grid_emission_factor_key)
    if settings.grid_emission_factor_kg_co2_per_kwh is not None:
        factor = dataclasses.replace(
            factor,
            key=f"{factor.key}_OVERRIDE",
            kg_co2_per_kwh=settings.grid_emission_factor_kg_co2_per_kwh,
            document=f"override of {factor.key} by CSMS_GRID_EMISSION_FACTOR_KG_CO2_PER_KWH",
        )
    return factor


class Register:
    """A session's energy register over time [Wh], linear between readings, flat outside them."""

    def __init__(self, points: Sequence[tuple[datetime, float]]) -> None:
        pts = sorted(points)
        self.t = [p[0] for p in pts]
        self.v = [p[1] for p in pts]

    @property
    def energy_wh(self) -> float:
        return max(0.0, self.v[-1] - self.v[0]) if self.v else 0.0

    def at(self, t: datetime) -> float:
        i = bisect_right(self.t, t)
        if i == 0:
            return self.v[0]
        if i == len(self.t):
            return self.v[-1]
        t0, t1, v0, v1 = self.t[i - 1], self.t[i], self.v[i - 1], self.v[i]
        span = (t1 - t0).total_seconds()
        return v0 if span <= 0 else v0 + (v1 - v0) * (t - t0).total_seconds() / span


class CarbonService:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        factor: GridEmissionFactor | None = None,
        baseline: PetrolBaseline | None = None,
        credit_per_kg_co2: float = 1.0,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.factor = factor or load_grid_emission_factor()
        self.baseline = baseline or load_petrol_baseline()
        self.credit_per_kg_co2 = credit_per_kg_co2

    async def sessions(
        self, since: datetime, until: datetime, site_id: str | None = None
    ) -> list[SessionCarbon]:
        """Every session started in ``[since, until)`` at the site (or at every site), by session id."""
        if until <= since:
            raise InvalidInput("to must be after from", field="to")
        async with self._uow.read() as session:
            query = select(Site.id).order_by(Site.id)
            if site_id is not None:
                query = query.where(Site.id == site_id)
            site_ids = list(await session.scalars(query))
            if site_id is not None and not site_ids:
                raise NotFound(f"site {site_id!r} does not exist")
            out: list[SessionCarbon] = []
            for sid in site_ids:
                out += await self._site(session, sid, since, until)
        return sorted(out, key=lambda r: int(r.session_id) if r.session_id.isdigit() else r.session_id)

    async def credits(
        self, since: datetime, until: datetime, site_id: str | None = None
    ) -> list[TokenCredit]:
        """碳普惠 totals per id token over the sessions of :meth:`sessions`."""
        records = await self.sessions(since, until, site_id)
        return credits_by_id_token(records, credit_per_kg_co2=self.credit_per_kg_co2)

    async def _site(self, session, site_id: str, since: datetime, until: datetime) -> list[SessionCarbon]:
        site = await session.get(Site, site_id)
        stations = list(
            await session.scalars(select(SiteStation.station_id).where(SiteStation.site_id == site_id))
        )
        if not stations:
            return []
        txs = list(
            await session.scalars(
                select(Transaction).where(
                    Transaction.station_id.in_(stations),
                    Transaction.started_at >= since - LOOKBACK,
                    Transaction.started_at < until,
                )
            )
        )
        wanted = [tx for tx in txs if tx.started_at >= since]
        if not wanted:
            return []
        registers = await _registers(session, txs)
        now = self._clock()
        end = max((tx.stopped_at or now) for tx in txs)
        samples = await telemetry_between(session, site_id, min(tx.started_at for tx in txs), end)
        initial_wh = 0.0
        if samples and samples[0].battery_soc_pct is not None:
            initial_wh = samples[0].battery_soc_pct / 100 * site.battery_capacity_kwh * 1000
        splits = split_green_grid(_intervals(samples, registers), initial_battery_wh=initial_wh)
        out = []
        for tx in wanted:
            key = str(tx.id)
            energy = registers[key].energy_wh if key in registers else (tx.energy_wh or 0.0)
            green = min(energy, splits[key].green_wh) if key in splits else 0.0
            split = SessionSplit(key, energy, green, energy - green)
            out.append(session_carbon(split, tx.id_token or "", self.factor, self.baseline))
        return out


async def _registers(session, txs: Sequence[Transaction]) -> dict[str, Register]:
    points: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for tx in txs:
        if tx.meter_start_wh is not None:
            points[tx.id].append((tx.started_at, tx.meter_start_wh))
        if tx.meter_stop_wh is not None and tx.stopped_at is not None:
            points[tx.id].append((tx.stopped_at, tx.meter_stop_wh))
    rows = await session.execute(
        select(MeterReading.transaction_pk, MeterReading.timestamp, MeterReading.samples).where(
            MeterReading.transaction_pk.in_([tx.id for tx in txs])
        )
    )
    for pk, t, stored in rows:
        points[pk].extend((t, value) for value in register_values(stored))
    return {str(pk): Register(pts) for pk, pts in points.items() if pts}


def _intervals(samples: Sequence, registers: dict[str, Register]) -> list[SiteEnergyInterval]:
    """One interval per telemetry sample, held until the next sample (at most ``MAX_HOLD_S``)."""
    out = []
    for i, s in enumerate(samples):
        end = s.timestamp + timedelta(seconds=MAX_HOLD_S)
        if i + 1 < len(samples):
            end = min(end, samples[i + 1].timestamp)
        if end <= s.timestamp:
            continue
        hours = (end - s.timestamp).total_seconds() / 3600
        battery_w = s.battery_power_w or 0.0
        per_session = {sid: max(0.0, r.at(end) - r.at(s.timestamp)) for sid, r in registers.items()}
        out.append(
            SiteEnergyInterval(
                start=s.timestamp,
                end=end,
                pv_wh=s.pv_power_w * hours,
                base_load_wh=s.base_load_w * hours,
                session_wh={k: v for k, v in per_session.items() if v > 0},
                battery_charge_wh=max(0.0, -battery_w) * hours,
                battery_discharge_wh=max(0.0, battery_w) * hours,
            )
        )
    return out
