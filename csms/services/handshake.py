"""Bounded, prioritised password hashing for the OCPP handshake.

argon2 costs ~25 ms of CPU per verification. It runs in a thread (never on the event loop that answers
stations), at most ``slots`` at a time, and the waiting ones are served by priority: a handshake from a
station id and address with no recent failures goes before one that has been failing, so a flood of wrong
passwords queues behind itself rather than in front of legitimate stations.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CLEAN, SUSPECT = 0, 1
"""Priorities: lower is served first."""


class PriorityGate:
    """At most ``slots`` jobs at once; waiters are woken lowest priority first, then first come."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def run(self, priority: int, work: Callable[[], T]) -> T:
        """Run the blocking ``work`` in a thread once a slot is free; return its result."""
        await self._acquire(priority)
        try:
            return await asyncio.to_thread(work)
        finally:
            self._release()

    @property
    def waiting(self) -> int:
        return sum(1 for *_, f in self._waiting if not f.done())

    async def _acquire(self, priority: int) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # the slot was handed over just as the waiter went away: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # the slot goes straight to the waiter
                return
        self._free += 1
