"""The shipped Hunan data: the totals its README states, sources on every row, and the export."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import networkx as nx

from siting.cli import main
from siting.networks import load_hunan

DATA = Path(__file__).resolve().parents[2] / "siting" / "data" / "hunan"
APPROX = "great-circle x1.25 (approximation)"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _distinct(edges: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per road: a row that repeats another code's section (``shared_with``) is not counted."""
    return [r for r in edges if not r["shared_with"]]


def _named(areas: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in areas if not r["name_zh"].startswith("(unnamed")]


def test_network_covers_5000_km_and_60_named_service_areas():
    edges, areas = _rows("edges.csv"), _rows("service_areas.csv")
    assert sum(float(r["length_km"]) for r in _distinct(edges)) >= 5000
    assert len(_named(areas)) >= 60
    G = load_hunan().G
    assert nx.is_connected(G)
    placed = [n for n, kind in G.nodes(data="kind") if kind == "service_area"]
    assert len(placed) >= 35


def test_no_section_is_listed_twice():
    edges = _rows("edges.csv")
    keys = Counter((frozenset((r["from"], r["to"])), r["expressway_code"]) for r in edges)
    assert [k for k, n in keys.items() if n > 1] == []
    # A shared row repeats a counted row of another code: same ends, same length.
    counted = {(frozenset((r["from"], r["to"])), r["expressway_code"]): r for r in _distinct(edges)}
    for r in edges:
        if r["shared_with"]:
            twin = counted[(frozenset((r["from"], r["to"])), r["shared_with"])]
            assert twin["length_km"] == r["length_km"], r


def test_readme_states_the_totals_of_the_data():
    edges = _distinct(_rows("edges.csv"))
    km = sum(float(r["length_km"]) for r in edges)
    basis = Counter(r["length_basis"].split(" of ")[0] for r in edges)
    km_by = Counter[str]()
    for r in edges:
        km_by[r["length_basis"].split(" of ")[0]] += float(r["length_km"])
    areas = _rows("service_areas.csv")
    facility = Counter(r["facility"] for r in _named(areas))
    position = Counter(r["position_basis"].split(" ")[0] for r in areas)
    placed = [n for n, kind in load_hunan().G.nodes(data="kind") if kind == "service_area"]
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    road = (
        f"Road: {len(edges)} sections, {km:,.1f} km of distinct road ({100 * km / 7085:.1f} % of the "
        f"official 7,085 km in operation at end-2021, 红网 2022-01-10). By length basis: "
        f"{km_by['published'] + km_by['sum'] + km_by['difference']:,.1f} km published "
        f"(or sums and differences of published lengths), {km_by['proportional split']:,.1f} km proportional "
        f"splits of published lengths, {km_by[APPROX]:,.1f} km great-circle × 1.25 "
        f"({basis[APPROX]} sections)."
    )
    assert road in readme
    named = len(_named(areas))
    sites = (
        f"Service and parking areas: {named} named ({facility['service_area']} service areas, "
        f"{facility['parking_area']} parking areas), {100 * named / 182.5:.1f} % of the 182.5 pairs in "
        f"operation at end-2024 (湖南省交通运输厅 2025-01-10); {len(placed)} placed on the network "
        f"({position['km']} by km from a named point, {position['order']} by order along route), "
        f"{position['unplaced:']} unplaced."
    )
    assert sites in readme
    assert len(placed) == position["km"] + position["order"]


def test_every_row_cites_a_source_and_flags_its_position():
    for r in _rows("edges.csv"):
        assert "http" in r["length_source"], r
        assert r["length_basis"] and (r["length_basis"] == APPROX) == r["length_source"].startswith(APPROX), r
    for r in _rows("junctions.csv"):
        assert r["coord_source"], r
    for r in _rows("service_areas.csv"):
        assert "http" in r["source"] and r["position_basis"], r["name_zh"]
        assert r["has_chargers_2024"].startswith("yes") and "jtt.hunan.gov.cn" in r["has_chargers_2024"]
        assert int(r["existing_bays"]) > 0 and "http" in r["existing_bays_source"], r["name_zh"]
        if r["existing_chargers"]:
            assert "http" in r["existing_chargers_source"], r["name_zh"]


def test_service_areas_sit_on_their_own_expressway_with_existing_bays():
    G = load_hunan().G
    by_name = {d["name"]: n for n, d in G.nodes(data=True) if d["kind"] == "service_area"}
    xiangyin = by_name["湘阴服务区"]
    assert G.nodes[xiangyin]["expressway"] == "G0421" and G.nodes[xiangyin]["has_chargers"]
    assert all(G.edges[xiangyin, n]["corridors"] == ["G0421"] for n in G.neighbors(xiangyin))
    taizimiao = by_name["太子庙服务区"]
    assert G.edges["yiyang", taizimiao]["length_km"] == 51.5  # placed by its km post, not evenly
    assert G.nodes[taizimiao]["existing_chargers"] == 8
    suxian = by_name["苏仙服务区"]
    assert G.edges["chenzhou", suxian]["length_km"] == 18.0  # 18 km south of the 郴州 exit
    assert G.nodes[xiangyin]["existing_chargers"] is None
    assert G.nodes[xiangyin]["existing_bays"] == 11
    assert "assumption" in G.nodes[xiangyin]["existing_bays_source"]


def test_export_writes_service_areas_as_nodes_of_kind_service_area(tmp_path, capsys):
    assert main(["export", "--network", "hunan", "--out", str(tmp_path)]) == 0
    nodes = list(csv.DictReader((tmp_path / "nodes.csv").open(encoding="utf-8")))
    kinds = Counter(r["kind"] for r in nodes)
    G = load_hunan().G
    assert kinds == Counter(kind for _, kind in G.nodes(data="kind"))
    assert kinds["city"] == 20 and kinds["service_area"] >= 35
    names = {r["name"] for r in nodes if r["kind"] == "service_area"}
    assert {"湘阴服务区", "太子庙服务区", "长沙西服务区", "西渡服务区", "芷江服务区"} <= names
    edges = list(csv.DictReader((tmp_path / "edges.csv").open(encoding="utf-8")))
    assert {frozenset((r["from"], r["to"])) for r in edges} == {frozenset(e) for e in G.edges}
