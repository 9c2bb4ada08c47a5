"""The plan's station table as CSV (one row per open station, with its sizing), for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Any

__all__ = ["STATION_COLUMNS", "stations_csv"]

STATION_COLUMNS = (
    "id",
    "name",
    "name_en",
    "kind",
    "status",
    "lon_or_x",
    "lat_or_y",
    "visits_per_day",
    "energy_per_day",
    "unit",
    "servers",
    "server_name",
    "utilisation",
    "p_wait_longer",
    "modules",
)
_SIZING = STATION_COLUMNS[7:]


def stations_csv(doc: dict[str, Any]) -> str:
    """``doc["station_details"]`` (a plan document) as CSV text with the header ``STATION_COLUMNS``.

    Examples
    --------
    >>> text = stations_csv({"station_details": [{"id": "a", "name": "甲", "name_en": None, "kind": "city",
    ...     "x": 112.9, "y": 28.2, "status": "new", "sizing": {"servers": 4, "unit": "kWh"}}]})
    >>> text.splitlines()[1]
    'a,甲,,city,new,112.9,28.2,,,kWh,4,,,,'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATION_COLUMNS)
    for d in doc.get("station_details", []):
        sizing = d.get("sizing") or {}
        writer.writerow(
            [
                d.get("id"),
                d.get("name"),
                d.get("name_en"),
                d.get("kind"),
                d.get("status"),
                d.get("x"),
                d.get("y"),
            ]
            + [sizing.get(k) for k in _SIZING]
        )
    return out.getvalue()
