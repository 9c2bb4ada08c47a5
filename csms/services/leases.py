"""Which CSMS node runs each site's energy-management cycle: a lease per site, with a fencing token.

With one node (no Redis) that node holds every site (:class:`SingleNode`). With several nodes behind one
database and one Redis, each site's cycle runs on exactly one node at a time: the node that holds the site's
lease (:class:`csms.db.leases.RedisSiteLeases`). A lease expires unless its holder renews it, so when a node
dies another takes its sites over within the lease's time to live.

Expiry alone cannot stop a holder that stalled (a long pause, a partition) from waking up and sending
profiles after another node took over. Each acquisition therefore gets a **fencing token** that only grows,
and before a cycle sends anything the manager records the token in the database
(:meth:`SiteService.fence <csms.services.sites.SiteService.fence>`), which refuses a token lower than one
already recorded: the stale holder's cycle is dropped. (M. Kleppmann, "How to do distributed locking", 2016.)

The domain events of one node do not reach the others; what makes a site's cycle run at once (telemetry, a
session started, a DR event) is forwarded as a *kick* to every node, and the holder runs the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

OnKick = Callable[[tuple[str, ...], tuple[str, ...]], None]
"""Called with the sites, and the stations whose sites, another node asks to run soon."""


class SiteLeases(Protocol):
    fenced: bool
    """Whether a cycle must record its token with the database before sending (several nodes)."""
    renew_s: float | None
    """How often the holder must renew (a full cycle runs at least this often); ``None``: never."""

    async def start(self, on_kick: OnKick) -> None: ...

    async def hold(self, site_ids: Sequence[str]) -> dict[str, int]:
        """Take the free leases of these sites and renew this node's own; the held ones with their token."""
        ...

    def kick(self, sites: Iterable[str] = (), stations: Iterable[str] = ()) -> None:
        """Tell the other nodes (no-op with one node)."""
        ...

    async def stop(self, *, release: bool = True) -> None:
        """Stop; with ``release`` give this node's leases up at once (a graceful stop) rather than let them
        expire."""
        ...


class SingleNode:
    """One node: it holds every site, with token 0, and nothing needs fencing."""

    fenced = False
    renew_s = None

    async def start(self, on_kick: OnKick) -> None:
        return None

    async def hold(self, site_ids: Sequence[str]) -> dict[str, int]:
        return dict.fromkeys(site_ids, 0)

    def kick(self, sites: Iterable[str] = (), stations: Iterable[str] = ()) -> None:
        return None

    async def stop(self, *, release: bool = True) -> None:
        return None


__all__ = ["OnKick", "SingleNode", "SiteLeases"]
