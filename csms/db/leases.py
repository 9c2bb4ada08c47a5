"""Site leases in Redis and their fencing tokens in the database (see :mod:`csms.services.leases`).

Redis holds ``csms:lease:site:{id}`` = ``{node}:{token}`` with a time to live, and ``csms:lease:epoch:{id}``,
a counter incremented at each acquisition (the fencing token). Both steps run in one Lua script, so taking a
free lease and numbering it is atomic. Kicks go over the pub/sub channel ``csms:energy:kick``.

The database keeps the highest token that has sent for each site (``site_lease_fences``); a cycle records its
token before sending and is refused if a higher one is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence

from redis.asyncio import Redis
from sqlalchemy import Integer, String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from csms.db.base import Base

log = logging.getLogger("csms.energy")

LEASE = "csms:lease:site:"
EPOCH = "csms:lease:epoch:"
KICKS = "csms:energy:kick"

# KEYS: lease, epoch. ARGV: node, ttl [ms]. Returns the token held, or -1 if another node holds the lease.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if not holder then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
  return token
end
local node, token = string.match(holder, '^(.*):(%d+)$')
if node == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(token)
end
return -1
"""

# KEYS: lease. ARGV: node. Deletes the lease only if this node holds it.
_RELEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and string.match(holder, '^(.*):%d+$') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class SiteLeaseFence(Base):
    """The highest lease token that has sent charging profiles for each site."""

    __tablename__ = "site_lease_fences"

    site_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    token: Mapped[int] = mapped_column(Integer)


async def fence(session: AsyncSession, site_id: str, token: int) -> bool:
    """Record ``token`` for the site unless a higher one is recorded; whether this token may send."""
    table = SiteLeaseFence.__table__
    raised = await session.execute(
        update(table).where(table.c.site_id == site_id, table.c.token <= token).values(token=token)
    )
    if raised.rowcount:  # type: ignore[attr-defined]
        return True
    if await session.get(SiteLeaseFence, site_id) is not None:
        return False  # a newer holder has sent
    session.add(SiteLeaseFence(site_id=site_id, token=token))
    await session.flush()  # two first holders at once: the primary key lets one in, the other fails
    return True


class RedisSiteLeases:
    """Leases of ``ttl_s`` seconds for node ``node_id``; renewed at a third of that."""

    fenced = True

    def __init__(self, url: str, node_id: str, ttl_s: float) -> None:
        self.node_id = node_id
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self.renew_s: float | None = ttl_s / 3
        self._redis = Redis.from_url(url)
        self._hold = self._redis.register_script(_HOLD)
        self._release = self._redis.register_script(_RELEASE)
        self._held: set[str] = set()
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def start(self, on_kick: Callable[[tuple[str, ...], tuple[str, ...]], None]) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(KICKS)
        self._listener = asyncio.create_task(self._listen(pubsub, on_kick), name="energy-kicks")

    async def _listen(self, pubsub, on_kick: Callable[[tuple[str, ...], tuple[str, ...]], None]) -> None:  # type: ignore[no-untyped-def]
        try:
            async for message in pubsub.listen():
                if message["type"] != "message":
                    continue
                try:
                    body = json.loads(message["data"])
                    if body["node"] != self.node_id:
                        on_kick(tuple(body["sites"]), tuple(body["stations"]))
                except (ValueError, KeyError, TypeError):
                    log.warning("event=bad_energy_kick")
        finally:
            await pubsub.aclose()

    async def hold(self, site_ids: Sequence[str]) -> dict[str, int]:
        if not site_ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for site_id in site_ids:
                await self._hold(keys=[LEASE + site_id, EPOCH + site_id], args=[self.node_id, self.ttl_ms],
                                 client=pipe)
            tokens = await pipe.execute()
        held = {s: int(t) for s, t in zip(site_ids, tokens, strict=True) if int(t) >= 0}
        for site_id in held.keys() - self._held:
            log.info("site=%s event=lease_taken node=%s token=%d", site_id, self.node_id, held[site_id])
        self._held = (self._held - set(site_ids)) | held.keys()
        return held

    def kick(self, sites: Iterable[str] = (), stations: Iterable[str] = ()) -> None:
        body = json.dumps({"node": self.node_id, "sites": list(sites), "stations": list(stations)})
        task = asyncio.create_task(self._publish(body))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _publish(self, body: str) -> None:
        try:
            await self._redis.publish(KICKS, body)
        except Exception:  # the top of this task: the holder still runs the site on its period
            log.exception("event=energy_kick_failed")

    async def stop(self, *, release: bool = True) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
        if release:
            for site_id in sorted(self._held):
                await self._release(keys=[LEASE + site_id], args=[self.node_id])
            self._held.clear()
        await self._redis.aclose()


__all__ = ["RedisSiteLeases", "SiteLeaseFence", "fence"]
