"""GCJ-02 (the "Mars" datum of Chinese web maps) to WGS-84 conversion.

Registers drawn from Amap/Tencent maps carry GCJ-02 coordinates, offset from WGS-84 by a few hundred
metres. Reports and the GeoJSON layer use WGS-84, so GCJ-02 input is converted and the record flagged.
The forward transform is the widely published one (Krasovsky 1940 ellipsoid constants); the inverse has
no closed form and is found by fixed-point iteration, accurate to about 1e-7 degrees (about 1 cm).
"""

from __future__ import annotations

import math

_A_M = 6378245.0  # Krasovsky 1940 semi-major axis [m]
_EE = 0.00669342162296594323  # its first eccentricity squared


def _outside_china(lon_deg: float, lat_deg: float) -> bool:
    # The obfuscation is applied only inside mainland China's rough bounding box.
    return not (72.004 <= lon_deg <= 137.8347 and 0.8293 <= lat_deg <= 55.8271)


def _delta(lon_deg: float, lat_deg: float) -> tuple[float, float]:
    x = lon_deg - 105.0
    y = lat_deg - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat_deg / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A_M * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A_M / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon_deg: float, lat_deg: float) -> tuple[float, float]:
    """Forward transform WGS-84 -> GCJ-02, degrees in and out; identity outside China."""
    if _outside_china(lon_deg, lat_deg):
        return lon_deg, lat_deg
    d_lon, d_lat = _delta(lon_deg, lat_deg)
    return lon_deg + d_lon, lat_deg + d_lat


def gcj02_to_wgs84(lon_deg: float, lat_deg: float, tolerance_deg: float = 1e-9) -> tuple[float, float]:
    """Inverse transform GCJ-02 -> WGS-84 [degrees] by fixed-point iteration.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02(112.90, 28.20))  # Xiangjiang New Area
    >>> round(lon, 7), round(lat, 7)
    (112.9, 28.2)
    >>> gcj02_to_wgs84(-0.1276, 51.5072)  # outside China: unchanged
    (-0.1276, 51.5072)
    """
    if _outside_china(lon_deg, lat_deg):
        return lon_deg, lat_deg
    wgs_lon, wgs_lat = lon_deg, lat_deg
    for _ in range(30):
        gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon, err_lat = gcj_lon - lon_deg, gcj_lat - lat_deg
        wgs_lon -= err_lon
        wgs_lat -= err_lat
        if abs(err_lon) < tolerance_deg and abs(err_lat) < tolerance_deg:
            break
    return wgs_lon, wgs_lat
