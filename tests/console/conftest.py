"""Console fixtures: a signed-in HTTP client per role (``console_as``) and, for browser tests, Debian's
Chromium driven by Playwright (``browser``; skipped with a reason where either is missing)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import Csms, csms, csms_settings, live_csms  # noqa: F401

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class ConsoleClient:
    """An HTTP client holding a console session cookie, and the session's CSRF token."""

    http: httpx.AsyncClient
    csrf: str

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return await self.http.post(url, data={"csrf": self.csrf, **(data or {})}, **kw)


def csrf_of(html: str) -> str:
    found = re.search(r'data-csrf="([^"]*)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, secret: str) -> httpx.Response:
    form = await http.get("/console/login")
    pre = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert pre
    return await http.post("/console/login", data={"token": secret, "csrf": pre.group(1), "next": ""})


@pytest.fixture
async def console_as(csms: Csms) -> AsyncIterator[Any]:  # noqa: F811
    """``await console_as("operator")``: a client signed in with a new token of that role."""
    clients: list[httpx.AsyncClient] = []

    async def make(role: str) -> ConsoleClient:
        _, secret = await csms.runtime.services.api_tokens.create(role)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=csms.app), base_url="http://csms")
        clients.append(http)
        answer = await sign_in(http, secret)
        assert answer.status_code == 303, answer.text
        welcome = await http.get("/console/welcome")  # every role may open it
        return ConsoleClient(http, csrf_of(welcome.text))

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
    async with playwright.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        await chromium.close()


class Page:
    """A browser tab signed in to a live console, which fails the test on any script error or CSP
    violation it sees, and saves screenshots under ``tests/console/screenshots``."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    async def goto(self, path: str) -> Any:
        return await self.page.goto(self.base + path)

    async def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert not self.errors, self.errors


async def open_console(browser: Any, live: Csms, role: str, lang: str = "zh") -> Page:
    """A new browser context signed in as a new token of ``role``, reading ``lang``."""
    _, secret = await live.runtime.services.api_tokens.create(role, f"{role} (browser test)")
    base = str(live.api.base_url).rstrip("/")
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    tab = Page(await context.new_page(), base)
    await tab.goto(f"/console/lang/{lang}?next=/console/login")
    await tab.page.fill("#token", secret)
    await tab.page.click("button[type=submit]")
    await tab.page.wait_for_load_state("networkidle")
    return tab
