"""Site configuration from YAML, validated with messages that name the key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml


class SiteConfigError(ValueError):
    """A site configuration key is missing or invalid."""


@dataclass(frozen=True)
class ChargerGroup:
    """Alike chargers of a mixed site: ``count`` stations of ``max_power_kw`` each, AC or DC, one protocol.

    ``id_prefix`` names them ``{id_prefix}{n:02d}`` (n from 1 within the group).
    """

    count: int
    max_power_kw: float
    dc: bool
    protocol: str
    id_prefix: str
    phases: int = 3


@dataclass
class SiteConfig:
    """A 光储充 site. Powers in kW, energies in kWh, durations in hours/seconds as named."""

    site_id: str
    latitude: float
    longitude: float
    start: datetime
    duration_h: float = 24.0
    utc_offset_h: float = 8.0
    step_s: float = 60.0
    time_factor: float = 600.0
    pv_kwp: float = 100.0
    pv_performance_ratio: float = 0.8
    cloudiness: float = 0.3
    clouds: str = "noise"
    """``noise``: an AR(1) clearness per step; ``passages``: discrete clouds whose edges take
    ``cloud_edge_s`` to pass (correlated in time, whatever the step)."""
    cloud_mean_gap_s: float = 180.0
    cloud_mean_duration_s: float = 60.0
    cloud_edge_s: float = 8.0
    seed: int = 1
    battery_kwh: float = 200.0
    battery_kw: float = 100.0
    battery_soc_min_pct: float = 10.0
    battery_soc_max_pct: float = 95.0
    battery_initial_soc_pct: float = 50.0
    battery_control: str = "csms"
    """``csms``: the battery follows the set-point the CSMS answers to each telemetry post while it is valid
    (local self-consumption otherwise); ``local``: self-consumption always, whatever the CSMS says."""
    base_load_kw: float = 30.0
    grid_limit_kw: float = 200.0
    charger_count: int = 4
    charger_kw: float = 60.0
    charger_dc: bool = True
    protocol: str = "ocpp1.6"
    url: str = "ws://127.0.0.1:9000/ocpp"
    id_prefix: str = "SITE-CP"
    password: str | None = None
    groups: tuple[ChargerGroup, ...] = ()
    """A mixed site (e.g. 1.6 AC and 2.0.1 DC); empty: ``charger_count`` alike chargers as above."""
    sessions_per_charger_per_day: float = 6.0
    occupied_at_start: bool = False
    """Every charger has an EV plugged in at the start (a busy hour; arrivals follow as usual)."""
    session_energy_kwh: tuple[float, float] = (10.0, 40.0)
    id_tags: list[str] = field(default_factory=lambda: ["TAG-0001"])
    api_url: str | None = None
    api_token: str | None = None
    log_path: str = "site-telemetry.jsonl"
    csms_clock: str = "wall"
    """How the CSMS's timestamps (profile start times) relate to the site's simulated clock: ``wall``, the
    CSMS runs on the real clock (the quick-start), so a station maps CSMS time onto its own at the time
    factor; ``simulated``, the CSMS runs on this site's clock (tests, benchmarks), times are the same."""

    def charger_groups(self) -> tuple[ChargerGroup, ...]:
        if self.groups:
            return self.groups
        return (
            ChargerGroup(self.charger_count, self.charger_kw, self.charger_dc, self.protocol, self.id_prefix),
        )


_SECTIONS = {
    "pv": {
        "kwp": "pv_kwp",
        "performance_ratio": "pv_performance_ratio",
        "cloudiness": "cloudiness",
        "clouds": "clouds",
        "cloud_mean_gap_s": "cloud_mean_gap_s",
        "cloud_mean_duration_s": "cloud_mean_duration_s",
        "cloud_edge_s": "cloud_edge_s",
    },
    "battery": {
        "capacity_kwh": "battery_kwh",
        "max_power_kw": "battery_kw",
        "soc_min_pct": "battery_soc_min_pct",
        "soc_max_pct": "battery_soc_max_pct",
        "initial_soc_pct": "battery_initial_soc_pct",
        "control": "battery_control",
    },
    "base_load": {"mean_kw": "base_load_kw"},
    "grid": {"limit_kw": "grid_limit_kw"},
    "chargers": {
        "count": "charger_count",
        "max_power_kw": "charger_kw",
        "dc": "charger_dc",
        "protocol": "protocol",
        "url": "url",
        "id_prefix": "id_prefix",
        "password": "password",
        "groups": "groups",
    },
    "arrivals": {
        "occupied_at_start": "occupied_at_start",
        "sessions_per_charger_per_day": "sessions_per_charger_per_day",
        "energy_kwh": "session_energy_kwh",
        "id_tags": "id_tags",
    },
}
_TOP = {
    "site_id",
    "latitude",
    "longitude",
    "start",
    "duration_h",
    "utc_offset_h",
    "step_s",
    "time_factor",
    "seed",
    "api_url",
    "api_token",
    "log_path",
    "name",
    "csms_clock",
}
_GROUP_KEYS = {"count", "max_power_kw", "dc", "protocol", "id_prefix", "phases"}


def parse_site(data: dict[str, Any], source: str = "site.yaml") -> SiteConfig:
    """Build a :class:`SiteConfig`; unknown or missing keys are named in the error."""
    if not isinstance(data, dict):
        raise SiteConfigError(f"{source}: expected a mapping")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise SiteConfigError(f"{source}: {key}: expected a mapping")
            for sub, sub_value in value.items():
                if sub not in _SECTIONS[key]:
                    raise SiteConfigError(
                        f"{source}: {key}.{sub}: unknown key (known: {', '.join(_SECTIONS[key])})"
                    )
                kwargs[_SECTIONS[key][sub]] = sub_value
        elif key in _TOP:
            if key != "name":
                kwargs[key] = value
        else:
            raise SiteConfigError(f"{source}: {key}: unknown key")
    for required in ("site_id", "latitude", "longitude", "start"):
        if required not in kwargs:
            raise SiteConfigError(f"{source}: {required}: required key missing")
    start = kwargs["start"]
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start)
        except ValueError as e:
            raise SiteConfigError(f"{source}: start: not an ISO 8601 time ({e})") from None
    if not isinstance(start, datetime) or start.tzinfo is None:
        raise SiteConfigError(
            f"{source}: start: needs a time with a UTC offset, e.g. 2026-06-21T06:00:00+08:00"
        )
    kwargs["start"] = start.astimezone(UTC)
    if "session_energy_kwh" in kwargs:
        kwargs["session_energy_kwh"] = tuple(kwargs["session_energy_kwh"])
    if not -90 <= float(kwargs["latitude"]) <= 90:
        raise SiteConfigError(f"{source}: latitude: must be within -90..90")
    if "groups" in kwargs:
        kwargs["groups"] = _groups(kwargs["groups"], kwargs.get("id_prefix", "SITE-CP"), source)
    if kwargs.get("clouds", "noise") not in ("noise", "passages"):
        raise SiteConfigError(f"{source}: pv.clouds: must be noise or passages")
    if kwargs.get("battery_control", "csms") not in ("csms", "local"):
        raise SiteConfigError(f"{source}: battery.control: must be csms or local")
    if kwargs.get("csms_clock", "wall") not in ("wall", "simulated"):
        raise SiteConfigError(f"{source}: csms_clock: must be wall or simulated")
    for name in ("duration_h", "step_s", "time_factor", "pv_kwp", "grid_limit_kw"):
        if name in kwargs and float(kwargs[name]) < 0:
            raise SiteConfigError(f"{source}: {name}: must not be negative")
    return SiteConfig(**kwargs)


def _groups(items: Any, prefix: str, source: str) -> tuple[ChargerGroup, ...]:
    if not isinstance(items, list) or not items:
        raise SiteConfigError(f"{source}: chargers.groups: expected a non-empty list")
    out = []
    for i, g in enumerate(items):
        where = f"{source}: chargers.groups[{i}]"
        if not isinstance(g, dict):
            raise SiteConfigError(f"{where}: expected a mapping")
        unknown = set(g) - _GROUP_KEYS
        if unknown:
            known = ", ".join(sorted(_GROUP_KEYS))
            raise SiteConfigError(f"{where}.{sorted(unknown)[0]}: unknown key (known: {known})")
        for key in ("count", "max_power_kw"):
            if key not in g:
                raise SiteConfigError(f"{where}.{key}: required key missing")
        dc = bool(g.get("dc", False))
        out.append(
            ChargerGroup(
                int(g["count"]), float(g["max_power_kw"]), dc, str(g.get("protocol", "ocpp1.6")),
                str(g.get("id_prefix", f"{prefix}{'DC' if dc else 'AC'}{i}-")), int(g.get("phases", 3)),
            )
        )  # fmt: skip
    return tuple(out)


def load_site(path: str | Path) -> SiteConfig:
    p = Path(path)
    return parse_site(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
