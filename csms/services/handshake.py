"""Bounded, prioritised password hashing for the OCPP handshake.

argon2 costs ~25 ms of CPU per verification (far more on a busy machine). It runs in a thread (never on the
event loop that answers stations), at most ``slots`` at a time, and when a slot frees up the waiter with the
best priority *at that moment* goes next: a handshake whose station id and address have no recent failures
goes before one that has been failing, so a flood of wrong passwords queues behind itself rather than in
front of legitimate stations, even the part of the flood that queued before its first failure was counted.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CLEAN, SUSPECT = 0, 1
"""Priorities: lower is served first."""

Priority = int | Callable[[], int]
"""A priority, or a function giving it whenever it is asked (it may change while the job waits)."""


def _now(priority: Priority) -> int:
    return priority() if callable(priority) else priority


class PriorityGate:
    """At most ``slots`` jobs at once; a freed slot goes to the waiter of lowest priority, then first come."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: dict[int, tuple[Priority, asyncio.Future[None]]] = {}  # by arrival; only live waiters
        self._order = itertools.count()

    async def run(
        self, priority: Priority, work: Callable[[], T], *, skip: Callable[[], bool] | None = None
    ) -> T | None:
        """Run the blocking ``work`` in a thread once a slot is free and return its result; ``None`` without
        running it when ``skip()`` says, at that moment, that it is no longer wanted (a guess whose budget
        ran out while it queued costs no hash)."""
        await self._acquire(priority)
        try:
            if skip is not None and skip():
                return None
            return await asyncio.to_thread(work)
        finally:
            self._release()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def _acquire(self, priority: Priority) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        seq = next(self._order)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[seq] = (priority, future)
        try:
            await future
        except asyncio.CancelledError:
            if self._waiting.pop(seq, None) is None and future.done() and not future.cancelled():
                self._release()  # the slot was handed over just as the waiter went away: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            # A few hundred waiters at most (the handshakes in flight): a scan is cheap next to a hash.
            seq = min(self._waiting, key=lambda s: (_now(self._waiting[s][0]), s))
            _, future = self._waiting.pop(seq)
            if not future.done():  # (a cancelled one is on its way out)
                future.set_result(None)  # the slot goes straight to the waiter
                return
        self._free += 1
