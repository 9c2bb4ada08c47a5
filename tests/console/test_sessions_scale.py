"""The sessions table with 1,000 stations and 5,000 sessions: every filter and a late page answer, and an
export reads its whole filtered set in batches. Page times with 100,000 sessions: ``python -m
bench.console_pages`` (a benchmark, not a timed test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from csms.db.models import Station, Transaction
from tests.harness import Csms

STATIONS = 1_000
SESSIONS = 5_000


async def _seed(csms: Csms) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    from csms.db.session import create_engine

    engine = create_engine(csms.runtime.settings.database_url)
    async with engine.begin() as session:
        await session.execute(
            insert(Station), [{"id": f"CP{i:04d}", "created_at": t0} for i in range(STATIONS)]
        )
        rows = [
            {
                "station_id": f"CP{i % STATIONS:04d}", "evse_id": 1, "connector_id": 1,
                "id_token": f"CARD-{i % 5_000}", "status": "Completed" if i % 50 else "Active",
                "meter_start_wh": 0.0, "meter_stop_wh": 12_000.0, "energy_wh": 12_000.0,
                "started_at": t0 + timedelta(minutes=5 * i), "stopped_at": t0 + timedelta(minutes=5 * i + 60),
                "stop_reason": "Local", "offline": False,
            }
            for i in range(SESSIONS)
        ]  # fmt: skip
        for start in range(0, SESSIONS, 10_000):
            await session.execute(insert(Transaction), rows[start : start + 10_000])
    await engine.dispose()


async def test_every_filter_and_a_late_page_answer(console_as: Any, csms: Csms) -> None:
    await _seed(csms)
    viewer = await console_as("viewer")
    for url in (
        "/console/sessions",
        "/console/sessions?page=99",
        "/console/sessions?station=CP0042",
        "/console/sessions?token=CARD-17",
        "/console/sessions?status=Active",
        "/console/sessions?from=2026-03-01&to=2026-03-31",
        "/console/sessions?station=CP0042&status=Completed&from=2026-01-02",
    ):
        r = await viewer.get(url)
        assert r.status_code == 200, (url, r.status_code)
    # a filtered set exports whole, in the table's order
    r = await viewer.get("/console/sessions/export.csv?status=Active")
    assert r.status_code == 200 and r.text.count("\n") == SESSIONS // 50 + 1
    ids = [int(line.split(",")[0]) for line in r.text.splitlines()[1:]]
    assert len(set(ids)) == len(ids) and ids == sorted(ids, reverse=True)
