"""Group commit: many stations' small writes share one transaction, each caller waits for its commit.

A station is answered only once its data is durable. Committing every StatusNotification, Heartbeat or
MeterValues on its own costs an fsync and several statements each; the committer gathers the writes that
arrive within ``max_delay_s``, hands each :class:`BatchWriter` all of its items at once (so it can use one
query and one bulk insert for hundreds of stations), and commits once. If a batch fails, its writes are
retried one by one, so a single bad write fails alone (its station gets an InternalError and resends) and the
others still land.

Writers are synchronous functions of a SQLAlchemy ``Session``; where the commits run depends on the database:

- **SQLite: on the server's event loop, synchronously.** SQLite is a library call, not a network round trip,
  and one thread doing everything avoids the interpreter-lock hand-offs that made a committer thread's
  commits four times slower under load than the same writes alone (every database call of a commit waited
  for the busy loop to let go of the lock). The committer's connection takes the write lock first (``BEGIN
  IMMEDIATE``) and never waits for it: when another unit of work holds it, the batch goes back to the head of
  the queue and is tried again a moment later, so the loop is never blocked on a lock.
- **Other databases (PostgreSQL): on a thread of its own**, with its own event loop and connection, the
  writers run through ``AsyncSession.run_sync``. On the server's loop each statement would wait behind every
  station message ready at that moment.

Callers submit from the server's loop and are woken there, all of one commit's callers together; a caller
that vouches for nothing stored (a heartbeat's last-seen time) submits with ``wait=False`` and goes on. A
writer may keep what it committed in memory while :func:`others_wrote_since` says no other connection wrote.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from csms.db.session import create_engine, create_sqlite_writer_engine, is_lock_busy
from csms.db.uow import UnitOfWork

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
LOCK_RETRY_S = 0.002
"""SQLite: how long a batch waits before trying again for a write lock another connection held."""

_COMMITTER_CONNECTION = "csms.group_commit"
_DATA_VERSION = text("PRAGMA data_version")

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class BatchWriter(Protocol[T_contra]):
    def write_many(self, session: Session, items: Sequence[T_contra]) -> Sequence[Any] | None:
        """Write every item inside ``session``'s transaction (never commit).

        Return one result per item (in order) for the callers, or ``None`` when there is nothing to return.
        """


class _Pending(Generic[T]):
    __slots__ = ("writer", "item", "future")

    def __init__(self, writer: BatchWriter[T], item: T, future: asyncio.Future[Any] | None) -> None:
        self.writer, self.item, self.future = writer, item, future  # no future: nobody waits for it


Outcome = tuple[asyncio.Future[Any] | None, Any, BaseException | None]


class GroupCommitter:
    def __init__(self, uow: UnitOfWork, *, max_delay_s: float = 0.005, max_batch: int = 2000) -> None:
        self._uow = uow
        self._max_delay_s = max_delay_s
        self._max_batch = max_batch
        self._items: deque[_Pending[Any]] = deque()
        self._caller_loop: asyncio.AbstractEventLoop | None = None
        self._scheduled: asyncio.TimerHandle | None = None
        self._sqlite: Engine | None = None
        self._thread: threading.Thread | None = None
        self._commit_loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._signalled = False
        self._stopping = False
        self._start_error: BaseException | None = None

    @property
    def running(self) -> bool:
        return self._sqlite is not None or self._thread is not None

    def start(self, database_url: str) -> None:
        """Start committing to ``database_url``: SQLite on this loop, others on a thread of their own."""
        self._caller_loop = asyncio.get_running_loop()
        self._stopping = False
        if database_url.startswith("sqlite"):
            self._sqlite = create_sqlite_writer_engine(database_url)
            event.listen(self._sqlite, "connect", _mark_committer_connection)
            return
        # The committer's thread takes the GIL back after each database call; with the event loop busy, each
        # take waits out the interpreter's switch interval (5 ms by default). 1 ms keeps commits short.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(database_url, ready), name="group-commit", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._start_error is not None:  # e.g. a URL the async engine cannot use: fail here, loudly
            self._thread.join()
            self._thread, error, self._start_error = None, self._start_error, None
            raise error

    async def stop(self) -> None:
        """Commit what was submitted, then stop; a later submit runs in a unit of work of its own."""
        if self._sqlite is not None:
            await self._drain_on_loop()
            self._sqlite.dispose()
            self._sqlite = None
        elif self._thread is not None:
            self._stopping = True
            self._signal()
            await asyncio.to_thread(self._thread.join)
            self._thread = self._commit_loop = self._wake = None
        while self._items:
            pending = self._items.popleft()
            if pending.future is not None and not pending.future.done():
                pending.future.set_exception(RuntimeError("server shutting down"))

    async def submit(self, writer: BatchWriter[T], item: T, *, wait: bool = True) -> Any:
        """Write ``item`` with ``writer``; return its result once the transaction holding it has committed.

        ``wait=False``: return ``None`` at once; the item goes into the next batch (within ``max_delay_s``)
        and a failure is only logged. For writes nobody is answered about and a crash may lose (a
        station's last-seen time), never for data a station's answer vouches for.
        """
        if not self.running:  # no committer running (a CLI, a unit test): a unit of work of its own
            async with self._uow() as session:
                results = await session.run_sync(writer.write_many, [item])
            return results[0] if results else None
        future: asyncio.Future[Any] | None = asyncio.get_running_loop().create_future() if wait else None
        self._items.append(_Pending(writer, item, future))
        if self._sqlite is not None:
            if self._scheduled is None:
                self._scheduled = self._caller_loop.call_later(self._max_delay_s, self._commit_on_loop)  # type: ignore[union-attr]
        elif not self._signalled:  # after the append: a committer that has just drained will be woken again
            self._signal()
        return await future if future is not None else None

    # -- SQLite: on the server's loop ------------------------------------------------------------------
    def _commit_on_loop(self) -> bool:
        """Commit everything queued; ``False`` if another connection held the write lock (retry scheduled)."""
        self._scheduled = None
        while self._items and self._sqlite is not None:
            batch = [self._items.popleft() for _ in range(min(len(self._items), self._max_batch))]
            try:
                outcomes = _commit_or_isolate(self._sqlite, batch)
            except _LockBusy as busy:
                _deliver(busy.done)
                self._items.extendleft(reversed(busy.rest))  # first in, first committed: back at the head
                self._scheduled = self._caller_loop.call_later(LOCK_RETRY_S, self._commit_on_loop)  # type: ignore[union-attr]
                return False
            _deliver(outcomes)
        return True

    async def _drain_on_loop(self) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
        while not self._commit_on_loop():
            self._scheduled.cancel()  # type: ignore[union-attr]
            await asyncio.sleep(LOCK_RETRY_S)

    # -- other databases: the committer's thread -------------------------------------------------------
    def _signal(self) -> None:
        self._signalled = True
        if self._commit_loop is not None and self._wake is not None:
            self._commit_loop.call_soon_threadsafe(self._wake.set)

    def _serve(self, database_url: str, ready: threading.Event) -> None:
        try:
            asyncio.run(self._run(database_url, ready))
        except BaseException as exc:  # the top of this thread: whoever waits on ``ready`` must hear of it
            if ready.is_set():
                log.exception("the group committer stopped")
                raise
            self._start_error = exc
            ready.set()

    async def _run(self, database_url: str, ready: threading.Event) -> None:
        engine = create_engine(database_url, pool_size=1, max_overflow=1)
        self._commit_loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        ready.set()
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                self._signalled = False  # before draining: a later submit signals again
                if self._max_delay_s and not self._stopping:
                    await asyncio.sleep(self._max_delay_s)
                while self._items:
                    batch = [self._items.popleft() for _ in range(min(len(self._items), self._max_batch))]
                    async with engine.connect() as connection:  # the writers run in SQLAlchemy's greenlet
                        outcomes = await connection.run_sync(_commit_or_isolate, batch)
                    self._caller_loop.call_soon_threadsafe(_deliver, outcomes)  # type: ignore[union-attr]
                if self._stopping:
                    return
        finally:
            await engine.dispose()


_connection_serials = itertools.count(1)


def _mark_committer_connection(_dbapi_connection: Any, record: Any) -> None:
    record.info[_COMMITTER_CONNECTION] = next(_connection_serials)  # unlike id(), never reused


def others_wrote_since(session: Session, last: object) -> tuple[bool, object]:
    """SQLite, inside a batch of the group committer: whether a connection other than the committer's has
    committed since ``last`` (this function's previous token), and the token to pass next time.

    Every writer that runs on the committer's connection is one of this process's :class:`BatchWriter`, so
    a writer that keeps what it wrote in memory (and applies it only :func:`after_commit`) can trust it as
    long as no other connection wrote: SQLite's ``PRAGMA data_version`` changes exactly then. It is read
    with the write lock held, so nothing can commit between the check and this batch's commit. Anywhere
    else (another database, a unit of work of its own) the answer is always yes.
    """
    connection = session.connection()
    serial = connection.connection.info.get(_COMMITTER_CONNECTION)
    if serial is None:
        return True, None
    token = (serial, connection.execute(_DATA_VERSION).scalar())
    return token != last, token


def after_commit(session: Session, apply: Callable[[], None]) -> None:
    """Call ``apply()`` once ``session``'s transaction has committed (never if it rolls back)."""
    event.listen(session, "after_commit", lambda _: apply(), once=True)


class _LockBusy(Exception):
    """SQLite: another connection holds the write lock. ``done``: what was committed before; ``rest``: the
    writes not yet tried."""

    def __init__(self, done: list[Outcome] | None = None, rest: list[_Pending[Any]] | None = None) -> None:
        super().__init__("the write lock is held by another connection")
        self.done, self.rest = done or [], rest or []


class _Unit:
    """``with``: a session on ``bind`` in a transaction, committed at the end; the transaction begins at once
    (on the SQLite writer engine: ``BEGIN IMMEDIATE``, so the write lock is ours or we leave)."""

    def __init__(self, bind: Engine | Connection) -> None:
        self._session = Session(bind, expire_on_commit=False)

    def __enter__(self) -> Session:
        try:
            self._session.begin()
            self._session.connection()
        except Exception as exc:
            self._session.close()
            if is_lock_busy(exc):
                raise _LockBusy from exc
            raise
        return self._session

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self._session.commit()
            else:
                self._session.rollback()
        finally:
            self._session.close()


def _commit_or_isolate(bind: Engine | Connection, batch: list[_Pending[Any]]) -> list[Outcome]:
    try:
        return _commit(bind, batch)
    except _LockBusy:
        raise _LockBusy(rest=batch) from None
    except Exception:  # the top of this commit: isolate the bad write, never stop committing
        log.warning("group commit of %d writes failed; retrying them one by one", len(batch), exc_info=True)
    outcomes: list[Outcome] = []
    for i, pending in enumerate(batch):
        try:
            outcomes.extend(_commit(bind, [pending]))
        except _LockBusy:
            raise _LockBusy(outcomes, batch[i:]) from None
        except Exception as exc:
            log.exception("write failed on its own")
            outcomes.append((pending.future, None, exc))
    return outcomes


def _commit(bind: Engine | Connection, batch: list[_Pending[Any]]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with _Unit(bind) as session:
        for writer, pendings in _by_writer(batch):
            results = writer.write_many(session, [p.item for p in pendings])
            if results is None:
                results = [None] * len(pendings)
            outcomes.extend((p.future, r, None) for p, r in zip(pendings, results, strict=True))
    return outcomes  # only now, after the commit, does anyone hear back


def _by_writer(batch: list[_Pending[Any]]) -> list[tuple[BatchWriter[Any], list[_Pending[Any]]]]:
    groups: dict[int, tuple[BatchWriter[Any], list[_Pending[Any]]]] = {}
    for pending in batch:
        groups.setdefault(id(pending.writer), (pending.writer, []))[1].append(pending)
    return list(groups.values())


def _deliver(outcomes: list[Outcome]) -> None:
    """On the callers' loop: wake every caller of one commit."""
    for future, result, error in outcomes:
        if future is None or future.done():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
