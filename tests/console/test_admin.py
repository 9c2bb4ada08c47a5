"""The administrators' page over HTTP: API tokens (secret shown once, revoke), station registration with a
generated password (shown once), settings without secrets."""

from __future__ import annotations

import re

import pytest

from csms.config import Settings
from csms.console.pages.admin import safe_settings
from tests.harness import Csms


@pytest.mark.parametrize("role", ["operator", "planner", "viewer", "inspector", "load_centre"])
async def test_only_admins(console_as, role: str) -> None:
    user = await console_as(role)
    assert (await user.get("/console/admin")).status_code == 403
    assert (await user.post("/console/admin/tokens", {"role": "admin", "name": "x"})).status_code == 403


async def test_create_a_token_shown_once_and_revoke_it(csms: Csms, console_as) -> None:
    admin = await console_as("admin")
    page = await admin.get("/console/admin")
    assert page.status_code == 200 and "API 令牌与角色" in page.text
    created = await admin.post("/console/admin/tokens", {"role": "planner", "name": "Wang Fang"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token-secret"[^>]*value="(xj_[^"]+)"', created.text).group(1)
    principal = await csms.runtime.services.api_tokens.resolve(secret)
    assert principal is not None and principal.name == "Wang Fang" and principal.role.value == "planner"
    assert "仅显示这一次" in created.text
    again = await admin.get("/console/admin")
    assert secret not in again.text and "Wang Fang" in again.text  # listed, its secret never again

    revoked = await admin.post(f"/console/admin/tokens/{principal.token_id}/revoke")
    assert revoked.status_code == 303
    assert await csms.runtime.services.api_tokens.resolve(secret) is None
    assert "已吊销" in (await admin.get("/console/admin")).text
    unknown = await admin.post("/console/admin/tokens", {"role": "emperor", "name": "x"})
    assert unknown.status_code == 422 and "未知角色" in unknown.text


async def test_an_admin_cannot_revoke_their_own_token(csms: Csms, console_as) -> None:
    admin = await console_as("admin")
    me = [t for t in await csms.runtime.services.api_tokens.list() if t.role == "admin"][-1]
    answer = await admin.post(f"/console/admin/tokens/{me.id}/revoke")
    assert answer.status_code == 409 and (await admin.get("/console/admin")).status_code == 200


async def test_register_a_station_with_a_generated_password(csms: Csms, console_as) -> None:
    admin = await console_as("admin")
    answer = await admin.post("/console/admin/stations", {"station_id": "XJ-CP-0042", "with_password": "yes"})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = re.search(r'id="new-station-password"[^>]*value="([0-9a-f]+)"', answer.text).group(1)
    assert len(password) == 40
    station, _ = await csms.runtime.services.stations.get("XJ-CP-0042")
    assert station.password_hash and password not in station.password_hash
    assert password not in (await admin.get("/console/admin")).text
    twice = await admin.post("/console/admin/stations", {"station_id": "XJ-CP-0042", "with_password": "yes"})
    assert twice.status_code == 409 and "已注册" in twice.text
    bad = await admin.post("/console/admin/stations", {"station_id": "no spaces/allowed"})
    assert bad.status_code == 422
    pending = {"station_id": "XJ-OPEN", "registration_status": "Pending"}
    open_ = await admin.post("/console/admin/stations", pending)
    assert open_.status_code == 200 and "无需密码" in open_.text
    station, _ = await csms.runtime.services.stations.get("XJ-OPEN")
    assert station.password_hash is None and station.registration_status == "Pending"


async def test_admin_forms_need_csrf(console_as) -> None:
    admin = await console_as("admin")
    for url, form in (("/console/admin/tokens", {"role": "viewer"}), ("/console/admin/stations",
                                                                      {"station_id": "X1"})):
        assert (await admin.http.post(url, data=form)).status_code == 403


def test_settings_never_show_secrets() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://csms:db-pass-1@db.internal/csms", console_secret="cookie-key-2",
        redis_url="redis://:redis-pass-3@cache:6379/0", openadr_vtn_url="https://user:vtn-pass-4@vtn.example/",
    )
    shown = repr(safe_settings(settings))
    for secret in ("db-pass-1", "cookie-key-2", "redis-pass-3", "vtn-pass-4", "db.internal", "vtn.example"):
        assert secret not in shown
    rows = {name: value for name, value, _ in safe_settings(settings)}
    assert rows["database"] == "postgresql" and rows["console_secret"] is True and rows["ocpp_port"] == 9000


async def test_the_settings_table(console_as) -> None:
    admin = await console_as("admin")
    page = await admin.get("/console/admin")
    assert "<code>heartbeat_interval_s</code>" in page.text and "<code>console_secret</code>" in page.text
