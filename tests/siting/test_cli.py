from __future__ import annotations

import json

import pytest

from siting.cli import main
from siting.models import build_instance, solve_max_flow
from siting.networks import load_hunan


def _json(capsys, command: str, *extra: str):
    """Run ``siting <command> --format json`` and parse its standard output."""
    assert main([*command.split(), *extra, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_plan_hunan_json_and_output_folder(tmp_path, capsys):
    out = tmp_path / "hunan-ev"
    doc = _json(capsys, "plan --network hunan --range-km 300 --stations 5 --fuel ev --out", str(out))
    assert doc["status"] == "optimal" and doc["gap"] == 0.0
    assert len(doc["stations"]) == 5
    ds = load_hunan()
    areas = [n for n, kind in ds.G.nodes(data="kind") if kind == "service_area"]
    expected = solve_max_flow(build_instance(ds.G, ds.trips, 300.0, candidates=areas), 5)
    assert doc["covered_flow"] == pytest.approx(expected.covered_flow, rel=1e-6)
    assert doc["covered_flow_pct"] == pytest.approx(100 * doc["covered_flow"] / doc["total_flow"], abs=1e-3)
    assert [c["p"] for c in doc["curve"]] == [1, 2, 3, 4, 5]
    pcts = [c["covered_flow_pct"] for c in doc["curve"]]
    assert pcts == sorted(pcts) and pcts[-1] == pytest.approx(doc["covered_flow_pct"])
    assert all(d["sizing"]["servers"] >= 1 for d in doc["station_details"])
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["stations"] == doc["stations"]
    geo = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    points = [f for f in geo["features"] if f["geometry"]["type"] == "Point"]
    assert sorted(f["properties"]["id"] for f in points) == sorted(doc["stations"])
    assert any(f["properties"].get("corridor") == "G4" for f in geo["features"])
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert (out / "curve.png").read_bytes()[:4] == b"\x89PNG"


def test_plan_from_exported_csv_files_matches_builtin(tmp_path, capsys):
    assert main(["export", "--network", "hunan", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    files = f"--nodes {tmp_path / 'nodes.csv'} --edges {tmp_path / 'edges.csv'} --flows {tmp_path / 'od.csv'}"
    plan = "plan --range-km 300 --stations 3 --curve-max 0"
    from_files = _json(capsys, f"{plan} {files}")
    builtin = _json(capsys, f"{plan} --network hunan")
    assert from_files["covered_flow"] == pytest.approx(builtin["covered_flow"], rel=1e-6)
    assert from_files["curve"] == []


def test_bad_inputs_exit_2_with_named_rows(tmp_path, capsys):
    (tmp_path / "e.csv").write_text("from,to,length_km\na,b,10\nc,d,10\n", encoding="utf-8")
    assert main(["plan", "--edges", str(tmp_path / "e.csv"), "--stations", "1"]) == 2
    assert "disconnected: 2 components; component 2 holds c, d" in capsys.readouterr().err
    (tmp_path / "e2.csv").write_text("from,to,length_km\na,b,10\nb,c,400\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text("origin,destination,flow,path\na,c,5,\na,q,1,\n", encoding="utf-8")
    files = ["--edges", str(tmp_path / "e2.csv"), "--flows", str(tmp_path / "od.csv"), "--candidates", "all"]
    assert main(["plan", *files, "--stations", "1"]) == 2
    assert "row 3: destination q" in capsys.readouterr().err
    (tmp_path / "od.csv").write_text("origin,destination,flow,path\na,c,5,\na,b,1,a b\n", encoding="utf-8")
    assert main(["plan", *files, "--stations", "1", "--range-km", "300", "--refuse-unservable"]) == 2
    assert "trip 1 (a->c) crosses edge b-c of 400 km" in capsys.readouterr().err
    # By default the long edge is a report, and the rest is planned.
    doc = _json(capsys, "plan --stations 1 --range-km 300", *files)
    assert doc["unservable"][0]["reason"] == "edge b-c is 400 km, longer than the range 300 km"
    assert doc["covered_flow"] == 1.0 and doc["total_flow"] == 6.0
    gap = doc["candidate_gaps"][0]
    assert (gap["kind"], gap["from_node"], gap["to_node"], gap["trips"], gap["flow"]) == (
        "edge",
        "b",
        "c",
        1,
        5.0,
    )
    assert "--add-candidate b:c:200" in gap["hint"]
    # The planner adds two sites inside the long edge: the trip becomes servable and is refuelled.
    add = ["--add-candidate", "b:c:150", "--add-candidate", "b:c:300"]
    doc = _json(capsys, "plan --stations 3 --range-km 300", *files, *add)
    assert doc["unservable"] == [] and doc["candidate_gaps"] == []
    assert "b-c@300" in doc["stations"] and doc["covered_flow"] == 6.0


def test_cover_size_and_compare(tmp_path, capsys):
    cover = _json(capsys, "cover --network hunan --candidates service-areas")
    assert cover["status"] == "optimal"
    assert cover["covered_flow"] == pytest.approx(cover["total_flow"] - cover["unservable_flow"], rel=1e-9)
    assert cover["unservable"] and all(u["reason"] for u in cover["unservable"])
    plan_dir = tmp_path / "ev"
    assert (
        main(["plan", "--network", "hunan", "--stations", "4", "--curve-max", "0", "--out", str(plan_dir)])
        == 0
    )
    assert "Station plan" in capsys.readouterr().out
    plan_json = str(plan_dir / "plan.json")
    sized = _json(capsys, "size --network hunan --fuel ev --plan", plan_json)
    planned = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    servers = [d["sizing"]["servers"] for d in planned["station_details"]]
    assert [d["sizing"]["servers"] for d in sized["station_details"]] == servers
    h2 = _json(capsys, "plan --network hunan --fuel h2 --stations 2 --curve-max 0 --share-sites", plan_json)
    assert set(h2["stations"]) <= set(planned["stations"]) and h2["range_km"] == 400.0
    assert h2["station_details"][0]["sizing"]["server_name"] == "dispenser"
    assert h2["station_details"][0]["sizing"]["modules"] >= 1
    both = _json(capsys, "compare --network hunan --scenario ev:ev:300:3 --scenario h2:h2:400:3")
    assert [d["scenario"] for d in both] == ["ev", "h2"]
    assert both[1]["covered_flow"] >= both[0]["covered_flow"] - 1e-9  # a longer range never refuels less


def test_zh_text_summary(capsys):
    assert main("plan --network 25node --range-km 10 --stations 2 --curve-max 0 --lang zh".split()) == 0
    out = capsys.readouterr().out
    assert "站点布局方案" in out and "可补能流量" in out


def test_rollout_periods_add_stations_within_budgets(tmp_path, capsys):
    (tmp_path / "costs.csv").write_text("id,cost\nchangsha,2\nxiangtan,1\n", encoding="utf-8")
    periods = _json(capsys, "rollout --network hunan --budgets 2,3 --costs", str(tmp_path / "costs.csv"))
    assert [p["period"] for p in periods] == [1, 2]
    assert all(p["spent"] <= p["budget"] + 1e-9 for p in periods)
    assert set(periods[0]["stations"]) <= set(periods[1]["stations"])
    assert periods[1]["covered_flow"] >= periods[0]["covered_flow"]
    assert main(["rollout", "--network", "hunan", "--budgets", "two"]) == 2
    assert "expected numbers" in capsys.readouterr().err


def test_candidate_file_and_cost_minimising_cover(tmp_path, capsys):
    (tmp_path / "sites.txt").write_text("changsha\nxiangtan\nhengyang\nchenzhou\n", encoding="utf-8")
    doc = _json(
        capsys, "plan --network hunan --stations 2 --curve-max 0 --candidates", str(tmp_path / "sites.txt")
    )
    assert set(doc["stations"]) <= {"changsha", "xiangtan", "hengyang", "chenzhou"}
    # W3 - Y - X - Z - W4: two dear sites (Y, Z) or three cheap ones (W3, X, W4) refuel every trip.
    (tmp_path / "e.csv").write_text("from,to,length_km\nW3,Y,1\nY,X,1\nX,Z,1\nZ,W4,1\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text(
        "origin,destination,flow\nY,X,5\nX,Z,5\nW3,Y,4\nZ,W4,4\n", encoding="utf-8"
    )
    (tmp_path / "costs.csv").write_text("id,cost\nY,5\nZ,5\n", encoding="utf-8")
    files = f"--edges {tmp_path / 'e.csv'} --flows {tmp_path / 'od.csv'} --range-km 10 --candidates all"
    by_count = _json(capsys, f"cover {files} --costs {tmp_path / 'costs.csv'}")
    by_cost = _json(capsys, f"cover {files} --costs {tmp_path / 'costs.csv'} --minimise cost")
    assert (sorted(by_count["new_stations"]), by_count["cost"]) == (["Y", "Z"], 10.0)
    assert (sorted(by_cost["new_stations"]), by_cost["cost"]) == (["W3", "W4", "X"], 3.0)
    assert by_cost["covered_flow"] == by_count["covered_flow"] == 18.0
    assert main(["plan", "--network", "hunan", "--stations", "1", "--candidates", "changsha,nowhere"]) == 2
    assert "candidate sites not in the graph: nowhere" in capsys.readouterr().err
