"""Carbon accounting for charging sessions at 光储充 sites, and 碳普惠 credit totals.

Pure functions; the only I/O is reading the shipped factor files in ``csms/domain/data``.

Green/grid split, per time-aligned interval of the site's energy balance (all in Wh):

1. PV serves the building base load first, then charging, then charges the battery; any rest
   is exported. Base load first because it is there with or without EV charging: charging is the
   additional load, so it is credited only with PV the building could not use. This is the
   conservative (additionality) reading that carbon-inclusive schemes ask for.
2. Battery discharge serves what PV left of the base load and of the charging, pro rata. Its
   green share is that of the energy stored in it (a well-mixed pool: PV in is green, grid in
   is not), starting from ``initial_green_fraction`` (default 0: no unproven green credit).
3. Within an interval every session draws from the same bus at the same time, so the green
   energy reaching the chargers is shared among sessions in proportion to their energy.

Emissions are the grid share times a grid emission factor (location-based, scope 2; PV counted
at zero operational emissions). Avoided emissions follow T/CSAE 235-2021: baseline petrol-car
emissions for the same distance minus the session's emissions.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from csms.errors import InvalidInput

__all__ = [
    "CarbonInputError",
    "GridEmissionFactor",
    "PetrolBaseline",
    "SiteEnergyInterval",
    "SessionSplit",
    "SessionCarbon",
    "TokenCredit",
    "load_grid_emission_factor",
    "load_petrol_baseline",
    "split_green_grid",
    "session_carbon",
    "account_sessions",
    "credits_by_id_token",
    "to_csv",
    "to_json",
]

_TOL_WH = 1e-6


class CarbonInputError(InvalidInput, ValueError):
    """An interval or a factor is invalid; the message names the row and field."""


def _read_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("csms.domain.data").joinpath(name).read_text(encoding="utf-8")
    )
    return data


@dataclass(frozen=True)
class GridEmissionFactor:
    """A grid emission factor [kg CO2/kWh] with its provenance."""

    key: str
    kg_co2_per_kwh: float
    data_year: int | None = None
    publisher: str = ""
    document: str = ""
    published: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if not self.kg_co2_per_kwh >= 0:
            raise CarbonInputError(f"factor {self.key}: kg_co2_per_kwh must be >= 0")


def load_grid_emission_factor(key: str | None = None) -> GridEmissionFactor:
    """A shipped factor; by default the latest national average published by MEE and NBS.

    >>> f = load_grid_emission_factor()
    >>> (f.key, f.kg_co2_per_kwh, f.data_year)
    ('CN_NATIONAL_2023', 0.5306, 2023)
    """
    data = _read_data("grid_emission_factors.json")
    key = key or data["default"]
    if key not in data["factors"]:
        raise CarbonInputError(f"unknown grid emission factor {key!r}; shipped: {sorted(data['factors'])}")
    f = data["factors"][key]
    return GridEmissionFactor(
        key=key,
        kg_co2_per_kwh=float(f["value_kg_co2_per_kwh"]),
        data_year=int(f["data_year"]),
        publisher=f["publisher"],
        document=f["document"],
        published=f["published"],
        url=f["url"],
    )


@dataclass(frozen=True)
class PetrolBaseline:
    """The petrol car an EV trip replaces (T/CSAE 235-2021 baseline scenario).

    ``petrol_l_per_100km`` [L/100 km], ``petrol_kg_co2_per_l`` [kg CO2/L],
    ``ev_kwh_per_100km`` [kWh/100 km] (energy at the charger).
    """

    petrol_l_per_100km: float = 7.0
    petrol_kg_co2_per_l: float = 2.26
    ev_kwh_per_100km: float = 15.0

    def __post_init__(self) -> None:
        for name in ("petrol_l_per_100km", "petrol_kg_co2_per_l", "ev_kwh_per_100km"):
            if not getattr(self, name) > 0:
                raise CarbonInputError(f"petrol baseline: {name} must be > 0")

    def distance_km(self, energy_wh: float) -> float:
        return energy_wh / 1000 / self.ev_kwh_per_100km * 100

    def petrol_kg_co2(self, distance_km: float) -> float:
        return distance_km * self.petrol_l_per_100km / 100 * self.petrol_kg_co2_per_l


def load_petrol_baseline() -> PetrolBaseline:
    """The shipped baseline (``data/petrol_baseline.json``; sources and assumptions listed there)."""
    d = _read_data("petrol_baseline.json")
    return PetrolBaseline(
        petrol_l_per_100km=float(d["petrol_l_per_100km"]),
        petrol_kg_co2_per_l=float(d["petrol_kg_co2_per_l"]),
        ev_kwh_per_100km=float(d["ev_kwh_per_100km"]),
    )


@dataclass(frozen=True)
class SiteEnergyInterval:
    """The site's energy balance over ``[start, end)`` [Wh], with each session's energy.

    ``charging_wh`` is the total of all sessions on site; when omitted it is the sum of
    ``session_wh`` (give it when only some sessions are listed).
    """

    start: datetime
    end: datetime
    pv_wh: float
    base_load_wh: float
    session_wh: Mapping[str, float] = field(default_factory=dict)
    battery_charge_wh: float = 0.0
    battery_discharge_wh: float = 0.0
    charging_wh: float | None = None

    @property
    def total_charging_wh(self) -> float:
        return sum(self.session_wh.values()) if self.charging_wh is None else self.charging_wh


def _check(row: int, iv: SiteEnergyInterval, prev_end: datetime | None) -> None:
    w = f"intervals[{row}]"
    if iv.start.tzinfo is None or iv.end <= iv.start:
        raise CarbonInputError(f"{w}: need aware start < end")
    if prev_end is not None and iv.start < prev_end:
        raise CarbonInputError(f"{w}: overlaps or precedes the previous interval")
    for name in ("pv_wh", "base_load_wh", "battery_charge_wh", "battery_discharge_wh"):
        if getattr(iv, name) < 0:
            raise CarbonInputError(f"{w}: {name} must be >= 0")
    for sid, wh in iv.session_wh.items():
        if wh < 0:
            raise CarbonInputError(f"{w}: session_wh[{sid!r}] must be >= 0")
    if iv.charging_wh is not None and iv.charging_wh + _TOL_WH < sum(iv.session_wh.values()):
        raise CarbonInputError(f"{w}: charging_wh is less than the sum of session_wh")


@dataclass(frozen=True)
class SessionSplit:
    """A session's energy [Wh] split into PV (green) and grid shares."""

    session_id: str
    energy_wh: float
    green_wh: float
    grid_wh: float

    @property
    def green_share_pct(self) -> float:
        return 100 * self.green_wh / self.energy_wh if self.energy_wh > 0 else 0.0


def split_green_grid(
    intervals: Sequence[SiteEnergyInterval],
    *,
    initial_battery_wh: float = 0.0,
    initial_green_fraction: float = 0.0,
) -> dict[str, SessionSplit]:
    """Split each session's energy into green and grid shares (rules in the module docstring).

    ``intervals`` must be in time order and not overlap; the battery's green share is carried
    from one interval to the next.
    """
    if not 0 <= initial_green_fraction <= 1:
        raise CarbonInputError("initial_green_fraction must be in 0..1")
    pool_wh = max(0.0, initial_battery_wh)
    pool_green_wh = pool_wh * initial_green_fraction
    energy: dict[str, float] = {}
    green: dict[str, float] = {}
    prev_end = None
    for row, iv in enumerate(intervals):
        _check(row, iv, prev_end)
        prev_end = iv.end
        charging = iv.total_charging_wh
        pv_left = iv.pv_wh
        pv_to_base = min(pv_left, iv.base_load_wh)
        pv_left -= pv_to_base
        pv_to_charging = min(pv_left, charging)
        pv_left -= pv_to_charging
        pv_to_battery = min(pv_left, iv.battery_charge_wh)

        residual_base = iv.base_load_wh - pv_to_base
        residual_charging = charging - pv_to_charging
        residual = residual_base + residual_charging
        bat_to_charging = 0.0
        if residual > 0 and iv.battery_discharge_wh > 0:
            bat_to_charging = min(residual_charging, iv.battery_discharge_wh * residual_charging / residual)
        fraction = pool_green_wh / pool_wh if pool_wh > _TOL_WH else initial_green_fraction
        green_to_charging = pv_to_charging + bat_to_charging * fraction

        # Pool update: discharge leaves at the pool's green share, PV charge enters green.
        out_green = min(pool_green_wh, iv.battery_discharge_wh * fraction)
        pool_wh = max(0.0, pool_wh - iv.battery_discharge_wh) + iv.battery_charge_wh
        pool_green_wh = max(0.0, pool_green_wh - out_green) + pv_to_battery
        pool_green_wh = min(pool_green_wh, pool_wh)

        share = green_to_charging / charging if charging > 0 else 0.0
        for sid, wh in iv.session_wh.items():
            energy[sid] = energy.get(sid, 0.0) + wh
            green[sid] = green.get(sid, 0.0) + wh * share
    return {sid: SessionSplit(sid, energy[sid], green[sid], energy[sid] - green[sid]) for sid in energy}


@dataclass(frozen=True)
class SessionCarbon:
    """Carbon figures of one session."""

    session_id: str
    id_token: str
    energy_wh: float
    green_wh: float
    grid_wh: float
    green_share_pct: float
    emissions_kg_co2: float
    distance_km: float
    petrol_baseline_kg_co2: float
    avoided_kg_co2: float
    factor_key: str
    factor_kg_co2_per_kwh: float


def session_carbon(
    split: SessionSplit, id_token: str, factor: GridEmissionFactor, baseline: PetrolBaseline
) -> SessionCarbon:
    """Emissions [kg CO2] = grid kWh x factor; avoided = petrol baseline for the same km - emissions."""
    emissions = split.grid_wh / 1000 * factor.kg_co2_per_kwh
    km = baseline.distance_km(split.energy_wh)
    petrol = baseline.petrol_kg_co2(km)
    return SessionCarbon(
        session_id=split.session_id,
        id_token=id_token,
        energy_wh=split.energy_wh,
        green_wh=split.green_wh,
        grid_wh=split.grid_wh,
        green_share_pct=split.green_share_pct,
        emissions_kg_co2=emissions,
        distance_km=km,
        petrol_baseline_kg_co2=petrol,
        avoided_kg_co2=petrol - emissions,
        factor_key=factor.key,
        factor_kg_co2_per_kwh=factor.kg_co2_per_kwh,
    )


def account_sessions(
    intervals: Sequence[SiteEnergyInterval],
    id_tokens: Mapping[str, str],
    factor: GridEmissionFactor,
    baseline: PetrolBaseline,
    **split_options: float,
) -> list[SessionCarbon]:
    """Green/grid split plus emissions for every session in ``intervals``, sorted by session id.

    ``id_tokens`` maps session id -> id token; a session without one raises, naming it.
    """
    splits = split_green_grid(intervals, **split_options)
    missing = sorted(set(splits) - set(id_tokens))
    if missing:
        raise CarbonInputError(f"id_tokens: no id token for session(s) {missing}")
    return [session_carbon(splits[sid], id_tokens[sid], factor, baseline) for sid in sorted(splits)]


@dataclass(frozen=True)
class TokenCredit:
    """碳普惠 totals for one id token. ``credits`` = max(0, avoided) x credit_per_kg_co2."""

    id_token: str
    sessions: int
    energy_wh: float
    green_wh: float
    emissions_kg_co2: float
    avoided_kg_co2: float
    credits: float


def credits_by_id_token(
    results: Iterable[SessionCarbon], *, credit_per_kg_co2: float = 1.0
) -> list[TokenCredit]:
    """Totals per id token, sorted by token. A session that avoided nothing adds no negative credit."""
    acc: dict[str, list[float]] = {}
    for r in results:
        a = acc.setdefault(r.id_token, [0, 0.0, 0.0, 0.0, 0.0, 0.0])
        a[0] += 1
        a[1] += r.energy_wh
        a[2] += r.green_wh
        a[3] += r.emissions_kg_co2
        a[4] += r.avoided_kg_co2
        a[5] += max(0.0, r.avoided_kg_co2) * credit_per_kg_co2
    return [TokenCredit(tok, int(a[0]), a[1], a[2], a[3], a[4], a[5]) for tok, a in sorted(acc.items())]


_ZH_HEADERS = {
    "session_id": "会话编号",
    "id_token": "用户标识",
    "energy_wh": "充电量(Wh)",
    "green_wh": "光伏绿电(Wh)",
    "grid_wh": "电网电量(Wh)",
    "green_share_pct": "绿电占比(%)",
    "emissions_kg_co2": "排放量(kgCO2)",
    "distance_km": "折算里程(km)",
    "petrol_baseline_kg_co2": "燃油车基准排放(kgCO2)",
    "avoided_kg_co2": "减排量(kgCO2)",
    "factor_key": "排放因子",
    "factor_kg_co2_per_kwh": "排放因子(kgCO2/kWh)",
    "sessions": "会话数",
    "credits": "碳普惠积分",
}


def _rows(records: Iterable[SessionCarbon | TokenCredit]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        row = asdict(r)
        out.append({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})
    return out


def to_csv(
    records: Iterable[SessionCarbon | TokenCredit],
    *,
    lang: str = "en",
    writer_factory: Callable[..., Any] = csv.writer,
) -> str:
    """CSV text (floats to 4 decimals); ``lang="zh"`` gives Chinese column headers.

    ``writer_factory`` makes the row writer (``csv.writer``'s signature): the REST edge passes a formula-safe
    one, since id tokens and station ids come from stations.
    """
    rows = _rows(records)
    if not rows:
        return ""
    keys = list(rows[0])
    buf = io.StringIO()
    writer = writer_factory(buf, lineterminator="\n")
    writer.writerow([_ZH_HEADERS.get(k, k) for k in keys] if lang == "zh" else keys)
    for row in rows:
        writer.writerow([row[k] for k in keys])
    return buf.getvalue()


def to_json(records: Iterable[SessionCarbon | TokenCredit]) -> str:
    """JSON array text (floats to 4 decimals, Chinese kept as UTF-8)."""
    return json.dumps(_rows(records), ensure_ascii=False, indent=2)
