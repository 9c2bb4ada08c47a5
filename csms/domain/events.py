"""Domain events and the in-process bus that carries them (sans I/O: handlers are plain callables).

Services publish what happened once it is committed; whoever cares subscribes (the site energy manager, the
compliance telemetry cross-check, the console's live updates). No edge calls a subscriber directly.

Handlers run synchronously, in subscription order, inside :meth:`EventBus.publish`: they must be quick (mark
something dirty, set an ``asyncio.Event``, put on a queue). A handler that raises is logged and the others
still run; the publisher never hears of it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

log = logging.getLogger("csms.events")


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every domain event; ``at`` is when it happened (the injected clock's time)."""

    at: datetime


@dataclass(frozen=True, slots=True)
class StationConnected(Event):
    station_id: str
    ocpp_version: str


@dataclass(frozen=True, slots=True)
class StationDisconnected(Event):
    station_id: str


@dataclass(frozen=True, slots=True)
class HandshakeBudgetExceeded(Event):
    """An alert: too many failed handshakes for one station id or from one source address (see
    :mod:`csms.domain.throttle`); further attempts are refused with HTTP 429 for ``retry_after_s`` [s]."""

    kind: str
    """``"station"`` or ``"address"``."""
    key: str
    failures: int
    retry_after_s: float


@dataclass(frozen=True, slots=True)
class StationBooted(Event):
    """A BootNotification was answered with ``registration_status``."""

    station_id: str
    registration_status: str


@dataclass(frozen=True, slots=True)
class StatusChanged(Event):
    station_id: str
    evse_id: int
    connector_id: int
    status: str
    timestamp: datetime
    """When the station says the status changed."""


@dataclass(frozen=True, slots=True)
class SessionStarted(Event):
    station_id: str
    transaction_id: int
    evse_id: int


@dataclass(frozen=True, slots=True)
class SessionEnded(Event):
    station_id: str
    transaction_id: int
    evse_id: int
    energy_wh: float | None


@dataclass(frozen=True, slots=True)
class TelemetryReceived(Event):
    """New site meter readings (PV, battery, base load, grid import) were stored."""

    site_id: str
    latest: datetime
    """The newest sample's timestamp."""
    max_grid_import_w: float | None = None
    """The highest metered import among the samples [W] (``None``: no meter reading): the energy manager's
    fast path corrects a site whose meter reads over its limit at once."""


@dataclass(frozen=True, slots=True)
class SiteChanged(Event):
    """A site's configuration, members or tariff changed (or the site was created or deleted)."""

    site_id: str


@dataclass(frozen=True, slots=True)
class DemandResponseChanged(Event):
    """A demand-response event was created, changed or cancelled."""

    event_id: str
    site_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChargingLimitChanged(Event):
    """A station reported an external charging limit or its end."""

    station_id: str


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


class EventBus:
    """``subscribe(EventType, handler)``; ``publish(event)`` calls the handlers of its type and of its bases.

    >>> bus, seen = EventBus(), []
    >>> _ = bus.subscribe(SiteChanged, lambda e: seen.append(e.site_id))
    >>> _ = bus.subscribe(Event, lambda e: seen.append(type(e).__name__))
    >>> from datetime import UTC
    >>> bus.publish(SiteChanged(datetime(2026, 12, 2, tzinfo=UTC), "S1"))
    >>> seen
    ['S1', 'SiteChanged']
    """

    def __init__(self) -> None:
        self._handlers: defaultdict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` with every event of ``event_type`` (or a subclass); returns an unsubscribe."""
        self._handlers[event_type].append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers[event_type]:
                self._handlers[event_type].remove(handler)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for kind in type(event).__mro__:
            for handler in list(self._handlers.get(kind, ())):
                try:
                    handler(event)
                except Exception:  # a subscriber's bug must not fail the use case that already committed
                    log.exception("event=subscriber_failed kind=%s", type(event).__name__)

    def publish_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.publish(event)
