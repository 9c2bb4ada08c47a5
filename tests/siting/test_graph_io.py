from __future__ import annotations

import json

import networkx as nx
import pytest

from siting.demand import gravity_trips, trips_from_flows
from siting.errors import DemandError, GraphError, InputError, RangeError
from siting.graph import build_graph
from siting.io import (
    read_edges_csv,
    read_flows_csv,
    read_geojson,
    read_graphml,
    read_network,
    read_nodes_csv,
    write_edges_csv,
    write_flows_csv,
    write_nodes_csv,
)
from siting.models.instance import build_instance
from siting.networks import load_hunan, load_network25


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_parallel_edges_keep_shorter_length_and_both_corridors():
    G = build_graph(
        [{"id": "a"}, {"id": "b"}],
        [
            {"from": "a", "to": "b", "length_km": 140.4, "corridor": "G72"},
            {"from": "b", "to": "a", "length_km": 106.2, "corridor": "G7221"},
        ],
    )
    assert G.edges["a", "b"]["length_km"] == pytest.approx(106.2)
    assert G.edges["a", "b"]["corridors"] == ["G72", "G7221"]
    assert G.graph["corridors"] == {"G72": ["a", "b"], "G7221": ["b", "a"]}


def test_disconnected_graph_is_refused_naming_the_stray_component():
    with pytest.raises(GraphError, match="disconnected: 2 components; component 2 holds x, y"):
        build_graph(
            [{"id": n} for n in "abcxy"],
            [
                {"from": "a", "to": "b", "length_km": 1},
                {"from": "b", "to": "c", "length_km": 1},
                {"from": "x", "to": "y", "length_km": 1},
            ],
        )


def test_edge_to_unknown_node_is_refused():
    with pytest.raises(GraphError, match=r"edge 1 \(a-q\): node q is not in the node list"):
        build_graph([{"id": "a"}], [{"from": "a", "to": "q", "length_km": 1}])


def test_csv_non_positive_length_names_the_line(tmp_path):
    p = _write(tmp_path / "e.csv", "from,to,length_km\na,b,5\nb,c,-2\n")
    with pytest.raises(InputError, match=r"e.csv line 3: edge b-c length_km must be positive, got -2.0"):
        read_edges_csv(p)


def test_csv_bad_number_and_missing_column_are_named(tmp_path):
    p = _write(tmp_path / "n.csv", "id,weight\na,12\nb,lots\n")
    with pytest.raises(InputError, match=r"n.csv line 3: column weight must be a number, got 'lots'"):
        read_nodes_csv(p)
    q = _write(tmp_path / "f.csv", "origin,dest,flow\na,b,1\n")
    with pytest.raises(InputError, match="missing column\\(s\\) destination"):
        read_flows_csv(q)


def test_csv_network_round_trip(tmp_path):
    G = load_hunan().G
    write_nodes_csv(G, tmp_path / "nodes.csv")
    write_edges_csv(G, tmp_path / "edges.csv")
    H = read_network(tmp_path / "nodes.csv", tmp_path / "edges.csv")
    assert sorted(H.nodes) == sorted(G.nodes)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}
    assert H.edges["changsha", "sa09"]["length_km"] == pytest.approx(G.edges["changsha", "sa09"]["length_km"])
    assert H.graph["corridors"]["G60"] in (G.graph["corridors"]["G60"], G.graph["corridors"]["G60"][::-1])
    assert H.nodes["changsha"]["weight"] == pytest.approx(10.047914)


def test_graphml_and_geojson_readers(tmp_path):
    G = nx.Graph()
    G.add_edge("a", "b", length_km=12.5)
    G.add_edge("b", "c", length_km=7.0)
    nx.write_graphml(G, tmp_path / "g.graphml")
    H = read_graphml(tmp_path / "g.graphml")
    assert H.edges["b", "c"]["length_km"] == 7.0
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [112.9, 28.2]},
                "properties": {"id": "cs", "kind": "city", "weight": 10},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [112.9, 27.85]},
                "properties": {"id": "xt"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[112.9, 28.2], [112.9, 27.85]]},
                "properties": {"length_km": 49.3, "expressway_code": "G4"},
            },
        ],
    }
    _write(tmp_path / "r.geojson", json.dumps(doc))
    K = read_geojson(tmp_path / "r.geojson")
    assert K.edges["cs", "xt"]["length_km"] == 49.3
    assert K.graph["corridors"] == {"G4": ["cs", "xt"]}
    doc["features"][2]["properties"].pop("length_km")  # now measured from the geometry
    _write(tmp_path / "measured.geojson", json.dumps(doc))
    assert read_geojson(tmp_path / "measured.geojson").edges["cs", "xt"]["length_km"] == pytest.approx(
        38.8, abs=0.1
    )
    doc["features"][2]["geometry"]["coordinates"] = [[112.9, 28.2]]
    _write(tmp_path / "bad.geojson", json.dumps(doc))
    with pytest.raises(InputError, match="feature 2 \\(LineString\\) has fewer than two coordinates"):
        read_geojson(tmp_path / "bad.geojson")


def test_flows_with_paths_and_bad_rows(tmp_path):
    G = nx.path_graph(["a", "b", "c", "d"])
    nx.set_edge_attributes(G, 10.0, "length_km")
    G.add_edge("a", "d", length_km=50.0)
    good = _write(tmp_path / "od.csv", "origin,destination,flow,path\na,d,3,a b c d\na,d,2,\n")
    trips = trips_from_flows(G, read_flows_csv(good))
    assert [t.path for t in trips] == [("a", "b", "c", "d"), ("a", "b", "c", "d")]
    assert trips[0].length_km == 30.0
    bad = _write(tmp_path / "bad.csv", "origin,destination,flow,path\na,d,3,a c d\nb,zz,1,\nc,c,1,\n")
    with pytest.raises(DemandError, match="row 3: destination zz"):
        trips_from_flows(G, read_flows_csv(bad))
    bad2 = _write(tmp_path / "bad2.csv", "origin,destination,flow,path\na,d,3,a c d\nc,c,1,\n")
    with pytest.raises(DemandError) as err:
        trips_from_flows(G, read_flows_csv(bad2))
    assert str(err.value) == (
        "O-D flows have invalid paths: row 2: path a c d is not a walk of the graph: no edge a-c; "
        "row 3: origin and destination are both c"
    )


def test_gravity_reproduces_published_25_node_flows():
    ds = load_network25()
    G = ds.G
    flows = {(t.origin, t.destination): t.flow for t in gravity_trips(G, beta=1.5)}
    published = {(t.origin, t.destination): t.flow for t in ds.trips}
    assert len(flows) == 300
    for key, value in published.items():
        assert flows[key] == pytest.approx(value, abs=1e-6)
    assert published[("2", "4")] == pytest.approx(328.0)


def test_edge_longer_than_range_refuses_naming_trip_and_edge():
    G = nx.path_graph(["a", "b", "c"])
    G.edges["a", "b"]["length_km"] = 80.0
    G.edges["b", "c"]["length_km"] = 260.0
    trips = trips_from_flows(
        G, [{"origin": "a", "destination": "b", "flow": 1}, {"origin": "a", "destination": "c", "flow": 1}]
    )
    with pytest.raises(RangeError, match=r"trip 2 \(a->c\) crosses edge b-c of 260 km"):
        build_instance(G, trips, 250, candidates=list(G), refuse_unservable=True)
    inst = build_instance(G, trips, 250, candidates=list(G))
    assert inst.unservable == {1: "edge b-c is 260 km, longer than the range 250 km"}


def test_flows_csv_written_with_paths_reads_back(tmp_path):
    ds = load_network25()
    write_flows_csv(ds.trips[:5], tmp_path / "od.csv")
    rows = read_flows_csv(tmp_path / "od.csv")
    assert [tuple(r["path"]) for r in rows] == [t.path for t in ds.trips[:5]]
    assert rows[0]["flow"] == 512.5
