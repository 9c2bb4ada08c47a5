"""OSM import of a dual carriageway: one line per road, one node per service-area pair (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from siting.cli import main
from siting.geo import line_length_km
from siting.osm import read_osm

# G4 runs north from 28.0 N to 28.5 N as two oneway carriageways 40 m apart (motorway implies
# oneway): northbound ids 1xx east of 113.0 E, southbound ids 2xx west of it, drawn north to south.
# At 28.2 N an interchange: a ramp leaves the northbound side (node 105) for the two-way trunk road
# S1 (nodes 300-301, east), another joins S1 to the southbound side (node 205). At 28.35 N a
# service-area pair, one area beside each carriageway, 110 m apart along the road.
_NB = [(101, 28.0), (102, 28.1), (105, 28.195), (106, 28.3), (107, 28.35), (108, 28.5)]
_SB = [(201, 28.5), (207, 28.351), (206, 28.3), (205, 28.205), (202, 28.1), (203, 28.0)]


def _osm() -> str:
    nodes = [f'<node id="{i}" lat="{lat}" lon="113.0002"/>' for i, lat in _NB]
    nodes += [f'<node id="{i}" lat="{lat}" lon="112.9998"/>' for i, lat in _SB]
    nodes += [
        '<node id="300" lat="28.2" lon="113.01"/>',
        '<node id="301" lat="28.2" lon="113.4"/>',
        '<node id="400" lat="28.35" lon="113.0012"><tag k="highway" v="services"/>'
        '<tag k="name" v="测试服务区"/></node>',
        '<node id="401" lat="28.351" lon="112.9988"><tag k="highway" v="services"/>'
        '<tag k="name" v="测试服务区"/></node>',
    ]

    def way(wid: int, refs: list[int], highway: str, ref: str = "", oneway: str = "") -> str:
        tags = f'<tag k="highway" v="{highway}"/>' + (f'<tag k="ref" v="{ref}"/>' if ref else "")
        tags += f'<tag k="oneway" v="{oneway}"/>' if oneway else ""
        return f'<way id="{wid}">' + "".join(f'<nd ref="{r}"/>' for r in refs) + tags + "</way>"

    ways = [
        way(10, [i for i, _ in _NB], "motorway", "G4"),
        way(20, [i for i, _ in _SB], "motorway", "G4"),
        way(30, [300, 301], "trunk", "S1"),
        way(40, [105, 300], "motorway_link", oneway="yes"),
        way(41, [300, 205], "motorway_link", oneway="yes"),
    ]
    return '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">' + "".join(nodes + ways) + "</osm>"


@pytest.fixture
def dual(tmp_path: Path) -> Path:
    path = tmp_path / "dual.osm"
    path.write_text(_osm(), encoding="utf-8")
    return path


def _g4_km(G: nx.Graph) -> float:
    return sum(d["length_km"] for _, _, d in G.edges(data=True) if "G4" in (d.get("corridors") or []))


def test_two_carriageways_become_one_line(dual: Path) -> None:
    road = line_length_km([(113.0, 28.0), (113.0, 28.5)])  # 55.3 km
    kept = read_osm(dual, merge_carriageways=False)
    assert _g4_km(kept) == pytest.approx(2 * road, rel=0.01)  # both carriageways, as drawn
    assert sum(1 for _, d in kept.nodes(data=True) if d["kind"] == "service_area") == 2

    G = read_osm(dual)
    assert _g4_km(G) == pytest.approx(road, rel=0.01)  # one line per road
    areas = [n for n, d in G.nodes(data=True) if d["kind"] == "service_area"]
    assert len(areas) == 1  # the pair is one site, serving both sides
    (sa,) = areas
    assert G.nodes[sa]["name"] == "测试服务区" and G.nodes[sa]["sides"] == 2
    assert 28.349 < G.nodes[sa]["y"] < 28.352
    # the G4 line is one chain from end to end: the interchange and the area on it, no ladder
    chain = G.graph["corridors"]["G4"]
    assert sa in chain and len(chain) == len(set(chain))
    # no ladder of parallel carriageways: the only cycle is the interchange's pair of ramps
    (cycle,) = nx.cycle_basis(G)
    assert set(cycle) == {"n105", "n300", "n205"}
    # S1 reaches the line through its ramps, near 28.2 N
    s1_end = next(n for n in G.nodes if abs(G.nodes[n]["x"] - 113.4) < 1e-6)
    path = nx.shortest_path(G, s1_end, sa, weight="length_km")
    assert nx.path_weight(G, path, "length_km") == pytest.approx(
        line_length_km([(113.4, 28.2), (113.0, 28.2)]) + line_length_km([(113.0, 28.2), (113.0, 28.35)]),
        abs=1.5,
    )


def test_one_carriageway_per_direction_only_where_both_are_drawn(tmp_path: Path) -> None:
    # a single two-way motorway (oneway=no) and a lone oneway carriageway are kept as they are
    text = _osm().replace(
        '<tag k="ref" v="G4"/></way><way id="20"',
        '<tag k="ref" v="G4"/><tag k="oneway" v="no"/></way><way id="20"',
    )
    path = tmp_path / "mixed.osm"
    path.write_text(text, encoding="utf-8")
    G = read_osm(path)
    assert _g4_km(G) == pytest.approx(2 * line_length_km([(113.0, 28.0), (113.0, 28.5)]), rel=0.01)


def test_plan_on_a_dual_carriageway_extract_picks_the_pair(
    dual: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "zones.csv").write_text(
        "id,kind,weight,x,y,name\nsouth,city,3,113.0,27.99,South\nnorth,city,3,113.0,28.51,North\n"
        "east,city,2,113.41,28.2,East\n",
        encoding="utf-8",
    )
    args = ["plan", "--edges", str(dual), "--nodes", str(tmp_path / "zones.csv"), "--range-km", "90"]
    assert main([*args, "--stations", "1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["stations"]) == 1 and doc["station_details"][0]["name"] == "测试服务区"
    assert doc["covered_flow"] > 0
