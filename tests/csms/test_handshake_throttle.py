"""Password guessing at the handshake (issue 14, finding 5): failure budgets per station id and per source
address with back-off (HTTP 429 + Retry-After), the station's known address still let in, an alert event,
flat timing for unknown ids, and argon2 work bounded and prioritised. The clock is injected: no sleeping."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from csms.config import Settings
from csms.domain.events import HandshakeBudgetExceeded
from csms.main import create_app
from csms.services import station_auth as auth_module
from csms.services.handshake import CLEAN, SUSPECT, PriorityGate
from csms.services.station_auth import HandshakeVerdict
from tests.harness import Csms, Wire, make_settings

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url, handshake_failures_allowed=3, handshake_backoff_base_s=30)


@pytest.fixture
async def guarded(csms_settings: Settings, clock: Clock) -> AsyncIterator[Csms]:
    app = create_app(csms_settings, clock=clock)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://csms") as api:
            yield Csms(app, runtime, api, {})


async def _status(csms: Csms, station_id: str, password: str, source: str) -> tuple[int, str | None]:
    """The HTTP status of a handshake from ``source`` (a loopback address), and its Retry-After."""
    try:
        async with csms.connect(station_id, password=password, local_addr=(source, 0)) as ws:
            assert (await Wire(ws).call("Heartbeat", {}))[0] == 3
            return 101, None
    except InvalidStatus as refused:
        return refused.response.status_code, refused.response.headers.get("Retry-After")


async def test_a_station_id_over_its_budget_gets_429_but_its_known_address_still_gets_in(
    guarded: Csms, clock: Clock
) -> None:
    await guarded.station("CP-T", password="right-password")
    alerts: list[HandshakeBudgetExceeded] = []
    guarded.runtime.services.events.subscribe(HandshakeBudgetExceeded, alerts.append)
    assert await _status(guarded, "CP-T", "right-password", "127.0.0.1") == (101, None)  # its known address

    guesses = [await _status(guarded, "CP-T", f"guess-{i}", "127.0.0.2") for i in range(5)]
    assert guesses == [(401, None)] * 3 + [(429, "30"), (429, "30")]
    assert alerts == [HandshakeBudgetExceeded(T0, "station", "CP-T", 4, 30.0),
                      HandshakeBudgetExceeded(T0, "address", "127.0.0.2", 4, 30.0)]
    # The right password from elsewhere waits like the guesses; from the station's known address it is let in.
    assert await _status(guarded, "CP-T", "right-password", "127.0.0.3") == (429, "30")
    assert await _status(guarded, "CP-T", "right-password", "127.0.0.1") == (101, None)
    # The guessing address stays backed off for other ids too.
    await guarded.station("CP-U", password="u-password")
    assert await _status(guarded, "CP-U", "u-password", "127.0.0.2") == (429, "30")
    clock.now += timedelta(seconds=30)
    assert await _status(guarded, "CP-U", "u-password", "127.0.0.2") == (101, None)


async def test_the_back_off_doubles_and_ends_on_the_injected_clock(guarded: Csms, clock: Clock) -> None:
    await guarded.station("CP-D", password="right-password")
    for _ in range(3):
        assert (await _status(guarded, "CP-D", "wrong", "127.0.0.4"))[0] == 401
    assert await _status(guarded, "CP-D", "wrong", "127.0.0.4") == (429, "30")
    clock.now += timedelta(seconds=29)
    assert await _status(guarded, "CP-D", "right-password", "127.0.0.5") == (429, "1")
    clock.now += timedelta(seconds=1)
    assert await _status(guarded, "CP-D", "wrong", "127.0.0.4") == (429, "60")  # heard, failed: doubled
    clock.now += timedelta(seconds=60)
    assert await _status(guarded, "CP-D", "right-password", "127.0.0.5") == (101, None)


async def test_unknown_ids_cost_one_argon2_verification_like_known_ones(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real_verify = auth_module._verify
    monkeypatch.setattr(auth_module, "_verify",
                        lambda h, p: verified.append(p) or real_verify(h, p))  # type: ignore[func-returns-value]
    app = create_app(make_settings(database_url, handshake_failures_allowed=1000))
    async with app.router.lifespan_context(app):
        await app.state.runtime.services.stations.register("CP-K", "right-password")
        stations = app.state.runtime.services.station_auth

        async def took(station_id: str) -> float:
            start = time.perf_counter()
            verdict, _, _ = await stations.authenticate(station_id, "wrong-password")
            assert verdict is HandshakeVerdict.bad_credentials
            return time.perf_counter() - start

        await took("warm-up")  # the dummy hash is made once
        verified.clear()
        known = [await took("CP-K") for _ in range(5)]
        assert len(verified) == 5
        unknown = [await took(f"NOBODY-{i}") for i in range(5)]
        assert len(verified) == 10  # the same work for an id that does not exist
    # and so about the same time (3.0 vs 25.2 ms before); the fastest of each, as the machine may be busy
    assert min(unknown) > 0.4 * min(known), (unknown, known)


async def test_hashing_is_bounded_and_clean_handshakes_go_first() -> None:
    gate = PriorityGate(1)
    release = threading.Event()
    order: list[str] = []
    holding = asyncio.create_task(gate.run(CLEAN, lambda: release.wait(5)))
    await asyncio.sleep(0)  # the first job holds the only slot
    waiting = [asyncio.create_task(gate.run(p, lambda name=name: order.append(name)))
               for name, p in (("suspect-1", SUSPECT), ("suspect-2", SUSPECT), ("clean", CLEAN))]
    while gate.waiting < 3:
        await asyncio.sleep(0)
    assert order == []
    release.set()
    await asyncio.gather(holding, *waiting)
    assert order == ["clean", "suspect-1", "suspect-2"]


async def test_a_waiter_that_gives_up_leaves_no_slot_behind() -> None:
    gate = PriorityGate(1)
    release = threading.Event()
    holding = asyncio.create_task(gate.run(CLEAN, lambda: release.wait(5)))
    await asyncio.sleep(0)
    given_up = asyncio.create_task(gate.run(SUSPECT, lambda: None))
    while gate.waiting < 1:
        await asyncio.sleep(0)
    given_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await given_up
    assert gate.waiting == 0
    release.set()
    await holding
    assert await asyncio.wait_for(gate.run(CLEAN, lambda: "ran"), 5) == "ran"  # the slot came back


async def test_a_priority_is_read_again_when_a_slot_frees_up_and_skipped_work_costs_nothing() -> None:
    gate = PriorityGate(1)
    release = threading.Event()
    order: list[str] = []
    suspect_now = False
    holding = asyncio.create_task(gate.run(CLEAN, lambda: release.wait(5)))
    await asyncio.sleep(0)
    # queued first while it looked clean; its key failed meanwhile
    early = asyncio.create_task(
        gate.run(lambda: SUSPECT if suspect_now else CLEAN, lambda: order.append("early"))
    )
    late = asyncio.create_task(gate.run(CLEAN, lambda: order.append("late")))
    skipped = asyncio.create_task(gate.run(CLEAN, lambda: order.append("skipped"), skip=lambda: True))
    while gate.waiting < 3:
        await asyncio.sleep(0)
    suspect_now = True
    release.set()
    await asyncio.gather(holding, early, late)
    assert await skipped is None
    assert order == ["late", "early"]


async def test_guesses_queued_together_are_not_all_heard(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real_verify = auth_module._verify
    monkeypatch.setattr(auth_module, "_verify",
                        lambda h, p: verified.append(p) or real_verify(h, p))  # type: ignore[func-returns-value]
    settings = make_settings(database_url, handshake_failures_allowed=1, handshake_hash_concurrency=1)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await app.state.runtime.services.stations.register("CP-Q", "right-password")
        stations = app.state.runtime.services.station_auth
        verdicts = await asyncio.gather(
            *(stations.authenticate("CP-Q", f"guess-{i}", source="10.0.0.9") for i in range(10))
        )
    assert len(verified) == 2  # the second failure spent the budget: the eight still queued cost no hash
    bad, throttled = HandshakeVerdict.bad_credentials, HandshakeVerdict.throttled
    assert [v.verdict for v in verdicts] == [bad] + [throttled] * 9
