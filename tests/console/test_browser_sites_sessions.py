"""Sites and sessions in a real browser (Debian's Chromium through Playwright) against the whole server: two
scripted stations (OCPP 1.6 and 2.0.1) on a 光储充 site charge and report their meters, the site controller
posts telemetry; the site's page draws the power flow with the cap line and the DR target (read back from the
ECharts instance), refreshes it when the htmx-polled panel does, and a session's page draws its chart.
Screenshots of every page of the area, zh and en."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms.console.pages import sites as sites_page
from tests.console.conftest import open_console
from tests.e2e.site_stations import Evse, ScriptedStation
from tests.harness import Csms

CAP_KW = 60.0


async def _telemetry(live: Csms, at: datetime, grid_w: float) -> None:
    body = {
        "timestamp": at.isoformat(),
        "pv_power_w": 12_000,
        "base_load_w": 8_000,
        "battery_power_w": -3_000,
        "battery_soc_pct": 55,
        "grid_import_w": grid_w,
    }
    r = await live.api.post("/api/v1/sites/S1/telemetry", json=body, headers=live.headers)
    assert r.status_code == 202, r.text


@pytest.fixture
async def charging_site(live_csms: Csms) -> Any:
    """Site S1 (cap 60 kW) with CP-A (1.6) and CP-B (2.0.1) charging, their meters reported twice, 20 minutes
    of telemetry and a DR event of 45 kW in force since 5 minutes ago."""
    live = live_csms
    now = datetime.now(UTC).replace(microsecond=0)
    for sid in ("CP-A", "CP-B"):
        await live.station(sid)
    site = {
        "id": "S1",
        "name": "梅溪湖光储充站",
        "area": "岳麓区",
        "grid_limit_kw": CAP_KW,
        "pv_kwp": 30,
        "battery_capacity_kwh": 50,
        "battery_power_kw": 20,
        "stations": [
            {"station_id": "CP-A", "max_power_w": 22_000},
            {"station_id": "CP-B", "max_power_w": 22_000},
        ],
    }
    assert (await live.api.post("/api/v1/sites", json=site, headers=live.headers)).status_code == 201
    for minutes in (20, 15, 10, 5, 1):
        await _telemetry(live, now - timedelta(minutes=minutes), 41_000)
    centre = await live.token("load_centre")
    event = {
        "id": "DR-WINTER",
        "site_id": "S1",
        "start": (now - timedelta(minutes=5)).isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
        "target_import_kw": 45,
        "note": "迎峰度冬",
    }
    assert (
        await live.api.post("/api/v1/demand-response/events", json=event, headers=centre)
    ).status_code == 201
    stations = [
        ScriptedStation("CP-A", live.ocpp_url, "s3cret-pass", "ocpp1.6", {1: Evse(11_000)}),
        ScriptedStation("CP-B", live.ocpp_url, "s3cret-pass", "ocpp2.0.1", {1: Evse(22_000)}),
    ]
    for st in stations:
        await st.start()
        await st.start_transaction(1, f"CARD-{st.station_id[-1]}", now - timedelta(minutes=12))
    for seq, minutes in enumerate((8, 2), start=1):
        for st in stations:
            st.evses[1].energy_wh += 1_500.0 * seq
            await st.report(1, now - timedelta(minutes=minutes), seq_no=seq)
    yield now
    for st in stations:
        await st.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_an_operator_reads_a_sites_power_flow_and_a_sessions_chart(
    browser: Any, live_csms: Csms, charging_site: datetime, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sites_page, "NOW_EVERY_S", 1)  # the panel polls every second here
    tab = await open_console(browser, live_csms, "operator", lang)
    page = tab.page

    await tab.goto("/console/sites")
    await page.wait_for_selector("#carbon-per-site")  # the carbon partial, loaded by htmx
    assert await page.locator("#sites tbody tr").count() == 1
    await tab.shot(f"sites-{lang}")

    await page.click("#sites a[href='/console/sites/S1']")
    await page.wait_for_function("() => Number(document.getElementById('site-flow').dataset.ready) >= 1")
    option = await page.evaluate(
        """() => { const o = document.getElementById('site-flow').echarts.getOption();
                  return Object.fromEntries(o.series.map(s => [s.id, {name: s.name, data: s.data,
                      areas: (s.markArea && s.markArea.data || []).length}])); }"""
    )
    assert set(option) == {"pv", "battery", "base_load", "ev", "grid_import", "cap", "dr_target"}
    assert [v for _, v in option["cap"]["data"]] == [CAP_KW, CAP_KW]
    assert option["cap"]["name"] == ("容量上限" if lang == "zh" else "Cap")
    assert [v for _, v in option["grid_import"]["data"]] == [41.0] * 5
    assert [v for _, v in option["ev"]["data"]] == [42.0] * 5  # the balance: 41 + 12 - 3 - 8
    assert [v for _, v in option["dr_target"]["data"]][-2:] == [45.0, 45.0]
    assert option["grid_import"]["areas"] == 1  # the DR event, shaded
    await page.wait_for_selector("#carbon-tokens")  # the carbon section, loaded by htmx
    assert "CARD-A" in await page.locator("#carbon-tokens").inner_text()
    dr_row = page.locator("#dr-events tbody tr")
    assert "DR-WINTER" in await dr_row.inner_text()
    await tab.shot(f"site-{lang}")

    # a new meter reading: the polled panel shows it and the chart redraws with it
    await _telemetry(live_csms, datetime.now(UTC).replace(microsecond=0), 43_000)
    await page.wait_for_function(
        """() => { const s = document.getElementById('site-flow').echarts.getOption().series
                        .find(s => s.id === 'grid_import').data;
                    return s.length === 6 && s[5][1] === 43; }"""
    )
    await page.wait_for_function("() => document.getElementById('now-grid').innerText.includes('43.0 kW')")

    await tab.goto("/console/sessions")
    rows = page.locator("#sessions tbody tr")
    assert await rows.count() == 2
    await tab.shot(f"sessions-{lang}")
    await page.fill("#f-station", "CP-B")
    await page.press("#f-station", "Enter")  # by keyboard
    await page.wait_for_url("**/console/sessions?station=CP-B*")
    assert await rows.count() == 1
    await rows.first.locator("a").click()
    await page.wait_for_function("() => document.getElementById('session-chart').dataset.ready === '1'")
    chart = await page.evaluate(
        """() => Object.fromEntries(document.getElementById('session-chart').echarts.getOption()
                  .series.map(s => [s.id, s.data.map(p => p[1])]))"""
    )
    assert len(chart["power"]) == 2 and all(0 < v <= 22.0 for v in chart["power"])
    # a 2.0.1 session without a register in its Started event: from its first reading (1.5 then 4.5 kWh)
    assert chart["energy"] == [0.0, 3.0]
    assert "3.000 kWh" in await page.locator("#energy").inner_text()
    await tab.shot(f"session-{lang}")

    unnamed = await page.evaluate(
        """() => [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href]')]
              .filter(el => !(el.innerText || el.getAttribute('aria-label') || (el.labels && el.labels.length)
                              || el.getAttribute('title')))
              .map(el => el.outerHTML)"""
    )
    assert unnamed == []
    tab.assert_clean()


async def test_the_load_centre_reads_the_site_without_sessions_or_carbon(
    browser: Any, live_csms: Csms, charging_site: datetime
) -> None:
    tab = await open_console(browser, live_csms, "load_centre", "zh")
    page = tab.page
    base = str(live_csms.api.base_url).rstrip("/")
    assert page.url == f"{base}/console/sites"  # its first page
    nav = await page.get_by_role("navigation", name="主导航").inner_text()
    assert "光储充场站" in nav and "充电记录" not in nav
    await page.click("#sites a[href='/console/sites/S1']")
    await page.wait_for_function("() => Number(document.getElementById('site-flow').dataset.ready) >= 1")
    cap = await page.evaluate(
        "() => document.getElementById('site-flow').echarts.getOption().series.find(s => s.id === 'cap').data"
    )
    assert [v for _, v in cap] == [CAP_KW, CAP_KW]
    assert await page.locator("#carbon").count() == 0 and await page.locator("#dr-events").count() == 1
    await tab.shot("site-load_centre-zh")
    answer = await tab.goto("/console/sessions")
    assert answer.status == 403
    tab.errors.clear()  # the browser logs the 403 it was shown
    tab.assert_clean()
