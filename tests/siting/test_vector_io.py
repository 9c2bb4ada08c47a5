"""GeoPackage and Shapefile input (pyogrio + shapely): files written here by the same library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import coordTransform
import numpy as np
import pyogrio.raw
import pytest
import shapely
from shapely.geometry import LineString, Point

from siting.cli import main
from siting.errors import InputError
from siting.geo import distance_km, line_length_km
from siting.io import read_network
from siting.vector import read_vector


def write_layer(
    path: Path,
    geoms: list[Any],
    fields: dict[str, list[Any]],
    *,
    layer: str,
    crs: str | None,
    geometry_type: str,
    driver: str,
) -> None:
    """One layer written with pyogrio (GeoPackage layers are added to an existing file)."""
    data = [
        np.array(v, dtype=np.float64) if all(isinstance(x, float) for x in v) else np.array(v, dtype=object)
        for v in fields.values()
    ]
    pyogrio.raw.write(
        path,
        shapely.to_wkb(np.array(geoms, dtype=object)),
        data,
        list(fields),
        layer=layer,
        driver=driver,
        geometry_type=geometry_type,
        crs=crs,
    )


@pytest.fixture
def gpkg(tmp_path: Path) -> Path:
    """Roads in CGCS2000 / Gauss-Kruger 114E (EPSG:4547) with no lengths, and a layer of sites:
    city a - service area s - city b - city c, straight north then east, 50/50/60 km on the grid."""
    path = tmp_path / "network.gpkg"
    a, s, b = (500000.0, 3120000.0), (500000.0, 3170000.0), (500000.0, 3220000.0)
    c = (560000.0, 3220000.0)
    write_layer(
        path,
        [LineString([a, (500000.0, 3145000.0), s]), LineString([s, b]), LineString([b, c])],
        {"corridor": ["G4", "G4", "S1"], "name": ["a-s", "s-b", "b-c"]},
        layer="roads",
        crs="EPSG:4547",
        geometry_type="LineString",
        driver="GPKG",
    )
    write_layer(
        path,
        [Point(a), Point(s), Point(b), Point(c)],
        {
            "id": ["a", "s", "b", "c"],
            "kind": ["city", "service_area", "city", "city"],
            "weight": [2.0, 0.0, 1.0, 1.0],
            "name": ["甲市", "乙服务区", "丙市", "丁市"],
            "existing_bays": [float("nan"), 8.0, float("nan"), float("nan")],
        },
        layer="sites",
        crs="EPSG:4547",
        geometry_type="Point",
        driver="GPKG",
    )
    return path


def test_geopackage_layers_lengths_from_geometry_and_crs(gpkg: Path) -> None:
    G = read_network(None, gpkg)
    assert set(G.nodes) == {"a", "s", "b", "c"}
    assert G.nodes["s"]["kind"] == "service_area" and G.nodes["s"]["name"] == "乙服务区"
    assert G.nodes["s"]["existing_bays"] == 8 and "existing_bays" not in G.nodes["a"]  # NULL is absent
    # x,y are WGS-84 lon/lat: the grid's false easting 500 km is the central meridian 114 E
    assert G.nodes["a"]["x"] == pytest.approx(114.0, abs=1e-9) and 28.1 < G.nodes["a"]["y"] < 28.3
    # geodesic lengths on the ellipsoid; on the central meridian the grid scale is 1
    assert G.edges["a", "s"]["length_km"] == pytest.approx(50.0, abs=0.05)
    assert G.edges["s", "b"]["length_km"] == pytest.approx(50.0, abs=0.05)
    assert G.edges["b", "c"]["length_km"] == pytest.approx(60.0, rel=0.002)
    assert G.edges["a", "s"]["corridors"] == ["G4"] and G.edges["b", "c"]["corridors"] == ["S1"]


def test_cli_plans_on_a_geopackage(gpkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["plan", "--edges", str(gpkg), "--range-km", "120", "--stations", "1", "--format", "json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["stations"] == ["s"]  # the service area, never a city unless asked
    assert doc["covered_flow"] > 0


def test_shapefile_fields_given_lengths_and_ends(tmp_path: Path) -> None:
    path = tmp_path / "roads.shp"
    p, q, r = (112.0, 28.0), (112.5, 28.0), (113.0, 28.2)
    write_layer(
        path,
        [LineString([p, q]), LineString([q, r])],
        {
            "from": ["x", None],
            "to": ["y", None],
            "length_km": [55.5, float("nan")],
            "ref": ["G60", "G60"],
        },
        layer="roads",
        crs="EPSG:4326",
        geometry_type="LineString",
        driver="ESRI Shapefile",
    )
    assert path.with_suffix(".prj").exists()
    G = read_vector(path)
    assert G.edges["x", "y"]["length_km"] == 55.5  # the field where set
    # the second line names no ends: it starts at y (where the first line ends) and ends at a node
    # named by its coordinates; its length comes from its geometry
    (end,) = [n for n in G.nodes if n not in ("x", "y")]
    assert end == "113.000000,28.200000"
    assert G.nodes["y"]["x"] == 112.5 and G.nodes["y"]["y"] == 28.0
    assert G.edges["y", end]["length_km"] == pytest.approx(line_length_km([q, r]), rel=1e-9)
    assert G.edges["y", end]["corridors"] == ["G60"]
    # the same lines in the other order give the same graph
    flipped = tmp_path / "flipped.shp"
    write_layer(
        flipped,
        [LineString([q, r]), LineString([p, q])],
        {"from": [None, "x"], "to": [None, "y"], "length_km": [float("nan"), 55.5], "ref": ["G60", "G60"]},
        layer="flipped",
        crs="EPSG:4326",
        geometry_type="LineString",
        driver="ESRI Shapefile",
    )
    H = read_vector(flipped)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}


def test_shapefile_without_prj_in_gcj02(tmp_path: Path) -> None:
    wgs = [(112.9388, 28.2282), (113.1340, 27.8274)]  # Changsha, Zhuzhou
    gcj = [tuple(float(c) for c in coordTransform.wgs84_to_gcj02(x, y)) for x, y in wgs]
    path = tmp_path / "mars.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        write_layer(
            path,
            [LineString(gcj)],
            {"corridor": ["G4"]},
            layer="mars",
            crs=None,
            geometry_type="LineString",
            driver="ESRI Shapefile",
        )
    assert not path.with_suffix(".prj").exists()
    shifted = read_vector(path)  # no CRS: read as WGS-84, so the ends are off by the GCJ-02 shift
    G = read_vector(path, crs="gcj02")
    pts = sorted((d["x"], d["y"]) for _, d in G.nodes(data=True))
    for got, want in zip(pts, sorted(wgs), strict=True):
        assert distance_km(got, want) < 1e-5  # within a centimetre
    off = sorted((d["x"], d["y"]) for _, d in shifted.nodes(data=True))
    assert distance_km(off[0], sorted(wgs)[0]) > 0.1


def test_unreadable_or_lineless_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(InputError, match="bad.gpkg: not a readable GeoPackage/Shapefile"):
        read_vector(bad)
    points = tmp_path / "points.shp"
    write_layer(
        points,
        [Point(112.0, 28.0)],
        {"id": ["a"]},
        layer="points",
        crs="EPSG:4326",
        geometry_type="Point",
        driver="ESRI Shapefile",
    )
    with pytest.raises(InputError, match="no line features"):
        read_vector(points)
    assert main(["plan", "--edges", str(bad), "--stations", "1"]) == 2
    assert "not a readable" in capsys.readouterr().err
