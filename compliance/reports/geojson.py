"""The GeoJSON map layer: one point per located car park (WGS-84), coloured by overall verdict."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from compliance.evaluate import CarParkResult, Status
from compliance.explain import status_label, summary

#: Marker colours per verdict (simplestyle-spec ``marker-color``), shared with the HTML dot map.
STATUS_COLOURS: dict[Status, str] = {
    Status.COMPLIANT: "#2e7d32",
    Status.NON_COMPLIANT: "#c62828",
    Status.INSUFFICIENT_DATA: "#f9a825",
    Status.NOT_APPLICABLE: "#757575",
}


def feature_collection(results: Iterable[CarParkResult], lang: str = "zh") -> dict[str, Any]:
    """A GeoJSON FeatureCollection; car parks without coordinates are left out (listed in the report)."""
    features = []
    for r in results:
        cp = r.car_park
        if cp.lon_deg is None or cp.lat_deg is None:
            continue
        lead = r.leading
        features.append(
            {
                "type": "Feature",
                "id": cp.id,
                # RFC 7946: longitude first, WGS-84, no more precision than is meaningful (~1 cm).
                "geometry": {"type": "Point", "coordinates": [round(cp.lon_deg, 7), round(cp.lat_deg, 7)]},
                "properties": {
                    "id": cp.id,
                    "name": cp.name,
                    "district": cp.district,
                    "category": cp.category.value,
                    "verdict": r.status.value,
                    "verdict_label": status_label(r.status, lang),
                    "leading_rule": lead.rule.id if lead else None,
                    "shortfall": lead.shortfall if lead else None,
                    "coords_converted_from_gcj02": cp.coords_converted_from_gcj02,
                    "summary": summary(r, lang),
                    "marker-color": STATUS_COLOURS[r.status],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def render_geojson(results: Iterable[CarParkResult], lang: str = "zh") -> bytes:
    return json.dumps(feature_collection(results, lang), ensure_ascii=False, indent=1).encode("utf-8")
