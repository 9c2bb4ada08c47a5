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


class CloudPassages:
    """Clearness factor in [floor, 1] from discrete cloud passages, correlated in time.

    Clouds arrive as a seeded Poisson process (mean gap ``mean_gap_s`` of clear sky between them); each has a
    depth (the share of irradiance it takes, uniform in ``depth``), a duration (exponential, mean
    ``mean_duration_s``) and edges that take ``edge_s`` seconds to pass over the array, so the PV output ramps
    down and up over seconds (the steep but finite ramps measured under cumulus) instead of jumping at random
    at every step. ``cloudiness`` scales how often clouds come (0: a clear day). ``at(t_s)`` is deterministic
    for a seed and must be asked in non-decreasing time.

    >>> c = CloudPassages(seed=1, cloudiness=0.5)
    >>> values = [c.at(t) for t in range(0, 600)]
    >>> round(min(values), 2) < 0.8 and max(values) == 1.0
    True
    >>> max(abs(a - b) for a, b in zip(values, values[1:])) <= 0.85 / c.edge_s + 1e-9
    True
    """

    def __init__(
        self,
        seed: int,
        cloudiness: float = 0.3,
        *,
        mean_gap_s: float = 180.0,
        mean_duration_s: float = 60.0,
        edge_s: float = 8.0,
        depth: tuple[float, float] = (0.3, 0.85),
    ) -> None:
        self.rng = random.Random(seed)
        self.cloudiness = cloudiness
        self.mean_gap_s = mean_gap_s
        self.mean_duration_s = mean_duration_s
        self.edge_s = edge_s
        self.depth = depth
        self._clouds: list[tuple[float, float, float]] = []  # (start, end, depth), in time order
        self._horizon = 0.0
        self._draw_until(0.0)

    def _draw_until(self, t_s: float) -> None:
        while self._horizon <= t_s + self.mean_duration_s * 10:
            if self.cloudiness <= 0:
                self._horizon = math.inf
                return
            gap = self.rng.expovariate(self.cloudiness / self.mean_gap_s)
            duration = max(2 * self.edge_s, self.rng.expovariate(1 / self.mean_duration_s))
            start = self._horizon + gap
            self._clouds.append((start, start + duration, self.rng.uniform(*self.depth)))
            self._horizon = start + duration

    def at(self, t_s: float) -> float:
        """Clearness at ``t_s`` seconds after the start of the run."""
        self._draw_until(t_s)
        while self._clouds and self._clouds[0][1] < t_s:
            self._clouds.pop(0)
        shade = 0.0
        for start, end, depth in self._clouds:
            if start > t_s:
                break
            ramp = min(1.0, (t_s - start) / self.edge_s, (end - t_s) / self.edge_s)
            shade = max(shade, depth * max(0.0, ramp))
        return 1.0 - shade
