"""The plan document: one JSON-ready dict that every other output reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from siting.cover import UnservableTrip
from siting.fuels import FuelProfile
from siting.graph import RoadGraph
from siting.models.instance import PlanResult
from siting.sizing import StationSize
from siting.spacing import CorridorSpacing

__all__ = ["StationDetail", "plan_document", "write_json", "station_details"]


class StationDetail(TypedDict):
    """One open station in a plan document; ``status`` is ``new`` or ``existing``."""

    id: str
    name: str
    name_en: str | None
    kind: str | None
    x: float | None
    y: float | None
    status: str
    sizing: NotRequired[dict[str, float | int | str | None]]  # StationSize fields, floats rounded


def station_details(G: RoadGraph, plan: PlanResult, sizes: Sequence[StationSize] = ()) -> list[StationDetail]:
    """Per-station rows: id, name, kind, coordinates, new/existing and sizing when given."""
    by_id = {s.station: s for s in sizes}
    rows: list[StationDetail] = []
    for node in plan.stations:
        data = G.nodes[node]
        row: StationDetail = {
            "id": node,
            "name": data.get("name", node),
            "name_en": data.get("name_en"),
            "kind": data.get("kind"),
            "x": data.get("x"),
            "y": data.get("y"),
            "status": "existing" if node in plan.existing else "new",
        }
        if node in by_id:
            row["sizing"] = {k: _round(v) for k, v in by_id[node].to_dict().items() if k != "station"}
        rows.append(row)
    return rows


def plan_document(
    G: RoadGraph,
    plan: PlanResult,
    *,
    network: str,
    fuel: FuelProfile,
    curve: Sequence[PlanResult] = (),
    spacing: Sequence[CorridorSpacing] = (),
    sizes: Sequence[StationSize] = (),
    unservable: Sequence[UnservableTrip] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the plan JSON (status, stations, covered_flow, total_flow, covered_flow_pct, gap, ...)."""
    doc = plan.to_dict()
    doc.pop("covered", None)
    doc.update(
        {
            "network": network,
            "fuel": fuel.name,
            "range_km": fuel.range_km,
            "fuel_profile": {k: v for k, v in vars(fuel).items()},
            "station_details": station_details(G, plan, sizes),
            "curve": [
                {
                    "p": r.p,
                    "status": r.status,
                    "covered_flow": round(r.covered_flow, 6),
                    "covered_flow_pct": round(r.covered_flow_pct, 4),
                    "gap": None if r.gap is None else round(r.gap, 8),
                    "method": r.method,
                    "stations": r.stations,
                    "heuristic_covered_flow": r.extra.get("heuristic_covered_flow"),
                    "verdict": r.extra.get("verdict"),
                    "gap_target": r.extra.get("gap_target"),
                    "solve_time_s": round(r.solve_time_s, 4),
                }
                for r in curve
            ],
            "spacing": [_round_dict(s.to_dict()) for s in spacing],
            "unservable": list(unservable),
            "unservable_flow": round(sum(u["flow"] for u in unservable), 6),
        }
    )
    if extra:
        doc.update(extra)
    return doc


def write_json(doc: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _round_dict(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, float):
            out[k] = round(v, 3)
        elif isinstance(v, list):
            out[k] = [[a, round(b, 3)] if isinstance(b, float) else [a, b] for a, b in v]
        elif isinstance(v, tuple):
            out[k] = [round(x, 3) if isinstance(x, float) else x for x in v]
        else:
            out[k] = v
    return out
