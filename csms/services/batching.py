"""Group commit: many stations' small writes share one transaction, each caller waits for its commit.

A station is answered only once its data is durable. Committing every StatusNotification, Heartbeat or
MeterValues on its own costs an fsync and several statements each; the committer gathers the writes that
arrive within ``max_delay_s``, hands each :class:`BatchWriter` all of its items at once (so it can use one
query and one bulk insert for hundreds of stations), and commits once. If a batch fails, its writes are
retried one by one, so a single bad write fails alone (its station gets an InternalError and resends) and the
others still land.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from csms.services.tasks import cancel_and_wait
from csms.services.uow import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class BatchWriter(Protocol[T_contra]):
    async def write_many(self, session: AsyncSession, items: Sequence[T_contra]) -> Sequence[Any] | None:
        """Write every item inside ``session``'s transaction (never commit).

        Return one result per item (in order) for the callers, or ``None`` when there is nothing to return.
        """


class _Pending(Generic[T]):
    __slots__ = ("writer", "item", "future")

    def __init__(self, writer: BatchWriter[T], item: T, future: asyncio.Future[None]) -> None:
        self.writer, self.item, self.future = writer, item, future


class GroupCommitter:
    def __init__(self, uow: UnitOfWork, *, max_delay_s: float = 0.005, max_batch: int = 2000) -> None:
        self._uow = uow
        self._max_delay_s = max_delay_s
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Pending[Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        while not self._queue.empty():  # whoever still waits learns the server is going away
            pending = self._queue.get_nowait()
            if not pending.future.done():
                pending.future.set_exception(RuntimeError("server shutting down"))

    async def submit(self, writer: BatchWriter[T], item: T) -> Any:
        """Write ``item`` with ``writer``; return its result once the transaction holding it has committed."""
        if self._task is None:  # no committer running (a CLI, a unit test): a unit of work of its own
            async with self._uow() as session:
                results = await writer.write_many(session, [item])
            return results[0] if results else None
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(writer, item, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self._max_delay_s:
                await asyncio.sleep(self._max_delay_s)
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except Exception:  # the top of this task: isolate the bad write, never stop the loop
                log.warning("group commit of %d writes failed; retrying them one by one", len(batch), exc_info=True)
                for pending in batch:
                    try:
                        await self._commit([pending])
                    except Exception as exc:
                        log.exception("write failed on its own")
                        if not pending.future.done():
                            pending.future.set_exception(exc)

    async def _commit(self, batch: list[_Pending[Any]]) -> None:
        by_writer: dict[int, tuple[BatchWriter[Any], list[_Pending[Any]]]] = {}
        for pending in batch:
            by_writer.setdefault(id(pending.writer), (pending.writer, []))[1].append(pending)
        outcomes: list[tuple[_Pending[Any], Any]] = []
        async with self._uow() as session:
            for writer, pendings in by_writer.values():
                results = await writer.write_many(session, [p.item for p in pendings])
                outcomes.extend(zip(pendings, results if results is not None else [None] * len(pendings), strict=True))
        for pending, result in outcomes:  # only now, after the commit, does anyone hear back
            if not pending.future.done():
                pending.future.set_result(result)
