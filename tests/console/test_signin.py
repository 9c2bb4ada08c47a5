"""Sign-in, sessions, roles, CSRF and security headers of the console (no browser needed)."""

from __future__ import annotations

import re

import httpx
import pytest

from csms.console.headers import CSP
from csms.console.session import COOKIE
from tests.console.conftest import sign_in
from tests.harness import Csms


def client(csms: Csms) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=csms.app), base_url="http://csms")


PUBLIC = {"/console/login", "/console/lang/{lang}"}


def console_routes(csms: Csms) -> list[tuple[str, str]]:
    """Every console page and partial (method, URL with its parameters filled in), but sign-in itself."""
    from csms.console.pages import ROUTERS

    found = []
    for route in (route for router in ROUTERS for route in router.routes):
        path = getattr(route, "path", "")
        if not path.startswith("/console") or path in PUBLIC or path.startswith("/console/static"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        found += [(method, url) for method in getattr(route, "methods", ()) if method != "HEAD"]
    return found


async def test_no_page_or_partial_without_a_session(csms: Csms) -> None:
    routes = console_routes(csms)
    assert ("GET", "/console/") in routes and ("POST", "/console/logout") in routes
    async with client(csms) as http:
        for method, url in routes:
            answer = await http.request(method, url)
            if method == "GET":
                assert answer.status_code == 303, (method, url)
                assert answer.headers["location"].startswith("/console/login?next="), url
            else:
                assert answer.status_code == 401, (method, url)
            partial = await http.request(method, url, headers={"HX-Request": "true"})
            assert partial.status_code == 401 and partial.headers["HX-Redirect"].startswith("/console/login")
        http.cookies.set(COOKIE, "eyJ0IjoxLCJjIjoieCJ9.forged.sig", domain="csms", path="/console")
        forged = await http.get("/console/")
        assert forged.status_code == 303


async def test_sign_in_sets_a_strict_http_only_cookie_and_lands_on_the_roles_home(csms: Csms) -> None:
    _, secret = await csms.runtime.services.api_tokens.create("inspector", "Li Hua")
    async with client(csms) as http:
        answer = await sign_in(http, secret)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/console/compliance"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Path=/console" in cookie and secret not in cookie
        assert "Secure" not in cookie  # plain http here; https sets it (test below)


async def test_secure_cookie_over_tls(csms: Csms) -> None:
    _, secret = await csms.runtime.services.api_tokens.create("operator")
    transport = httpx.ASGITransport(app=csms.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://csms") as http:
        answer = await sign_in(http, secret)
        assert "Secure" in answer.headers["set-cookie"]


async def test_a_wrong_token_is_refused_and_guessing_is_slowed(csms: Csms) -> None:
    async with client(csms) as http:
        statuses = [(await sign_in(http, f"xj_wrong{i}")).status_code for i in range(12)]
    assert statuses == [401] * 11 + [429]  # ten misses are free; the eleventh starts the back-off


async def test_a_revoked_token_ends_its_sessions(csms: Csms, console_as) -> None:
    operator = await console_as("operator")
    assert (await operator.get("/console/")).status_code == 200
    session = operator.http.cookies.get(COOKIE)
    assert session
    token_id = csms.app.state.console_sessions.read(session).token_id
    await csms.runtime.services.api_tokens.revoke(token_id)
    assert (await operator.get("/console/")).status_code == 303


@pytest.mark.parametrize(("role", "allowed"), [("viewer", True), ("operator", True), ("inspector", False),
                                               ("planner", False), ("load_centre", False), ("admin", True)])
async def test_each_role_sees_only_its_pages(console_as, role: str, allowed: bool) -> None:
    user = await console_as(role)
    page = await user.get("/console/")
    assert page.status_code == (200 if allowed else 403)


async def test_the_nav_shows_only_what_the_role_may_open(console_as) -> None:
    inspector = await console_as("inspector")
    page = await inspector.get("/console/welcome")
    links = re.findall(r'<li><a href="([^"]+)"', page.text)
    assert links == ["/console/compliance"]


async def test_state_changing_forms_need_the_sessions_csrf_token(console_as) -> None:
    operator = await console_as("operator")
    without = await operator.http.post("/console/logout", data={})
    assert without.status_code == 403
    wrong = await operator.http.post("/console/logout", data={"csrf": "not-it"})
    assert wrong.status_code == 403
    assert (await operator.get("/console/")).status_code == 200  # still signed in
    header = await operator.http.post("/console/logout", headers={"X-CSRF-Token": operator.csrf})
    assert header.status_code == 303
    assert (await operator.get("/console/")).status_code == 303  # signed out


async def test_sign_in_form_needs_its_own_csrf_token(csms: Csms) -> None:
    _, secret = await csms.runtime.services.api_tokens.create("operator")
    async with client(csms) as http:
        answer = await http.post("/console/login", data={"token": secret, "csrf": "x"})
        assert answer.status_code == 403 and COOKIE not in answer.headers.get("set-cookie", "")


async def test_security_headers_on_every_console_response(csms: Csms, console_as) -> None:
    operator = await console_as("operator")
    for url in ("/console/login", "/console/", "/console/static/console.css", "/console/nope"):
        answer = await operator.get(url)
        assert answer.headers["content-security-policy"] == CSP, url
        assert answer.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in CSP and "http" not in CSP
    api = await csms.api.get("/api/v1/health")
    assert "content-security-policy" not in api.headers


async def test_open_redirects_are_refused(csms: Csms) -> None:
    _, secret = await csms.runtime.services.api_tokens.create("operator")
    async with client(csms) as http:
        form = await http.get("/console/login")
        pre = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        form_data = {"token": secret, "csrf": pre, "next": "//evil.example/x"}
        answer = await http.post("/console/login", data=form_data)
        assert answer.headers["location"] == "/console/"
        lang = await http.get("/console/lang/en?next=https://evil.example/")
        assert lang.headers["location"] == "/console/"


async def test_language_switch_and_chinese_by_default(console_as) -> None:
    operator = await console_as("operator")
    zh = await operator.get("/console/")
    assert 'lang="zh-CN"' in zh.text and "总览" in zh.text
    await operator.get("/console/lang/en?next=/console/")
    en = await operator.get("/console/")
    assert 'lang="en"' in en.text and "Dashboard" in en.text and "总览" not in en.text
