"""The console's frame in a real browser (Debian's Chromium through Playwright): sign-in, the language switch,
keyboard access, and no script error or Content-Security-Policy violation on the way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.conftest import open_console
from tests.harness import Csms


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_sign_in_and_the_frame(browser: Any, live_csms: Csms, lang: str) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    base = str(live_csms.api.base_url).rstrip("/")
    await page.goto(f"{base}/console/lang/{lang}?next=/console/")  # not signed in: the sign-in page
    assert page.url.startswith(f"{base}/console/login")
    await page.screenshot(path=str(_shot(f"login-{lang}")), full_page=True)
    await page.fill("#token", "xj_not-a-token")
    await page.press("#token", "Enter")  # by keyboard
    alert = page.get_by_role("alert")
    refused = "令牌无效或已被吊销。" if lang == "zh" else "Unknown or revoked token."
    assert await alert.inner_text() == refused
    await context.close()

    tab = await open_console(browser, live_csms, "operator", lang)
    assert tab.page.url == f"{base}/console/"
    heading = await tab.page.get_by_role("heading", level=1).inner_text()
    assert heading == ("总览" if lang == "zh" else "Dashboard")
    await tab.shot(f"dashboard-{lang}")
    # every control has a name a screen reader can say
    unnamed = await tab.page.evaluate(
        """() => [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href]')]
              .filter(el => !(el.innerText || el.getAttribute('aria-label') || (el.labels && el.labels.length)
                              || el.getAttribute('title')))
              .map(el => el.outerHTML)"""
    )
    assert unnamed == []
    await tab.page.get_by_role("button", name="退出登录" if lang == "zh" else "Sign out").click()
    await tab.page.wait_for_url(f"{base}/console/login")
    tab.assert_clean()
    # the refused sign-in answered 401 (the browser logs that); nothing else may have failed
    assert [e for e in errors if "status of 401" not in e] == []


def _shot(name: str) -> Any:
    from tests.console.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
