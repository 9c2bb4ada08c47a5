"""Honest scale: p above the candidate count is refused, curves are solved incrementally with a
certified gap per point, and a point no better than the heuristic says so."""

from __future__ import annotations

import json

import pytest

from siting.cli import main
from siting.errors import InputError
from siting.models import build_instance, solve_max_flow
from siting.models.instance import PlanResult
from siting.networks import load_network25
from siting.planning import _verdict, coverage_curve, plan_stations


def test_more_stations_than_candidates_is_a_clear_error(capsys):
    assert main("plan --network hunan --stations 100 --format json".split()) == 2
    err = capsys.readouterr().err
    n_areas = err.split("(")[1].split(" candidates")[0]
    assert "--stations 100 asks for more new stations than there are candidate sites" in err
    assert int(n_areas) < 100 and f"ask for at most {n_areas}" in err
    assert main("plan --network hunan --stations 2 --curve-max 500 --format json".split()) == 2
    assert "--curve-max 500" in capsys.readouterr().err
    ds = load_network25()
    inst = build_instance(ds.G, ds.trips, 12.0, candidates=["1", "2"])
    with pytest.raises(InputError, match=r"\(2 candidates\)"):
        coverage_curve(inst, [1, 2, 3])


def test_incremental_curve_matches_independent_exact_solves():
    ds = load_network25()
    inst = build_instance(ds.G, ds.trips, 10.0, candidates=list(ds.G))
    seen: list[int] = []
    curve = coverage_curve(inst, range(1, 9), on_step=lambda p, r: seen.append(p))
    assert seen == list(range(1, 9)) and [r.p for r in curve] == seen
    for r in curve:
        assert r.covered_flow == pytest.approx(solve_max_flow(inst, r.p).covered_flow)
        assert (r.status, r.gap, r.extra["verdict"]) == ("optimal", 0.0, "optimal")
        assert len(r.new_stations) == r.p
    assert {r.extra["warm_start"] for r in curve[1:]} <= {"previous p + greedy", "heuristic"}


def test_a_loose_gap_target_is_certified_and_reported():
    ds = load_network25()
    inst = build_instance(ds.G, ds.trips, 10.0, candidates=list(ds.G))
    for r in coverage_curve(inst, range(1, 7), gap_target=0.2):
        assert r.extra["verdict"] in ("optimal", "within_gap") and r.gap is not None and r.gap <= 0.2
        assert r.extra["gap_target"] == 0.2
        # "optimal" is kept for a closed gap; a point stopped at 0.2 is only "feasible".
        assert (r.status == "optimal") == (r.gap <= 1e-6)


def _result(covered: float, gap: float | None, status: str = "feasible") -> PlanResult:
    return PlanResult(status, "exact", [], [], [], covered, 100.0, gap, None, 0.0)


def test_verdicts_say_plainly_when_the_exact_search_did_not_beat_the_heuristic():
    heuristic = _result(40.0, None)
    assert _verdict(_result(40.0, 0.0, "optimal"), heuristic, 0.01) == "optimal"
    assert _verdict(_result(40.0, 0.005), heuristic, 0.01) == "within_gap"
    assert _verdict(_result(40.0, 0.8), heuristic, 0.01) == "no_better_than_heuristic"
    assert _verdict(_result(41.0, 0.8), heuristic, 0.01) == "improved_not_certified"


def test_cli_curve_shows_gap_and_verdict_per_point(capsys):
    assert main("plan --network 25node --range-km 10 --stations 4 --gap 0 --format json".split()) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["verdict"] for c in doc["curve"]] == ["optimal"] * 4 and doc["verdict"] == "optimal"
    assert doc["curve"][-1]["covered_flow"] == doc["covered_flow"]
    assert main("plan --network 25node --range-km 10 --stations 4".split()) == 0
    out = capsys.readouterr().out
    assert "Coverage curve" in out and "Verdict" in out
    assert (
        plan_stations(build_instance(load_network25().G, [], 10.0, candidates=["1"]), 1).status == "optimal"
    )
