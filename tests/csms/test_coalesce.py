"""Coalesced lookups: concurrent callers share one query, and a failed query fails only its own callers."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

import pytest

from csms.db.coalesce import Coalescer


class Table:
    def __init__(self, fail_first: bool = False) -> None:
        self.queries: list[list[int]] = []
        self.fail_first = fail_first

    async def fetch(self, keys: Collection[int]) -> dict[int, str]:
        self.queries.append(sorted(keys))
        await asyncio.sleep(0.001)  # a database round trip, during which more callers arrive
        if self.fail_first and len(self.queries) == 1:
            raise ConnectionError("database went away")
        return {k: f"row-{k}" for k in keys if k % 7 != 0}  # multiples of 7 are not stored


async def test_concurrent_callers_share_queries_and_each_gets_its_own_row() -> None:
    table = Table()
    lookup = Coalescer(table.fetch, max_keys=100)
    keys = [k % 250 for k in range(300)]  # 250 distinct keys, 50 asked twice
    found = await asyncio.gather(*(lookup.get(k) for k in keys))
    assert found == [None if k % 7 == 0 else f"row-{k}" for k in keys]
    assert [len(q) for q in table.queries] == [100, 100, 50]
    assert sorted(k for q in table.queries for k in q) == list(range(250))  # no key queried twice


async def test_a_failed_query_fails_its_callers_and_the_next_ones_are_answered() -> None:
    table = Table(fail_first=True)
    lookup = Coalescer(table.fetch, max_keys=10)
    results = await asyncio.gather(*(lookup.get(k) for k in range(1, 16)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results[:10])
    assert results[10:] == ["row-11", "row-12", "row-13", None, "row-15"]
    assert await lookup.get(3) == "row-3"  # and it goes on afterwards


async def test_a_cancelled_caller_does_not_break_the_others() -> None:
    lookup = Coalescer(Table().fetch)
    first, second = asyncio.create_task(lookup.get(1)), asyncio.create_task(lookup.get(2))
    await asyncio.sleep(0)
    first.cancel()
    assert await second == "row-2"
    with pytest.raises(asyncio.CancelledError):
        await first
