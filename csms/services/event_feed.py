"""A bounded subscription to the domain event bus, for one reader that may be slow (a console page's live
stream): publishing never waits for it. Past ``maxsize`` waiting events the newer ones are dropped and the
reader is told how many it missed, so that it can read the state afresh instead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from types import TracebackType

from csms.domain.events import Event, EventBus


class EventFeed:
    def __init__(
        self, bus: EventBus, kinds: Iterable[type[Event]], *, maxsize: int = 256,
        accept: Callable[[Event], bool] | None = None,
    ) -> None:
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self._accept = accept
        self.missed = 0
        """Events dropped since the reader last asked (:meth:`take_missed`)."""
        self._unsubscribe = [bus.subscribe(kind, self._put) for kind in kinds]

    def _put(self, event: Event) -> None:
        if self._accept is not None and not self._accept(event):
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.missed += 1

    async def get(self) -> Event:
        return await self._queue.get()

    def take_missed(self) -> int:
        missed, self.missed = self.missed, 0
        return missed

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def __enter__(self) -> EventFeed:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
