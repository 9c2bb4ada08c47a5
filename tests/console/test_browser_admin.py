"""The administrator's journey in a real browser: create an API token (its secret shown once) and revoke it,
register a station with a generated password (shown once), and the station then connects with that password
over OCPP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.a11y import UNNAMED
from tests.console.conftest import open_console
from tests.harness import Csms, Wire

BOOT = {"chargingStation": {"model": "AC22", "vendorName": "Star", "serialNumber": "S2"}, "reason": "PowerUp"}



@pytest.mark.ocpp("2.0.1", "B01")
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_an_admin_creates_a_token_and_a_station_that_then_connects(
    browser: Any, live_csms: Csms, lang: str
) -> None:
    zh = lang == "zh"
    tab = await open_console(browser, live_csms, "admin", lang)
    page = tab.page
    await page.get_by_role("link", name="系统管理" if zh else "Admin").click()
    await page.wait_for_url("**/console/admin")
    await tab.shot(f"admin-{lang}")
    assert await page.evaluate(UNNAMED) == []

    # an API token for a planner: its secret is shown once and works
    await page.fill("#token-name", "Planner Wang")
    await page.select_option("#token-role", "planner")
    await page.get_by_role("button", name="创建令牌" if zh else "Create token").click()
    secret = await page.locator("#new-token-secret").input_value()
    assert secret.startswith("xj_")
    await tab.shot(f"admin-token-created-{lang}")
    answer = await live_csms.api.get("/api/v1/siting/networks", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200

    # a station with a generated password, which connects with it
    station_id = f"XJ-BROWSER-{lang.upper()}"
    await page.fill("#station-id", station_id)
    await page.get_by_role("button", name="注册" if zh else "Register", exact=True).click()
    password = await page.locator("#new-station-password").input_value()
    assert len(password) == 40
    await tab.shot(f"admin-station-registered-{lang}")
    assert await page.evaluate(UNNAMED) == []
    async with live_csms.connect(station_id, "ocpp2.0.1", password=password) as ws:
        boot = await Wire(ws).call("BootNotification", BOOT)
        assert boot[2]["status"] == "Accepted"

    # neither secret is shown again; revoking the token asks first, then stops it
    await page.goto(tab.base + "/console/admin")
    html = await page.content()
    assert secret not in html and password not in html
    page.once("dialog", lambda dialog: dialog.accept())
    revoke = "吊销令牌 Planner Wang" if zh else "Revoke token Planner Wang"
    await page.get_by_role("button", name=revoke).click()
    await page.wait_for_url("**/console/admin#tokens")
    assert await page.get_by_role("button", name=revoke).count() == 0
    answer = await live_csms.api.get("/api/v1/siting/networks", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    await tab.shot(f"admin-after-revoke-{lang}")
    tab.assert_clean()
