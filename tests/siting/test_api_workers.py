"""Issue 14: siting solves and maps run off the event loop, on a bounded worker, with a bounded input."""

from __future__ import annotations

import asyncio
import threading

import httpx
from fastapi import FastAPI

import siting.api
from siting.api import MAX_NODES, create_router

LINE = {
    "nodes": [
        {"id": "a", "weight": 5, "x": 0, "y": 0},
        {"id": "b", "x": 1, "y": 0},
        {"id": "c", "weight": 5, "x": 2, "y": 0},
    ],
    "edges": [{"from": "a", "to": "b", "length_km": 100}, {"from": "b", "to": "c", "length_km": 100}],
    "range_km": 250,
    "stations": 1,
    "candidates": "all",
}


async def test_solves_run_on_at_most_max_workers_threads_never_on_the_loop(monkeypatch) -> None:
    loop_thread = threading.get_ident()
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()
    real = siting.api.plan_study

    def spy(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.get_ident())
        try:
            threading.Event().wait(0.05)  # long enough for the other requests to pile up
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(siting.api, "plan_study", spy)
    app = FastAPI()
    app.include_router(create_router(max_workers=2))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answers = await asyncio.gather(*(c.post("/siting/plan", json=LINE) for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert loop_thread not in threads and peak[0] == 2


async def test_a_network_over_the_size_limit_is_refused_before_solving() -> None:
    app = FastAPI()
    app.include_router(create_router())
    body = dict(LINE, nodes=[{"id": f"n{i}"} for i in range(MAX_NODES + 1)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/siting/plan", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "too_long"
