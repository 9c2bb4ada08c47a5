"""Rich terminal summaries (en / zh) and the progress bar for long coverage curves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from siting.i18n import plan_note, t
from siting.models.instance import reason_text
from siting.outputs.names import corridor_name
from siting.sites import hint_text

__all__ = ["print_plan", "print_cover", "print_compare", "print_sizes"]


def _headline(doc: dict[str, Any], lang: str) -> str:
    gap = doc.get("gap")
    gap_text = "-" if gap is None else f"{100 * gap:.2f}%"
    network = str(doc.get("network"))
    if network in ("hunan", "25node"):
        network = t("network_" + network, lang)
    return (
        f"{t('network', lang)}: {network} · {t('fuel', lang)}: {t(doc.get('fuel', ''), lang)} · "
        f"{t('range', lang)}: {doc.get('range_km'):g} km\n"
        f"{t('status', lang)}: [bold]{t(doc['status'], lang)}[/bold] · "
        f"{t('method', lang)}: {t(str(doc.get('method')), lang)} · "
        f"{t('covered', lang)}: [bold]{doc['covered_flow_pct']:.2f}%[/bold] "
        f"({doc['covered_flow']:,.0f} / {doc['total_flow']:,.0f}) · {t('gap', lang)}: {gap_text}"
    )


def print_sizes(console: Console, details: Sequence[dict[str, Any]], lang: str) -> None:
    table = Table(title=t("stations", lang))
    for col in ("station", "name", "kind", "station_status", "visits", "energy"):
        table.add_column(t(col, lang))
    server = next((d["sizing"]["server_name"] for d in details if d.get("sizing")), "charger")
    table.add_column(t("servers_" + server, lang), justify="right")
    table.add_column(t("p_wait", lang), justify="right")
    if any((d.get("sizing") or {}).get("modules") for d in details):
        table.add_column(t("modules", lang), justify="right")
    for d in details:
        s = d.get("sizing") or {}
        row = [
            d["id"],
            str(d.get("name") or ""),
            t(str(d.get("kind") or ""), lang),
            t(d["status"], lang),
            f"{s.get('visits_per_day', 0):,.0f}",
            f"{s.get('energy_per_day', 0):.0f} {s.get('unit', '')}",
            str(s.get("servers", "")),
            f"{s.get('p_wait_longer', 0):.3f}",
        ]
        if len(table.columns) > len(row):
            row.append(str(s.get("modules") or ""))
        table.add_row(*row)
    console.print(table)


def _print_spacing(console: Console, doc: dict[str, Any], lang: str) -> None:
    spacing = doc.get("spacing") or []
    if not spacing:
        return
    table = Table(title=f"{t('max_gap', lang)} ≤ {spacing[0]['limit_km']:g} km")
    for col in ("corridor", "max_gap", "ends", "spacing_check"):
        table.add_column(t(col, lang))
    for s in spacing:
        gap = "-" if s["max_gap_km"] is None else f"{s['max_gap_km']:.1f} km"
        ends = " / ".join(f"{e:.1f}" for e in s["end_gaps_km"])
        ok = t("spacing_ok" if s["ok"] else "spacing_bad", lang)
        table.add_row(
            corridor_name(s["corridor"], lang),
            gap,
            ends + " km",
            f"[green]{ok}[/green]" if s["ok"] else f"[red]{ok}[/red]",
        )
    console.print(table)


def _print_gaps(console: Console, doc: dict[str, Any], lang: str, limit: int = 10) -> None:
    """The stretches no candidate site closes, with the trips and flow each one cuts."""
    gaps = doc.get("candidate_gaps") or []
    if not gaps:
        return
    total = doc.get("total_flow") or 0.0
    table = Table(title=t("candidate_gaps", lang))
    for col in ("gap_where", "gap_length", "gap_trips", "gap_flow", "gap_hint"):
        table.add_column(t(col, lang))
    for g in gaps[:limit]:
        share = f" ({100 * g['flow'] / total:.1f}%)" if total else ""
        corridors = " ".join(corridor_name(c, lang) for c in g["corridors"])
        if lang == "zh":
            names = (g.get("from_name") or g["from_node"], g.get("to_name") or g["to_node"])
            where = f"{names[0]}-{names[1]} {corridors}"
            hint = hint_text(g["kind"], g["from_node"], g["to_node"], g["length_km"], lang, names)
        else:
            where, hint = f"{g['from_node']}-{g['to_node']} {corridors}", g["hint"]
        table.add_row(
            where.strip(),
            f"{g['length_km']:.1f} km",
            str(g["trips"]),
            f"{g['flow']:,.0f}{share}",
            Text(hint),  # plain text: "U:V:KM" would otherwise be read as an emoji code
        )
    console.print(table)
    if len(gaps) > limit:
        console.print(f"  ... +{len(gaps) - limit}")


def _print_unservable(console: Console, doc: dict[str, Any], lang: str, limit: int = 10) -> None:
    rows = doc.get("unservable") or []
    if not rows:
        return
    _print_gaps(console, doc, lang)
    console.print(
        f"[yellow]{t('unservable', lang)}: {len(rows)} ({doc.get('unservable_flow', 0):,.0f})[/yellow]"
    )
    for r in rows[:limit]:
        if lang == "zh" and r.get("cause"):
            names = {r["origin"]: r.get("origin_name"), r["destination"]: r.get("destination_name")}
            a, b = (names.get(n) or n for n in (r["cause_from"], r["cause_to"]))
            reason = reason_text(r["cause"], a, b, r["cause_km"], float(doc.get("range_km") or 0), lang)
            trip = f"{r.get('origin_name') or r['origin']}->{r.get('destination_name') or r['destination']}"
        else:
            reason, trip = r["reason"], f"{r['origin']}->{r['destination']}"
        console.print(f"  {trip} ({r['flow']:,.0f}): {reason}", highlight=False)
    if len(rows) > limit:
        console.print(f"  ... +{len(rows) - limit}")


def _print_curve(console: Console, doc: dict[str, Any], lang: str) -> None:
    """Each point of the curve with its certified gap and verdict, so no point is over-claimed."""
    curve = doc.get("curve") or []
    if len(curve) < 2:
        return
    table = Table(title=t("curve_table", lang))
    for col in ("curve_x", "covered", "gap", "verdict", "time"):
        table.add_column(t(col, lang))
    for c in curve:
        gap = "-" if c.get("gap") is None else f"{100 * c['gap']:.2f}%"
        table.add_row(
            str(c["p"]),
            f"{c['covered_flow_pct']:.2f}%",
            gap,
            t(c.get("verdict") or c["status"], lang),
            f"{c['solve_time_s']:.1f}",
        )
    console.print(table)


def print_plan(console: Console, doc: dict[str, Any], lang: str = "en") -> None:
    console.rule(t("title_plan", lang))
    console.print(_headline(doc, lang))
    if doc.get("verdict"):
        console.print(f"{t('verdict', lang)}: {t(doc['verdict'], lang)}")
    print_sizes(console, doc.get("station_details", []), lang)
    _print_curve(console, doc, lang)
    _print_spacing(console, doc, lang)
    _print_unservable(console, doc, lang)
    if doc.get("note"):
        console.print(f"[dim]{plan_note(doc, lang)}[/dim]")


def print_cover(console: Console, doc: dict[str, Any], lang: str = "en") -> None:
    console.rule(t("title_cover", lang))
    console.print(_headline(doc, lang))
    console.print(
        f"{t('stations', lang)} ({len(doc['new_stations'])} {t('new', lang)}): {', '.join(doc['stations'])}"
    )
    _print_unservable(console, doc, lang, limit=20)


def print_compare(console: Console, docs: Sequence[dict[str, Any]], lang: str = "en") -> None:
    table = Table(title=t("title_compare", lang))
    for col in ("scenario", "fuel", "range", "stations", "covered", "status", "gap", "time"):
        table.add_column(t(col, lang))
    for d in docs:
        gap = "-" if d.get("gap") is None else f"{100 * d['gap']:.3f}%"
        table.add_row(
            d["scenario"],
            t(d["fuel"], lang),
            f"{d['range_km']:g} km",
            f"{len(d['new_stations'])}",
            f"{d['covered_flow_pct']:.2f}%",
            t(d["status"], lang),
            gap,
            f"{d['solve_time_s']:.2f}",
        )
    console.print(table)
    for d in docs:
        console.print(f"[bold]{d['scenario']}[/bold]: {', '.join(d['stations'])}")
