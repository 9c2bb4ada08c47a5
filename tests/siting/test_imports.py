"""Planners' own networks: OSM extracts (XML and PBF), GeoJSON without lengths, CRSs, zones."""

from __future__ import annotations

import json

import coordTransform
import osmium
import pytest

from siting.cli import main
from siting.errors import InputError
from siting.geo import line_length_km, to_wgs84
from siting.io import read_geojson, read_network
from siting.osm import read_osm

# A motorway G4 west-east along 28 N: ways 10 and 11 meet at node 7, where a service area lies;
# a trunk road G107 leaves node 3 northwards; a motorway_link joins node 4 and node 8; a primary
# road (not kept); a G65 piece far away (a second component, dropped); a rest area (closed way)
# too far from any kept road to snap.
_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="siting tests">
  <node id="1" lat="28.0" lon="112.0"/>
  <node id="2" lat="28.0" lon="112.5"/>
  <node id="3" lat="28.0" lon="113.0"/>
  <node id="4" lat="28.0" lon="113.5"/>
  <node id="5" lat="28.5" lon="113.0"/>
  <node id="7" lat="28.0" lon="112.75"/>
  <node id="8" lat="28.01" lon="113.52"/>
  <node id="9" lat="28.006" lon="112.752"><tag k="highway" v="services"/><tag k="name" v="测试服务区"/></node>
  <node id="20" lat="25.0" lon="110.0"/>
  <node id="21" lat="25.0" lon="110.2"/>
  <node id="30" lat="28.3" lon="112.1"/>
  <node id="31" lat="28.31" lon="112.1"/>
  <node id="32" lat="28.31" lon="112.11"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="7"/><tag k="highway" v="motorway"/>
    <tag k="ref" v="G4"/></way>
  <way id="11"><nd ref="7"/><nd ref="3"/><nd ref="4"/><tag k="highway" v="motorway"/>
    <tag k="ref" v="G4"/></way>
  <way id="12"><nd ref="3"/><nd ref="5"/><tag k="highway" v="trunk"/><tag k="ref" v="G107;S20"/></way>
  <way id="13"><nd ref="1"/><nd ref="5"/><tag k="highway" v="primary"/></way>
  <way id="14"><nd ref="4"/><nd ref="8"/><tag k="highway" v="motorway_link"/></way>
  <way id="15"><nd ref="20"/><nd ref="21"/><tag k="highway" v="motorway"/><tag k="ref" v="G65"/></way>
  <way id="16"><nd ref="30"/><nd ref="31"/><nd ref="32"/><nd ref="30"/><tag k="highway" v="rest_area"/></way>
</osm>
"""


@pytest.fixture
def osm_xml(tmp_path):
    path = tmp_path / "extract.osm"
    path.write_text(_OSM, encoding="utf-8")
    return path


def test_osm_xml_keeps_motorway_and_trunk_with_geodesic_lengths(osm_xml):
    G = read_osm(osm_xml)
    assert sorted(G.nodes) == ["n1", "n3", "n4", "n5", "n7", "n8"]
    assert G.nodes["n7"]["kind"] == "service_area" and G.nodes["n7"]["name"] == "测试服务区"
    assert G.nodes["n1"]["kind"] == "interchange"
    # n1 - n2 - n7 is one edge (n2 contracted), its length the geodesic length of the polyline
    expected = line_length_km([(112.0, 28.0), (112.5, 28.0), (112.75, 28.0)])
    assert G.edges["n1", "n7"]["length_km"] == pytest.approx(expected)
    assert expected == pytest.approx(0.75 * 98.362, rel=1e-3)
    assert G.edges["n3", "n5"]["corridors"] == ["G107"]
    assert G.graph["corridors"]["G4"] == ["n1", "n7", "n3", "n4"]
    # the far G65 piece is another component: dropped and counted; the rest area is too far to snap
    assert G.graph["osm_dropped"] == {"components": 1, "nodes": 2}
    assert not read_osm(osm_xml, links=False).has_node("n8")


def test_osm_pbf_reads_the_same_network(osm_xml, tmp_path):
    pbf = tmp_path / "extract.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(osm_xml)):
            writer.add(obj)
    G, H = read_osm(osm_xml), read_osm(pbf)
    assert sorted(G.edges) == sorted(H.edges)
    assert H.edges["n1", "n7"]["length_km"] == pytest.approx(G.edges["n1", "n7"]["length_km"])


def test_osm_errors_are_named(tmp_path):
    empty = tmp_path / "none.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="1" lon="1"/></osm>', encoding="utf-8")
    with pytest.raises(InputError, match="no way tagged highway=motorway"):
        read_osm(empty)
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not xml", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable OSM file"):
        read_osm(bad)


def test_cli_plans_on_an_osm_extract_with_zones(osm_xml, tmp_path, capsys):
    # cities with weights and coordinates, attached to the nearest network node by a connector
    (tmp_path / "zones.csv").write_text(
        "id,kind,weight,x,y,name\nwest,city,3,111.98,28.01,West\neast,city,5,113.52,28.0,East\n"
        "north,city,2,113.0,28.52,North\n",
        encoding="utf-8",
    )
    args = ["plan", "--edges", str(osm_xml), "--nodes", str(tmp_path / "zones.csv")]
    assert main([*args, "--range-km", "150", "--stations", "1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stations"] == ["n7"] and doc["status"] == "optimal"


def _line(coords, **props):
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props}


def test_geojson_without_lengths_or_ends_uses_geometry_and_shared_endpoints(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            _line([[112.0, 28.0], [112.5, 28.0]], ref="G4"),
            _line([[112.5, 28.0], [113.0, 28.0]], ref="G4"),
            _line([[112.5, 28.0], [112.5, 28.5]], name="S20", length_km=60),
        ],
    }
    (tmp_path / "net.geojson").write_text(json.dumps(doc), encoding="utf-8")
    G = read_geojson(tmp_path / "net.geojson")
    mid = "112.500000,28.000000"
    assert G.degree(mid) == 3 and G.number_of_nodes() == 4
    assert G.edges["112.000000,28.000000", mid]["length_km"] == pytest.approx(49.181, abs=1e-3)
    assert G.edges[mid, "112.500000,28.500000"]["length_km"] == 60.0  # a given length wins
    assert G.graph["corridors"]["G4"] == ["112.000000,28.000000", mid, "113.000000,28.000000"]


def test_geojson_in_gcj02_and_in_a_projected_crs(tmp_path):
    wgs = [(112.0, 28.0), (112.5, 28.0)]
    gcj = [coordTransform.wgs84_to_gcj02(x, y) for x, y in wgs]  # the same points, as web maps show them
    assert 0.3 < line_length_km([wgs[0], tuple(gcj[0])]) < 0.7  # the shift is some hundreds of metres
    (tmp_path / "g.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [_line(gcj, ref="G4")]}), encoding="utf-8"
    )
    G = read_geojson(tmp_path / "g.geojson", "gcj02")
    xs = sorted((round(d["x"], 5), round(d["y"], 5)) for _, d in G.nodes(data=True))
    assert xs == [(round(x, 5), round(y, 5)) for x, y in wgs]
    # CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), declared in the file's crs member
    xy = [[500000.0, 3100000.0], [500000.0, 3150000.0]]
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4547"}}}
    doc["features"] = [_line(xy)]
    (tmp_path / "p.geojson").write_text(json.dumps(doc), encoding="utf-8")
    H = read_geojson(tmp_path / "p.geojson")
    ((u, v, d),) = H.edges(data=True)
    assert d["length_km"] == pytest.approx(50.0, rel=2e-3)  # ground length, 50 km of grid northing
    assert all(d["x"] == pytest.approx(114.0) for _, d in H.nodes(data=True))
    with pytest.raises(InputError, match="unknown CRS 'EPSG:999999'"):
        read_geojson(tmp_path / "p.geojson", "EPSG:999999")


def test_gcj02_round_trip_is_exact_to_a_millimetre():
    for lon, lat in [(112.9388, 28.2282), (109.5, 25.9), (113.9, 29.6)]:
        gx, gy = coordTransform.wgs84_to_gcj02(lon, lat)
        ((x, y),) = to_wgs84([(gx, gy)], "gcj02")
        assert abs(x - lon) < 1e-8 and abs(y - lat) < 1e-8


def test_nodes_file_rows_off_the_network_need_coordinates(osm_xml, tmp_path):
    (tmp_path / "z.csv").write_text("id,weight\nsomewhere,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="node somewhere is not on the network and has no x,y"):
        read_network(tmp_path / "z.csv", osm_xml)


def test_nodes_csv_coordinates_in_a_projected_crs_are_stored_as_wgs84(tmp_path):
    (tmp_path / "n.csv").write_text("id,x,y\na,500000,3100000\nb,500000,3150000\n", encoding="utf-8")
    (tmp_path / "e.csv").write_text("from,to,length_km\na,b,50\n", encoding="utf-8")
    G = read_network(tmp_path / "n.csv", tmp_path / "e.csv", crs="EPSG:4547")
    assert G.nodes["a"]["x"] == pytest.approx(114.0) and 27.9 < G.nodes["a"]["y"] < 28.1
