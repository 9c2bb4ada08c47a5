"""Concurrent lookups of single keys, answered together: one query for all the keys asked in the meantime.

A reconnect storm (thousands of stations at once, after a network or CSMS outage) would otherwise cost one
query and one pooled connection per handshake; with 10,000 stations the pool's queue outgrew its timeout
and stations got HTTP 500. Coalesced, the storm costs a query per few hundred stations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Coalescer(Generic[K, V]):
    """``await get(key)`` -> ``fetch(keys)[key]`` (``None`` when absent), one ``fetch`` for many callers."""

    def __init__(
        self, fetch: Callable[[Collection[K]], Awaitable[Mapping[K, V]]], *, max_keys: int = 500
    ) -> None:
        self._fetch = fetch
        self._max_keys = max_keys
        self._waiting: dict[K, list[asyncio.Future[V | None]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def get(self, key: K) -> V | None:
        future: asyncio.Future[V | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(future)
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        await asyncio.sleep(0)  # the callers of this turn of the loop join the first query
        while self._waiting:
            keys = list(self._waiting)[: self._max_keys]
            batch = {key: self._waiting.pop(key) for key in keys}
            try:
                found = await self._fetch(keys)
            except Exception as exc:  # every caller of this query hears of it; the next query is tried anew
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for key, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(key))
        self._task = None
