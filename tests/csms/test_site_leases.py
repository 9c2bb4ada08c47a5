"""Several CSMS nodes: each site's energy cycle runs on exactly one node, the holder of the site's lease.

The two-node tests need Redis (``CSMS_TEST_REDIS_URL``); the fencing of a stale holder needs only the
database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest

from csms.main import create_app
from tests.conftest import REDIS_URL
from tests.harness import Csms, make_settings, running_csms

needs_redis = pytest.mark.skipif(REDIS_URL is None, reason="CSMS_TEST_REDIS_URL is not set (needs Redis)")


@asynccontextmanager
async def _node(database_url: str, node_id: str, **settings: float) -> AsyncIterator[Csms]:
    app = create_app(make_settings(database_url, redis_url=REDIS_URL, node_id=node_id, **settings))
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        _, secret = await runtime.services.api_tokens.create("operator")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node") as api:
            yield Csms(app, runtime, api, {"Authorization": f"Bearer {secret}"})


async def _until(condition, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Wait (on the event loop, in short polls) until ``condition()`` holds."""
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout_s)


def _cycles(node: Csms, site_id: str) -> int:
    return node.runtime.services.energy.site_cycles[site_id]


def _token(node: Csms, site_id: str) -> int:
    return node.runtime.services.energy.tokens[site_id]


@needs_redis
async def test_one_node_runs_a_site_and_another_takes_it_over_when_the_holder_dies(database_url: str) -> None:
    suffix = uuid.uuid4().hex[:6]
    site_id = f"LEASE-{suffix}"
    fast = {"energy_lease_ttl_s": 0.6, "energy_period_s": 0.1}
    async with (
        _node(database_url, f"a-{suffix}", **fast) as a,
        _node(database_url, f"b-{suffix}", **fast) as b,
    ):
        r = await a.api.post("/api/v1/sites", json={"id": site_id, "grid_limit_kw": 100}, headers=a.headers)
        assert r.status_code == 201, r.text
        await _until(lambda: _cycles(a, site_id) + _cycles(b, site_id) >= 10)
        # both nodes run their loops all along, but only one of them runs this site
        holder, other = (a, b) if _cycles(a, site_id) else (b, a)
        assert _cycles(other, site_id) == 0
        ran, token = _cycles(holder, site_id), _token(holder, site_id)

        await holder.runtime.services.energy.stop(release=False)  # dies: its lease is left to expire
        await _until(lambda: _cycles(other, site_id) >= 3)
        assert _cycles(holder, site_id) == ran  # no cycle of the site ran on two nodes
        assert _token(other, site_id) > token  # a new fencing token for the new holder


@needs_redis
async def test_a_change_seen_by_another_node_runs_the_site_on_its_holder_at_once(database_url: str) -> None:
    suffix = uuid.uuid4().hex[:6]
    site_id = f"KICK-{suffix}"
    slow = {"energy_lease_ttl_s": 60.0, "energy_period_s": 60.0}  # no periodic cycle during the test
    async with (
        _node(database_url, f"a-{suffix}", **slow) as a,
        _node(database_url, f"b-{suffix}", **slow) as b,
    ):
        r = await a.api.post("/api/v1/sites", json={"id": site_id, "grid_limit_kw": 100}, headers=a.headers)
        assert r.status_code == 201, r.text
        await _until(lambda: _cycles(a, site_id) + _cycles(b, site_id) >= 1)
        holder, other = (a, b) if _cycles(a, site_id) else (b, a)
        before = _cycles(holder, site_id)
        now = datetime.now(UTC).isoformat()
        r = await other.api.post(f"/api/v1/sites/{site_id}/telemetry",
                                 json=[{"timestamp": now, "pv_power_w": 1000, "base_load_w": 500}],
                                 headers=other.headers)
        assert r.status_code in (200, 201, 202), r.text
        await _until(lambda: _cycles(holder, site_id) > before, timeout_s=5)
        assert _cycles(other, site_id) == 0


async def test_a_stale_holder_is_fenced_off_by_the_database(database_url: str) -> None:
    async with running_csms(make_settings(database_url, energy_manager_enabled=False)) as csms:
        fence = csms.runtime.services.sites.fence
        assert await fence("S1", 5)  # the first holder to send
        assert await fence("S1", 5)  # ... sends again on its lease
        assert await fence("S1", 7)  # a later holder (token 7) takes over
        assert not await fence("S1", 5)  # the first one, back from a pause, may no longer send
        assert await fence("S2", 1)  # sites are fenced one by one
