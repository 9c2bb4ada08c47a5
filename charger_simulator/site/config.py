"""Site configuration from YAML, validated with messages that name the key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml


class SiteConfigError(ValueError):
    """A site configuration key is missing or invalid."""


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
    seed: int = 1
    battery_kwh: float = 200.0
    battery_kw: float = 100.0
    battery_soc_min_pct: float = 10.0
    battery_soc_max_pct: float = 95.0
    battery_initial_soc_pct: float = 50.0
    base_load_kw: float = 30.0
    grid_limit_kw: float = 200.0
    charger_count: int = 4
    charger_kw: float = 60.0
    charger_dc: bool = True
    protocol: str = "ocpp1.6"
    url: str = "ws://127.0.0.1:9000/ocpp"
    id_prefix: str = "SITE-CP"
    password: str | None = None
    sessions_per_charger_per_day: float = 6.0
    session_energy_kwh: tuple[float, float] = (10.0, 40.0)
    id_tags: list[str] = field(default_factory=lambda: ["TAG-0001"])
    api_url: str | None = None
    api_token: str | None = None
    log_path: str = "site-telemetry.jsonl"


_SECTIONS = {
    "pv": {"kwp": "pv_kwp", "performance_ratio": "pv_performance_ratio", "cloudiness": "cloudiness"},
    "battery": {
        "capacity_kwh": "battery_kwh",
        "max_power_kw": "battery_kw",
        "soc_min_pct": "battery_soc_min_pct",
        "soc_max_pct": "battery_soc_max_pct",
        "initial_soc_pct": "battery_initial_soc_pct",
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
    },
    "arrivals": {
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
}


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
    for name in ("duration_h", "step_s", "time_factor", "pv_kwp", "grid_limit_kw"):
        if name in kwargs and float(kwargs[name]) < 0:
            raise SiteConfigError(f"{source}: {name}: must not be negative")
    return SiteConfig(**kwargs)


def load_site(path: str | Path) -> SiteConfig:
    p = Path(path)
    return parse_site(yaml.safe_load(p.read_text(encoding="utf-8")), p.name)
