"""The bilingual HTML report: counts, district summary, a dot map, every car park, row errors, rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, PackageLoader, select_autoescape

from compliance.errors import Effect, RowError
from compliance.evaluate import CarParkResult, Status
from compliance.explain import STATUS_LABELS, explain
from compliance.headers import ColumnMapping
from compliance.reports.geojson import STATUS_COLOURS
from compliance.reports.summary import district_summary, status_counts
from compliance.rules import RulePack

_MAP_W, _MAP_H, _PAD = 640.0, 420.0, 12.0


@dataclass(frozen=True)
class _Dot:
    x: float
    y: float
    colour: str
    title: str


def _dots(results: Sequence[CarParkResult]) -> list[_Dot]:
    """Project located car parks into the SVG box (equirectangular, fine at district scale)."""
    located = [
        (r, r.car_park.lon_deg, r.car_park.lat_deg)
        for r in results
        if r.car_park.lon_deg is not None and r.car_park.lat_deg is not None
    ]
    if not located:
        return []
    lons = [lon for _, lon, _ in located]
    lats = [lat for _, _, lat in located]
    span = max(max(lons) - min(lons), max(lats) - min(lats), 1e-6)
    scale = min(_MAP_W, _MAP_H) - 2 * _PAD
    dots = []
    for r, lon, lat in located:
        cp = r.car_park
        x = _PAD + (lon - min(lons)) / span * scale
        y = _MAP_H - _PAD - (lat - min(lats)) / span * scale
        dots.append(_Dot(round(x, 1), round(y, 1), STATUS_COLOURS[r.status], f"{cp.id} {cp.name}"))
    return dots


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("compliance.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _warnings(mapping: ColumnMapping | None) -> list[tuple[str, str]]:
    """The mapping's warnings as (zh, en) pairs."""
    if mapping is None:
        return []
    return list(zip(mapping.warnings("zh"), mapping.warnings("en"), strict=True))


def render_html(
    results: Sequence[CarParkResult],
    packs: Sequence[RulePack],
    errors: Sequence[RowError] = (),
    *,
    lang: str = "zh",
    generated: date | None = None,
    source_name: str = "",
    geojson_name: str = "carparks.geojson",
    mapping: ColumnMapping | None = None,
) -> str:
    """The report as one self-contained HTML page; ``lang`` picks which language comes first.

    ``errors`` are the register's problems (each with its effect); ``mapping`` is how the sheet's columns
    were read (shown with its warnings when given).
    """
    other = "en" if lang == "zh" else "zh"
    rows = []
    for r in results:
        lead = r.leading
        rows.append(
            {
                "result": r,
                "status_pair": STATUS_LABELS[r.status],
                "colour": STATUS_COLOURS[r.status],
                "first": explain(lead, lang) if lead else "",
                "second": explain(lead, other) if lead else "",
                "others": [v for v in r.verdicts if v.status is Status.NON_COMPLIANT and v is not lead],
                "unverified": max((v.reserved_unverified for v in r.verdicts), default=0),
            }
        )
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lang=lang,
            rows=rows,
            packs=packs,
            errors=errors,
            rejected=len({e.row for e in errors if e.effect is Effect.ROW_REJECTED}),
            mapping=mapping,
            warnings=_warnings(mapping),
            counts=status_counts(results),
            statuses=list(Status),
            status_labels=STATUS_LABELS,
            colours=STATUS_COLOURS,
            districts=district_summary(results),
            dots=_dots(results),
            map_w=_MAP_W,
            map_h=_MAP_H,
            generated=(generated or date.today()).isoformat(),
            source_name=source_name,
            geojson_name=geojson_name,
            total=len(results),
            unlocated=sum(1 for r in results if r.car_park.lon_deg is None),
        )
    )
