"""Fuzz every OpenAPI operation with schemathesis (issue 14): valid and invalid inputs, as an admin, against
the in-process app; no answer is a 500 and none takes longer than ``STALL_S``.

Bounded for CI: ``FUZZ_EXAMPLES`` examples per operation (default 15), derandomized so that a run is
reproducible; raise it locally (``FUZZ_EXAMPLES=500``) to search harder.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from csms.config import Settings
from csms.main import create_app
from tests.harness import make_settings

T = TypeVar("T")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
STALL_S = 10.0
"""Longest a single request may take [s] before the test calls it a stall."""


def _operations() -> list[tuple[str, str]]:
    # The schema only: create_app builds routes without touching a database.
    paths = create_app(Settings(database_url="sqlite+aiosqlite://")).openapi()["paths"]
    return sorted((path, method) for path, ops in paths.items() for method in ops)


# Known 500s in routes this change does not own, each with its reason (see the report of issue 14).
KNOWN: dict[tuple[str, str], str] = {}


@dataclass
class Running:
    """The app and its lifespan on an event loop of their own thread; ``run`` waits at most ``timeout``."""

    loop: asyncio.AbstractEventLoop
    api: httpx.AsyncClient
    headers: dict[str, str]
    schema: Any

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = STALL_S) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@pytest.fixture(scope="module")
def running(migrated_url: str) -> Iterator[Running]:
    """One app for every operation (a lifespan per operation would triple the run); what the fuzzer writes
    stays in the database until the next test empties it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = create_app(make_settings(migrated_url))
    lifespan = app.router.lifespan_context(app)

    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(60)

    run(lifespan.__aenter__())
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://csms")
    _, secret = run(app.state.runtime.services.api_tokens.create("admin"))
    schema = schemathesis.openapi.from_dict(app.openapi())
    try:
        yield Running(loop, api, {"Authorization": f"Bearer {secret}"}, schema)
    finally:
        run(api.aclose())
        run(lifespan.__aexit__(None, None, None))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _request(case: Any, headers: dict[str, str]) -> dict[str, Any]:
    """schemathesis's request (``requests`` keywords) as httpx keywords, with the admin's token."""
    kw = case.as_transport_kwargs(base_url="http://csms")
    kw["headers"] = {**(kw.get("headers") or {}), **headers}
    data = kw.pop("data", None)
    if isinstance(data, bytes | str):
        kw["content"] = data
    elif data is not None:
        kw["data"] = data
    files = kw.pop("files", None)
    if files:
        kw["files"] = files
    kw.pop("cookies", None)
    wanted = ("method", "url", "headers", "params", "json", "content", "data", "files")
    return {k: v for k, v in kw.items() if k in wanted}


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param(p, m, marks=[pytest.mark.xfail(reason=KNOWN[p, m])] if (p, m) in KNOWN else [])
        for p, m in _operations()
    ],
)
def test_no_operation_answers_500_or_stalls(running: Running, path: str, method: str) -> None:
    operation = running.schema[path][method.upper()]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate),  # no slow shrinking
    )
    @given(case=cases)
    def check(case: Any) -> None:
        kw = _request(case, running.headers)
        try:
            response = running.run(running.api.request(**kw))
        except TimeoutError:
            pytest.fail(f"stalled over {STALL_S} s: {kw['method']} {kw['url']}")
        assert response.status_code < 500 or response.status_code in (502, 503, 504), (
            f"{kw['method']} {kw['url']} params={kw.get('params')} -> {response.status_code}: "
            f"{response.text[:300]}"
        )

    check()
