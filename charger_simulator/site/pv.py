"""PV output: clear-sky irradiance from the sun's position, times seeded cloud noise.

Solar position: Spencer (1971) declination and equation of time; clear-sky global horizontal
irradiance after Haurwitz (1945), ``GHI = 1098 cos(z) exp(-0.059 / cos(z))`` [W/m²].
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime


def solar_elevation_deg(t: datetime, latitude_deg: float, longitude_deg: float) -> float:
    """Sun elevation above the horizon [deg] at UTC time ``t``.

    >>> round(solar_elevation_deg(datetime(2026, 6, 21, 4, 30, tzinfo=UTC), 28.2, 112.9))
    85
    """
    t = t.astimezone(UTC)
    doy = t.timetuple().tm_yday
    g = 2 * math.pi / 365 * (doy - 1 + (t.hour - 12) / 24)
    decl = (
        0.006918
        - 0.399912 * math.cos(g)
        + 0.070257 * math.sin(g)
        - 0.006758 * math.cos(2 * g)
        + 0.000907 * math.sin(2 * g)
        - 0.002697 * math.cos(3 * g)
        + 0.00148 * math.sin(3 * g)
    )
    eot_min = 229.18 * (
        0.000075
        + 0.001868 * math.cos(g)
        - 0.032077 * math.sin(g)
        - 0.014615 * math.cos(2 * g)
        - 0.040849 * math.sin(2 * g)
    )
    solar_time_min = t.hour * 60 + t.minute + t.second / 60 + eot_min + 4 * longitude_deg
    hour_angle = math.radians(solar_time_min / 4 - 180)
    lat = math.radians(latitude_deg)
    cos_zenith = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)
    return math.degrees(math.asin(max(-1.0, min(1.0, cos_zenith))))


def clear_sky_ghi_w_m2(elevation_deg: float) -> float:
    """Clear-sky global horizontal irradiance [W/m²] (Haurwitz); 0 with the sun below the horizon."""
    if elevation_deg <= 0:
        return 0.0
    cos_z = math.sin(math.radians(elevation_deg))
    return 1098.0 * cos_z * math.exp(-0.059 / cos_z)


class CloudNoise:
    """Clearness factor in [0.15, 1] as a seeded AR(1) process: ``cloudiness`` 0 is a clear day."""

    def __init__(self, seed: int, cloudiness: float = 0.3, persistence: float = 0.9) -> None:
        self.rng = random.Random(seed)
        self.cloudiness = cloudiness
        self.persistence = persistence
        self.state = 0.0

    def next(self) -> float:
        self.state = self.persistence * self.state + (1 - self.persistence) * self.rng.gauss(0, 3)
        return max(0.15, min(1.0, 1.0 - self.cloudiness * (0.5 + self.state)))


def pv_power_w(kwp: float, ghi_w_m2: float, clearness: float, performance_ratio: float = 0.8) -> float:
    """AC output [W] of a ``kwp`` array: rated at 1000 W/m², derated by the performance ratio."""
    return kwp * 1000.0 * ghi_w_m2 / 1000.0 * clearness * performance_ratio
