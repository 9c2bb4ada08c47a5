"""The shipped Hunan data: the totals its README states, sources on every row, and the export."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from siting.cli import main
from siting.networks import load_hunan

DATA = Path(__file__).resolve().parents[2] / "siting" / "data" / "hunan"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_readme_states_the_totals_of_the_data():
    edges = _rows("edges.csv")
    km = sum(float(r["length_km"]) for r in edges)
    approx_km = sum(float(r["length_km"]) for r in edges if r["length_source"].startswith("great-circle"))
    areas = _rows("service_areas.csv")
    facility = Counter(r["facility"] for r in areas)
    basis = Counter(r["position_basis"].split(" ")[0] for r in areas)
    placed = [n for n, kind in load_hunan().G.nodes(data="kind") if kind == "service_area"]
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    road = (
        f"Road: {len(edges)} sections, {km:,.1f} km of distinct road ({100 * km / 7085:.1f} % of the "
        f"official 7,085 km in operation at end-2021, 红网 2022-01-10); {approx_km:,.1f} km of it are "
        "great-circle × 1.25"
    )
    assert road in readme
    sites = (
        f"Service and parking areas: {len(areas)} named ({facility['service_area']} service areas, "
        f"{facility['parking_area']} parking areas), {100 * len(areas) / 182.5:.1f} % of the 182.5 pairs in "
        f"operation at end-2024 (湖南省交通运输厅 2025-01-10); {len(placed)} placed on the network "
        f"({basis['km']} by km post, {basis['order']} by order along route), {basis['outside']} outside the "
        f"modelled network, {basis['unplaced:']} unplaced."
    )
    assert sites in readme
    assert len(placed) == basis["km"] + basis["order"]


def test_every_row_cites_a_source_and_flags_its_position():
    for r in _rows("edges.csv"):
        assert "http" in r["length_source"] or "approximation" in r["length_source"], r
    for r in _rows("service_areas.csv"):
        assert "http" in r["source"] and r["position_basis"], r["name_zh"]
        assert r["has_chargers_2024"].startswith("yes") and "jtt.hunan.gov.cn" in r["has_chargers_2024"]


def test_service_areas_sit_on_their_own_expressway():
    G = load_hunan().G
    by_name = {d["name"]: n for n, d in G.nodes(data=True) if d["kind"] == "service_area"}
    xiangyin = by_name["湘阴服务区"]
    assert G.nodes[xiangyin]["expressway"] == "G0421" and G.nodes[xiangyin]["has_chargers"]
    assert all(G.edges[xiangyin, n]["corridors"] == ["G0421"] for n in G.neighbors(xiangyin))
    taizimiao = by_name["太子庙服务区"]
    assert G.edges["yiyang", taizimiao]["length_km"] == 51.5  # placed by its km post, not evenly


def test_export_writes_service_areas_as_nodes_of_kind_service_area(tmp_path, capsys):
    assert main(["export", "--network", "hunan", "--out", str(tmp_path)]) == 0
    nodes = list(csv.DictReader((tmp_path / "nodes.csv").open(encoding="utf-8")))
    kinds = Counter(r["kind"] for r in nodes)
    assert kinds == {"city": 20, "service_area": 23}
    names = {r["name"] for r in nodes if r["kind"] == "service_area"}
    assert {"湘阴服务区", "太子庙服务区", "长沙西服务区"} <= names
