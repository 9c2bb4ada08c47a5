"""The planners' pages over HTTP: the plan form, a job solved off the event loop, its result, downloads,
scenarios side by side, and the bounds of the in-memory job store."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
from typing import Any

import pytest

from csms.console import plan_jobs
from csms.console.plan_jobs import MAX_ACTIVE, MAX_KEPT, PlanJobs, TooManyJobs, solve_count
from csms.console.session import COOKIE
from siting.api import PlanRequest
from tests.harness import Csms

FORM = {"network": "hunan", "fuel": "ev", "mode": "stations", "stations": "4", "candidates": "auto"}


def store(csms: Csms) -> PlanJobs:
    return csms.app.state.console_plan_jobs


async def run(csms: Csms, user: Any, **form: str) -> str:
    """Submit the plan form, wait for its job; the job's id."""
    answer = await user.post("/console/planning", {**FORM, **form})
    assert answer.status_code == 303, answer.text
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    token_id = csms.app.state.console_sessions.read(user.http.cookies.get(COOKIE)).token_id
    job = store(csms).get(token_id, job_id)
    assert job is not None and job.task is not None
    await job.task
    return job_id


@pytest.mark.parametrize(("role", "status"), [("planner", 200), ("operator", 200), ("admin", 200),
                                              ("viewer", 403), ("inspector", 403)])
async def test_who_may_plan(console_as, role: str, status: int) -> None:
    user = await console_as(role)
    assert (await user.get("/console/planning")).status_code == status


async def test_the_form_in_chinese_with_service_areas_by_default(console_as) -> None:
    planner = await console_as("planner")
    page = await planner.get("/console/planning")
    assert "<h1>规划选址</h1>" in page.text and "湖南省高速公路网" in page.text
    assert re.search(r'<option value="auto" selected>服务区（默认）</option>', page.text)
    assert "尚无规划。" in page.text
    assert "<code>sa09</code> 昭山服务区" in page.text  # the ids the form takes, with their names


async def test_a_hunan_plan_runs_and_shows_its_result(csms: Csms, console_as) -> None:
    planner = await console_as("planner")
    job_id = await run(csms, planner)
    page = await planner.get(f"/console/planning/jobs/{job_id}")
    assert page.status_code == 200
    assert page.text.count('<span class="badge new">新建</span>') == 4
    assert 'id="plan-map"' in page.text and 'id="plan-curve"' in page.text
    done = await planner.get(f"/console/planning/jobs/{job_id}/status", headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"  # the progress partial reloads the page into its result

    view = (await planner.get(f"/console/planning/jobs/{job_id}/view.json")).json()
    assert view["lonlat"] is True and len(view["stations"]) == 4 and len(view["curve"]) == 4
    assert all(110 < s["x"] < 115 and 24 < s["y"] < 31 for s in view["stations"])
    assert view["service_areas"] and view["network"]["type"] == "FeatureCollection"
    pcts = [c["pct"] for c in view["curve"]]
    assert pcts == sorted(pcts) and 0 < pcts[0]

    geo = await planner.get(f"/console/planning/jobs/{job_id}/plan.geojson")
    assert geo.headers["content-type"] == "application/geo+json"
    assert "attachment" in geo.headers["content-disposition"]
    stations = [f for f in geo.json()["features"] if f["properties"]["feature"] == "station"]
    assert len(stations) == 4

    table = await planner.get(f"/console/planning/jobs/{job_id}/plan.csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == view_ids(view) and all(int(r["servers"]) >= 1 for r in rows)

    base = await planner.get("/console/planning/base.json")
    assert len(base.json()["features"]) > 100  # Hunan's boundaries: the map's base layer

    listing = await planner.get("/console/planning")
    assert f"/console/planning/jobs/{job_id}" in listing.text and "已完成" in listing.text


def view_ids(view: dict[str, Any]) -> list[str]:
    return [s["id"] for s in view["stations"]]


async def test_a_budget_plan_on_the_test_network_with_existing_stations(csms: Csms, console_as) -> None:
    planner = await console_as("planner")
    job_id = await run(
        csms, planner, network="25node", fuel="h2", range_km="20", mode="budget", stations="", budget="3",
        site_cost="1", existing="1", curve_max="",
    )
    view = (await planner.get(f"/console/planning/jobs/{job_id}/view.json")).json()
    assert view["lonlat"] is False and view["curve"] == []
    statuses = sorted(s["status"] for s in view["stations"])
    assert statuses.count("existing") == 1 and 1 <= statuses.count("new") <= 3
    page = await planner.get(f"/console/planning/jobs/{job_id}")
    assert "此规划未计算覆盖曲线" in page.text


async def test_input_errors_are_said_on_the_form_or_the_job(csms: Csms, console_as) -> None:
    planner = await console_as("planner")
    missing = await planner.post("/console/planning", {**FORM, "stations": ""})
    assert missing.status_code == 422 and "请填写站点数量或预算" in missing.text
    wrong = await planner.post("/console/planning", {**FORM, "stations": "four"})
    assert wrong.status_code == 422 and "数值字段请填写数字" in wrong.text
    too_many = await planner.post("/console/planning", {**FORM, "stations": "9999"})
    assert too_many.status_code == 422 and "规划输入无效" in too_many.text
    job_id = await run(csms, planner, existing="atlantis")
    page = await planner.get(f"/console/planning/jobs/{job_id}")
    assert "规划无法求解" in page.text and "atlantis" in page.text


async def test_plans_are_private_and_forms_need_csrf(csms: Csms, console_as) -> None:
    planner, other = await console_as("planner"), await console_as("planner")
    job_id = await run(csms, planner, network="25node", stations="2")
    for url in ("", "/status", "/view.json", "/plan.geojson", "/plan.csv"):
        answer = await other.get(f"/console/planning/jobs/{job_id}{url}")
        assert answer.status_code == 404, url
    no_csrf = await planner.http.post("/console/planning", data=FORM)
    assert no_csrf.status_code == 403


async def test_compare_two_plans(csms: Csms, console_as) -> None:
    planner = await console_as("planner")
    ev = await run(csms, planner, stations="3")
    h2 = await run(csms, planner, fuel="h2", stations="3")
    page = await planner.get(f"/console/planning/compare?job={ev}&job={h2}")
    assert page.status_code == 200
    assert page.text.count('class="map plan-map small"') == 2 and "规划 2" in page.text
    assert "电动汽车快充" in page.text and "加氢" in page.text
    assert f"/console/planning/jobs/{ev}/view.json /console/planning/jobs/{h2}/view.json" in page.text
    one = await planner.get(f"/console/planning/compare?job={ev}")
    assert one.status_code == 422


async def test_the_store_is_bounded_per_user(monkeypatch) -> None:
    release = threading.Event()

    def slow(req: PlanRequest, limit: float, **_: Any) -> Any:
        assert limit == plan_jobs.MAX_TIME_LIMIT_S == 30
        release.wait(5)
        return None, {"stations": []}

    monkeypatch.setattr(plan_jobs, "run_plan", slow)
    jobs = PlanJobs(workers=1)
    req = PlanRequest(network="25node", stations=2)
    first = [jobs.submit(1, req) for _ in range(MAX_ACTIVE)]
    with pytest.raises(TooManyJobs):
        jobs.submit(1, req)
    other = jobs.submit(2, req)  # another user has a budget of their own
    await asyncio.sleep(0.05)
    assert [j.status for j in first] == ["running", "queued"]  # one worker: the second waits its turn
    release.set()
    await asyncio.gather(*(j.task for j in [*first, other]))
    assert all(j.status == "done" for j in [*first, other])
    for _ in range(MAX_KEPT + 3):
        await jobs.submit(1, req).task
    assert len(jobs.of(1)) == MAX_KEPT and len(jobs.of(2)) == 1
    assert jobs.get(2, first[0].id) is None


def test_solve_count_matches_the_curve() -> None:
    assert solve_count(PlanRequest(network="hunan", stations=4, curve_max=4)) == 4
    assert solve_count(PlanRequest(network="hunan", stations=4, curve_max=0)) == 1
    assert solve_count(PlanRequest(network="hunan", budget=3, curve_max=5)) == 6



async def test_the_console_answers_while_a_plan_solves(csms: Csms, console_as, monkeypatch) -> None:
    release = threading.Event()
    real = plan_jobs.run_plan

    def held(*args: Any, **kw: Any) -> Any:
        release.wait(10)
        return real(*args, **kw)

    monkeypatch.setattr(plan_jobs, "run_plan", held)
    planner = await console_as("planner")
    answer = await planner.post("/console/planning", {**FORM, "network": "25node", "stations": "2"})
    job_id = answer.headers["location"].rsplit("/", 1)[1]
    await asyncio.sleep(0.05)
    status = await planner.get(f"/console/planning/jobs/{job_id}/status", headers={"HX-Request": "true"})
    assert status.status_code == 200 and "HX-Refresh" not in status.headers  # the loop is free: it answers
    assert 'hx-trigger="every 1s"' in status.text and "求解中" in status.text
    assert (await planner.get("/console/planning")).status_code == 200
    release.set()
    token_id = csms.app.state.console_sessions.read(planner.http.cookies.get(COOKIE)).token_id
    job = store(csms).get(token_id, job_id)
    await job.task
    assert job.status == "done"
