"""The planner's journey in a real browser (Chromium through Playwright): fill the plan form, watch the
progress while the job solves, see the Hunan map with the picked stations labelled and the coverage curve,
download the GeoJSON, and compare two scenarios side by side."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from csms.console import plan_jobs
from tests.console.a11y import UNNAMED
from tests.console.conftest import open_console
from tests.harness import Csms


@pytest.fixture
def held_solver(monkeypatch) -> threading.Event:
    """Solves wait for the returned event before they start (so the progress page can be seen)."""
    release = threading.Event()
    real = plan_jobs.run_plan

    def held(*args: Any, **kw: Any) -> Any:
        release.wait(20)
        return real(*args, **kw)

    monkeypatch.setattr(plan_jobs, "run_plan", held)
    return release


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_planner_runs_a_hunan_plan_and_sees_its_map(
    browser: Any, live_csms: Csms, held_solver: threading.Event, lang: str, tmp_path: Path
) -> None:
    zh = lang == "zh"
    tab = await open_console(browser, live_csms, "planner", lang)
    page = tab.page
    assert page.url.endswith("/console/planning")  # a planner lands on planning
    await tab.shot(f"planning-form-{lang}")
    assert await page.evaluate(UNNAMED) == []

    summary = page.locator("details.node-index summary")
    await summary.click()
    await tab.shot(f"planning-node-ids-{lang}")
    await summary.click()
    await page.select_option("#network", "hunan")
    await page.select_option("#fuel", "ev")
    await page.fill("#range_km", "300")
    await page.fill("#stations", "5")
    await page.get_by_role("button", name="开始规划" if zh else "Run the plan").click()
    progress = page.locator("#plan-progress")
    await progress.wait_for()
    await tab.shot(f"planning-progress-{lang}")
    held_solver.set()
    await page.locator("#plan-map[data-ready=true]").wait_for(timeout=30_000)  # htmx polled, then reloaded
    await page.locator("#plan-curve[data-ready=true]").wait_for()
    assert await progress.count() == 0

    labels = page.locator("#plan-map .station-label")
    assert await labels.count() == 5
    names = await page.locator("#plan-stations tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(await labels.all_inner_texts()) == sorted(names)
    if zh:
        assert all(name.endswith(("服务区", "停车区")) for name in names)
    assert await page.locator("#plan-map path.leaflet-interactive, #plan-map svg path").count() > 100
    await tab.shot(f"planning-result-{lang}")
    assert await page.evaluate(UNNAMED) == []

    async with page.expect_download() as info:
        await page.locator("#download-geojson").click()
    download = await info.value
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    geojson = json.loads(target.read_text("utf-8"))
    stations = [f for f in geojson["features"] if f["properties"]["feature"] == "station"]
    assert geojson["type"] == "FeatureCollection" and len(stations) == 5
    assert all(110 < f["geometry"]["coordinates"][0] < 115 for f in stations)

    # a second scenario, hydrogen, then both side by side
    await page.get_by_role("link", name="返回规划选址" if zh else "Back to planning").click()
    await page.select_option("#fuel", "h2")
    await page.fill("#range_km", "")
    await page.fill("#stations", "3")
    await page.get_by_role("button", name="开始规划" if zh else "Run the plan").click()
    await page.locator("#plan-map[data-ready=true]").wait_for(timeout=30_000)
    await page.get_by_role("link", name="返回规划选址" if zh else "Back to planning").click()
    await tab.shot(f"planning-list-{lang}")
    for box in await page.locator("#plan-jobs input[type=checkbox]").all():
        await box.check()
    await page.get_by_role("button", name="对比所选规划" if zh else "Compare the chosen plans").click()
    await page.locator("#compare-curve[data-ready=true]").wait_for()
    for plan_map in await page.locator(".plan-map").all():
        await plan_map.and_(page.locator("[data-ready=true]")).wait_for()
    assert await page.locator(".compare-plan").count() == 2
    assert await page.locator(".plan-map .station-label").count() == 8
    await tab.shot(f"planning-compare-{lang}")
    assert await page.evaluate(UNNAMED) == []

    # a plan that cannot be solved says why
    await page.goto(tab.base + "/console/planning")
    await page.fill("#existing", "atlantis")
    await page.get_by_role("button", name="开始规划" if zh else "Run the plan").click()
    await page.get_by_role("alert").wait_for()
    assert "atlantis" in await page.get_by_role("alert").inner_text()
    await tab.shot(f"planning-failed-{lang}")
    tab.assert_clean()
