"""Candidate sites: service areas by default, cities only when asked, planner-added sites, gaps."""

from __future__ import annotations

import json

import pytest

from siting.cli import main
from siting.errors import GraphError
from siting.inputs import resolve_candidates
from siting.models.instance import build_instance
from siting.networks import load_hunan
from siting.sites import candidate_gaps


def _kinds(ds, ids):
    return {ds.G.nodes[n]["kind"] for n in ids}


def test_city_is_never_a_candidate_unless_asked():
    ds = load_hunan()
    auto = resolve_candidates(ds, "auto")
    assert auto and _kinds(ds, auto) == {"service_area"}
    assert resolve_candidates(ds, None) == auto == resolve_candidates(ds, "service-areas")
    assert _kinds(ds, resolve_candidates(ds, "cities")) == {"city"}
    assert resolve_candidates(ds, "service-areas,changsha") == [*auto, "changsha"]
    assert set(resolve_candidates(ds, "all")) == set(ds.G.nodes)
    # The library default is the same: a graph of cities only has no default candidate.
    inst = build_instance(ds.G, ds.trips, 300.0)
    assert inst.candidates == auto
    with pytest.raises(GraphError, match="cities are not candidate sites unless asked"):
        build_instance(ds.G.subgraph(["changsha", "xiangtan"]).copy(), [], 300.0)


def test_default_hunan_plan_picks_service_areas_only(capsys):
    assert main("plan --network hunan --stations 8 --curve-max 0 --format json".split()) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["new_stations"]) == 8
    assert {d["kind"] for d in doc["station_details"]} == {"service_area"}
    assert (
        main("plan --network hunan --stations 2 --curve-max 0 --candidates cities --format json".split()) == 0
    )
    asked = json.loads(capsys.readouterr().out)
    assert {d["kind"] for d in asked["station_details"]} == {"city"}


def test_city_only_files_need_candidates_named(tmp_path, capsys):
    (tmp_path / "e.csv").write_text("from,to,length_km\na,b,10\nb,c,10\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text("origin,destination,flow\na,c,5\n", encoding="utf-8")
    files = ["--edges", str(tmp_path / "e.csv"), "--flows", str(tmp_path / "od.csv")]
    assert main(["plan", *files, "--stations", "1"]) == 2
    assert "cities are not candidate sites unless asked" in capsys.readouterr().err
    assert main(["plan", *files, "--stations", "1", "--candidates", "b", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["stations"] == ["b"]


def test_hunan_long_edges_are_reported_with_the_trips_they_cut():
    ds = load_hunan()
    # The longest edge on a trip is G55 常德-涟源 (166.9 km): a 160 km range cannot cross it.
    inst = build_instance(ds.G, ds.trips, 160.0, candidates=resolve_candidates(ds, "auto"))
    gaps = candidate_gaps(inst)
    assert gaps and sum(g["trips"] for g in gaps) == len(inst.unservable)
    assert sum(g["flow"] for g in gaps) == pytest.approx(sum(ds.trips[q].flow for q in inst.unservable))
    edges = [g for g in gaps if g["kind"] == "edge"]
    assert edges and all(g["length_km"] > 160.0 and "--add-candidate" in g["hint"] for g in edges)
