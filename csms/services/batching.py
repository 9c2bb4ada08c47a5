"""Group commit: many stations' small writes share one transaction, each caller waits for its commit.

A station is answered only once its data is durable. Committing every StatusNotification, Heartbeat or
MeterValues on its own costs an fsync and several statements each; the committer gathers the writes that
arrive within ``max_delay_s``, hands each :class:`BatchWriter` all of its items at once (so it can use one
query and one bulk insert for hundreds of stations), and commits once. If a batch fails, its writes are
retried one by one, so a single bad write fails alone (its station gets an InternalError and resends) and the
others still land.

The committer runs on a thread of its own, with its own event loop and database connection. On the server's
loop, each statement of a batch would wait behind every station message ready at that moment (hundreds,
under load), so a commit of ten statements took ten turns of a crowded loop; on its own loop it takes ten
round trips to the database. Callers submit from the server's loop and are woken there, all of one commit's
callers in a single call.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.session import create_engine, create_session_factory
from csms.services.uow import UnitOfWork

log = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class BatchWriter(Protocol[T_contra]):
    async def write_many(self, session: AsyncSession, items: Sequence[T_contra]) -> Sequence[Any] | None:
        """Write every item inside ``session``'s transaction (never commit).

        Return one result per item (in order) for the callers, or ``None`` when there is nothing to return.
        """


class _Pending(Generic[T]):
    __slots__ = ("writer", "item", "future")

    def __init__(self, writer: BatchWriter[T], item: T, future: asyncio.Future[Any]) -> None:
        self.writer, self.item, self.future = writer, item, future


Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


class GroupCommitter:
    def __init__(self, uow: UnitOfWork, *, max_delay_s: float = 0.005, max_batch: int = 2000) -> None:
        self._uow = uow
        self._max_delay_s = max_delay_s
        self._max_batch = max_batch
        self._items: deque[_Pending[Any]] = deque()
        self._caller_loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._commit_loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._signalled = False
        self._stopping = False
        self._start_error: BaseException | None = None

    def start(self, database_url: str) -> None:
        """Start committing on a thread of its own, with its own connection to ``database_url``."""
        self._caller_loop = asyncio.get_running_loop()
        self._stopping = False
        # The committer's thread takes the GIL back after each database call; with the event loop busy, each
        # take waits out the interpreter's switch interval (5 ms by default), so a commit of ten calls took
        # 100 ms however little work it held. A 1 ms interval keeps commits short.
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
        if self._thread is None:
            return
        self._stopping = True
        self._signal()
        await asyncio.to_thread(self._thread.join)
        self._thread = self._commit_loop = self._wake = None
        while self._items:
            pending = self._items.popleft()
            if not pending.future.done():
                pending.future.set_exception(RuntimeError("server shutting down"))

    async def submit(self, writer: BatchWriter[T], item: T) -> Any:
        """Write ``item`` with ``writer``; return its result once the transaction holding it has committed."""
        if self._thread is None:  # no committer running (a CLI, a unit test): a unit of work of its own
            async with self._uow() as session:
                results = await writer.write_many(session, [item])
            return results[0] if results else None
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._items.append(_Pending(writer, item, future))
        if not self._signalled:  # after the append: a committer that has just drained will be woken again
            self._signal()
        return await future

    def _signal(self) -> None:
        self._signalled = True
        if self._commit_loop is not None and self._wake is not None:
            self._commit_loop.call_soon_threadsafe(self._wake.set)

    # -- the committer's thread ------------------------------------------------------------------------
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
        pool = {} if database_url.startswith("sqlite") else {"pool_size": 1, "max_overflow": 1}
        engine = create_engine(database_url, **pool)
        uow = UnitOfWork(create_session_factory(engine))
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
                    outcomes = await self._commit_or_isolate(uow, batch)
                    self._caller_loop.call_soon_threadsafe(_deliver, outcomes)  # type: ignore[union-attr]
                if self._stopping:
                    return
        finally:
            await engine.dispose()

    async def _commit_or_isolate(self, uow: UnitOfWork, batch: list[_Pending[Any]]) -> list[Outcome]:
        try:
            return await self._commit(uow, batch)
        except Exception:  # the top of this task: isolate the bad write, never stop the loop
            log.warning(
                "group commit of %d writes failed; retrying them one by one", len(batch), exc_info=True
            )
        outcomes: list[Outcome] = []
        for pending in batch:
            try:
                outcomes.extend(await self._commit(uow, [pending]))
            except Exception as exc:
                log.exception("write failed on its own")
                outcomes.append((pending.future, None, exc))
        return outcomes

    @staticmethod
    async def _commit(uow: UnitOfWork, batch: list[_Pending[Any]]) -> list[Outcome]:
        by_writer: dict[int, tuple[BatchWriter[Any], list[_Pending[Any]]]] = {}
        for pending in batch:
            by_writer.setdefault(id(pending.writer), (pending.writer, []))[1].append(pending)
        outcomes: list[Outcome] = []
        async with uow() as session:
            for writer, pendings in by_writer.values():
                results = await writer.write_many(session, [p.item for p in pendings])
                if results is None:
                    results = [None] * len(pendings)
                outcomes.extend((p.future, r, None) for p, r in zip(pendings, results, strict=True))
        return outcomes  # only now, after the commit, does anyone hear back


def _deliver(outcomes: list[Outcome]) -> None:
    """On the callers' loop: wake every caller of one commit."""
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
