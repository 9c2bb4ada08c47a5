"""Live station status for the console's pages: server-sent events from the domain events.

``/console/stations/stream`` sends, for each event, the HTML fragments that change (the htmx sse extension
swaps them into the elements whose ``sse-swap`` names them): ``online-<station>`` (the online badge),
``conn-<station>-<evse>-<connector>`` (a connector's status badge); or a signal for a part of a page to read
itself again: ``row-<station>`` (the stations table's row), ``sessions-<station>`` (a session started or
ended), ``changed`` (something the dashboard counts changed; at most one a second). Each client has its own
bounded queue (:class:`~csms.services.event_feed.EventFeed`): a slow client never holds up the bus; when its
queue overflows it gets ``resync`` and reads the page's state again. The stream ends when the client goes,
when it stalls past ``SEND_TIMEOUT_S``, or when the server stops (sse-starlette watches for both).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from csms.console.auth import reader, services_of
from csms.console.i18n import Translate, translator
from csms.console.nav import STATION_READERS
from csms.console.render import request_lang, templates
from csms.domain.access import Principal
from csms.domain.events import (
    Event,
    HandshakeBudgetExceeded,
    SessionEnded,
    SessionStarted,
    StationBooted,
    StationConnected,
    StationDisconnected,
    StatusChanged,
)
from csms.services.event_feed import EventFeed

router = APIRouter(prefix="/console", include_in_schema=False)

LIVE_EVENTS = (
    StationConnected, StationDisconnected, StationBooted, StatusChanged, SessionStarted, SessionEnded,
    HandshakeBudgetExceeded,
)
QUEUE_SIZE = 256
"""Events waiting for one client before it is told to resync instead."""
CHANGED_EVERY_S = 1.0
PING_S = 15
SEND_TIMEOUT_S = 10.0
SIGN_IN_CHECK_S = 30.0
"""How often a stream checks that its reader's token is still unrevoked."""


def fragment(template: str, _: Translate, **context: Any) -> str:
    return templates.env.get_template(template).render(_=_, **context)


def fragments(event: Event, _: Translate) -> Iterator[tuple[str, str]]:
    """The (SSE event name, HTML) pairs an event changes on the console's pages."""
    if isinstance(event, StationConnected | StationDisconnected):
        online = isinstance(event, StationConnected)
        yield f"online-{event.station_id}", fragment("stations/_online.html", _, online=online)
    elif isinstance(event, StatusChanged):
        name = f"conn-{event.station_id}-{event.evse_id}-{event.connector_id}"
        yield name, fragment("stations/_status.html", _, status=event.status)
        yield f"row-{event.station_id}", ""  # a connector the table does not show yet, last seen
    elif isinstance(event, StationBooted):
        yield f"row-{event.station_id}", ""  # vendor, model, OCPP version
    elif isinstance(event, SessionStarted | SessionEnded):
        yield f"sessions-{event.station_id}", ""


async def _stream(
    feed: EventFeed, _: Translate, resync: bool, signed_in: Callable[[], Awaitable[bool]]
) -> AsyncIterator[ServerSentEvent]:
    """The stream's events; it ends once ``signed_in()`` says the reader's token was revoked (asked every
    ``SIGN_IN_CHECK_S``), as their next page would."""
    loop = asyncio.get_running_loop()
    sent = 0
    changed_due: float | None = None
    check_due = loop.time() + SIGN_IN_CHECK_S

    def sse(name: str, data: str = "") -> ServerSentEvent:
        nonlocal sent
        sent += 1
        return ServerSentEvent(data, event=name, id=str(sent))

    with feed:
        yield ServerSentEvent(comment="live", retry=3000)
        if resync:  # a reconnection: what happened in between was not seen
            yield sse("resync")
        while True:
            due = check_due if changed_due is None else min(changed_due, check_due)
            try:
                event = await asyncio.wait_for(feed.get(), max(0.0, due - loop.time()))
            except TimeoutError:
                if loop.time() >= check_due:
                    if not await signed_in():
                        return
                    check_due = loop.time() + SIGN_IN_CHECK_S
                if changed_due is not None and loop.time() >= changed_due:
                    changed_due = None
                    yield sse("changed")
                continue
            if feed.take_missed():
                yield sse("resync")
            for name, html in fragments(event, _):
                yield sse(name, html)
            if changed_due is None:
                changed_due = loop.time() + CHANGED_EVERY_S


@router.get("/stations/stream")
async def station_stream(
    request: Request, _: Annotated[Principal, Depends(reader(STATION_READERS))],
    station: Annotated[str | None, Query(max_length=48)] = None,
) -> EventSourceResponse:
    """``text/event-stream`` of live station status; ``station``: only that station's events (and the
    dashboard's ``changed``)."""
    services = services_of(request)
    token_id = request.state.console_session.token_id

    async def signed_in() -> bool:
        return await services.api_tokens.principal(token_id) is not None

    events = services.events
    accept = None if station is None else (lambda e: getattr(e, "station_id", None) == station)
    feed = EventFeed(events, LIVE_EVENTS, maxsize=QUEUE_SIZE, accept=accept)
    resync = request.headers.get("last-event-id") is not None
    return EventSourceResponse(
        _stream(feed, translator(request_lang(request)), resync, signed_in), ping=PING_S,
        send_timeout=SEND_TIMEOUT_S,
        headers={"Cache-Control": "no-store"}, background=BackgroundTask(feed.close),
    )
