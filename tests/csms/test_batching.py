"""The group committer (csms/services/batching.py): callers woken after the commit, bad writes isolated.

On SQLite it commits on the event loop and never waits there for another connection's write lock; on
PostgreSQL (``CSMS_TEST_DATABASE_URL``) it commits on a thread of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import NoSuchModuleError
from sqlalchemy.orm import Session

from csms.db.batching import GroupCommitter
from csms.db.models import StationMessage
from csms.db.session import (
    WRITER_CHECKPOINT_PAGES,
    create_engine,
    create_session_factory,
    create_sqlite_writer_engine,
)
from csms.services import Services, build_services
from tests.csms.conftest import make_settings

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
STATIONS = ("S1", "S2", "S3")


class MessageWriter:
    """``(sid, n)`` items -> a station_messages row each (action ``<tag>-<n>``), result ``<tag>:<sid>/<n>``.

    Rows go in one by one, so a failure on ``fail_on`` leaves earlier rows of the batch written in the
    transaction that has to be rolled back.
    """

    def __init__(self, tag: str = "w", fail_on: tuple[str, int] | None = None) -> None:
        self.tag, self.fail_on = tag, fail_on
        self.batches: list[int] = []  # the size of every write_many call

    def write_many(self, session: Session, items: Sequence[tuple[str, int]]) -> list[str]:
        self.batches.append(len(items))
        for sid, n in items:
            if (sid, n) == self.fail_on:
                raise ValueError(f"bad item {sid}/{n}")
            values = {"station_id": sid, "action": f"{self.tag}-{n}", "payload": {"n": n}, "received_at": T0}
            session.execute(insert(StationMessage.__table__).values(**values))
        return [f"{self.tag}:{sid}/{n}" for sid, n in items]


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    engine = create_engine(database_url)
    services = build_services(make_settings(database_url), create_session_factory(engine), lambda: T0)
    for sid in STATIONS:
        await services.stations.register(sid, None)
    yield services
    await engine.dispose()


@pytest.fixture
async def committer(services: Services, database_url: str) -> AsyncIterator[GroupCommitter]:
    committer = GroupCommitter(services.uow, max_delay_s=0.02)
    committer.start(database_url)
    yield committer
    await committer.stop()


async def _stored(services: Services) -> list[tuple[str, str]]:
    async with services.uow.read() as session:
        rows = await session.execute(select(StationMessage.station_id, StationMessage.action))
        return sorted(tuple(r) for r in rows)


def _item(i: int) -> tuple[str, int]:
    return STATIONS[i % len(STATIONS)], i


async def test_each_caller_gets_its_own_result(services: Services, committer: GroupCommitter) -> None:
    a, b = MessageWriter("a"), MessageWriter("b")
    calls = [committer.submit(a if i % 3 else b, _item(i)) for i in range(12)]  # two writers interleaved
    results = await asyncio.gather(*calls)

    assert results == [f"{'a' if i % 3 else 'b'}:{_item(i)[0]}/{i}" for i in range(12)]
    assert await _stored(services) == sorted((_item(i)[0], f"{'a' if i % 3 else 'b'}-{i}") for i in range(12))


async def test_concurrent_submits_share_commits(services: Services, committer: GroupCommitter) -> None:
    writer = MessageWriter()
    results = await asyncio.gather(*(committer.submit(writer, _item(i)) for i in range(300)))

    assert results == [f"w:{_item(i)[0]}/{i}" for i in range(300)]
    assert sum(writer.batches) == 300
    assert len(writer.batches) < 300 / 10  # a few group commits, not one per submit
    assert len(await _stored(services)) == 300


async def test_a_failing_item_fails_alone(services: Services, committer: GroupCommitter) -> None:
    writer = MessageWriter(fail_on=_item(5))
    results = await asyncio.gather(
        *(committer.submit(writer, _item(i)) for i in range(10)), return_exceptions=True
    )

    assert isinstance(results[5], ValueError) and str(results[5]) == "bad item S3/5"
    assert [r for i, r in enumerate(results) if i != 5] == [
        f"w:{_item(i)[0]}/{i}" for i in range(10) if i != 5
    ]
    # One batch failed (its first five rows rolled back), then each write alone: nothing twice, nothing lost.
    assert writer.batches == [10] + [1] * 10
    assert await _stored(services) == sorted((_item(i)[0], f"w-{i}") for i in range(10) if i != 5)


async def test_a_database_error_fails_alone(services: Services, committer: GroupCommitter) -> None:
    writer = MessageWriter()
    items = [_item(0), ("UNKNOWN", 1), _item(2)]  # no such station: a foreign key violation
    results = await asyncio.gather(
        *(committer.submit(writer, item) for item in items), return_exceptions=True
    )

    assert results[0] == "w:S1/0" and results[2] == "w:S3/2"
    assert isinstance(results[1], Exception) and "foreign key" in str(results[1]).lower()
    assert await _stored(services) == [("S1", "w-0"), ("S3", "w-2")]


async def test_an_unawaited_write_returns_at_once_and_goes_into_the_next_batch(
    services: Services, database_url: str
) -> None:
    committer = GroupCommitter(services.uow, max_delay_s=0.3)  # long enough to look before it commits
    committer.start(database_url)
    writer = MessageWriter()
    try:
        assert await committer.submit(writer, _item(0), wait=False) is None
        assert writer.batches == [] and await _stored(services) == []  # not yet written, the caller went on
        assert await committer.submit(writer, _item(1)) == "w:S2/1"
    finally:
        await committer.stop()
    assert writer.batches == [2]  # one commit for both
    assert await _stored(services) == [("S1", "w-0"), ("S2", "w-1")]


async def test_an_unawaited_write_that_fails_is_logged_and_fails_alone(
    services: Services, committer: GroupCommitter, caplog: pytest.LogCaptureFixture
) -> None:
    writer = MessageWriter(fail_on=_item(0))
    await committer.submit(writer, _item(0), wait=False)
    assert await committer.submit(writer, _item(1)) == "w:S2/1"
    assert await _stored(services) == [("S2", "w-1")]
    assert any(r.exc_info and str(r.exc_info[1]) == "bad item S1/0" for r in caplog.records)


async def test_sqlite_a_held_write_lock_delays_the_batch_but_never_blocks_the_loop(
    services: Services, committer: GroupCommitter, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single write lock")
    writer = MessageWriter()
    async with services.uow() as session:  # another unit of work takes the write lock and holds it a while
        row = {"station_id": "S1", "action": "other", "payload": {}, "received_at": T0}
        await session.execute(insert(StationMessage.__table__).values(**row))
        submitted = [asyncio.create_task(committer.submit(writer, _item(i))) for i in range(3)]
        started = asyncio.get_running_loop().time()
        for _ in range(10):  # the loop keeps turning while the batch waits (a blocked loop would deadlock)
            await asyncio.sleep(0.01)
        assert asyncio.get_running_loop().time() - started < 1.0
        assert not any(t.done() for t in submitted) and writer.batches == []
    # the other unit of work committed: the batch goes in, in order, once
    assert await asyncio.gather(*submitted) == [f"w:{_item(i)[0]}/{i}" for i in range(3)]
    assert writer.batches == [3]
    assert await _stored(services) == sorted([("S1", "other")] + [(_item(i)[0], f"w-{i}") for i in range(3)])


async def test_stop_commits_what_was_submitted(services: Services, database_url: str) -> None:
    committer = GroupCommitter(services.uow, max_delay_s=0.3)
    committer.start(database_url)
    writer = MessageWriter()
    tasks = [asyncio.create_task(committer.submit(writer, _item(i))) for i in range(5)]
    await asyncio.sleep(0.05)  # the submits are queued, the committer is still gathering (max_delay_s)
    assert not any(t.done() for t in tasks) and writer.batches == []

    await committer.stop()
    assert await asyncio.gather(*tasks) == [f"w:{_item(i)[0]}/{i}" for i in range(5)]
    assert len(await _stored(services)) == 5


async def test_submit_without_start_runs_inline(services: Services) -> None:
    committer = GroupCommitter(services.uow)
    writer = MessageWriter(fail_on=("S2", 2))

    assert await committer.submit(writer, ("S1", 1)) == "w:S1/1"
    with pytest.raises(ValueError, match="bad item S2/2"):
        await committer.submit(writer, ("S2", 2))
    assert writer.batches == [1, 1]
    assert await _stored(services) == [("S1", "w-1")]
    await committer.stop()  # never started: nothing to stop


def test_start_with_an_unusable_url_raises_instead_of_hanging() -> None:
    outcome: list[BaseException | None] = []

    async def start() -> None:
        try:
            GroupCommitter(None).start("postgresql+nodriver://csms@127.0.0.1/csms")  # type: ignore[arg-type]
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=asyncio.run, args=(start(),), daemon=True)  # a hang must fail, not hang
    thread.start()
    thread.join(timeout=5)
    assert outcome and isinstance(outcome[0], NoSuchModuleError), outcome
    assert "postgresql.nodriver" in str(outcome[0])


def test_the_sqlite_writer_connection_is_durable_and_checks_foreign_keys(tmp_path: Path) -> None:
    engine = create_sqlite_writer_engine(f"sqlite+aiosqlite:///{tmp_path}/writer.sqlite3")
    with engine.connect() as connection:
        settings = [connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "foreign_keys", "wal_autocheckpoint")]
    engine.dispose()
    assert settings == ["wal", 2, 1, WRITER_CHECKPOINT_PAGES]  # synchronous 2 = FULL: fsync at each commit
