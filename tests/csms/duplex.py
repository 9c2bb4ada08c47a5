"""A scripted station on a raw websocket that both calls the CSMS and answers the CSMS's calls at once.

``answers`` maps an action the CSMS sends to the payload to answer (or a callable of the request payload);
every CALL received is kept in ``received`` as ``(action, payload)``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class Duplex:
    def __init__(self, ws: Any, answers: dict[str, Answer]) -> None:
        self.ws = ws
        self.answers = answers
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._pending: dict[str, asyncio.Future[list[Any]]] = {}
        self._n = 0
        self.last_id = ""

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame[0] == 2:
                _, uid, action, payload = frame
                self.received.append((action, payload))
                answer = self.answers.get(action, {})
                reply = answer(payload) if callable(answer) else answer
                await self.ws.send(json.dumps([3, uid, reply]))
            elif frame[1] in self._pending:
                self._pending.pop(frame[1]).set_result(frame)

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a CALL; the CALLRESULT or CALLERROR frame."""
        self._n += 1
        uid = self.last_id = f"d{self._n}"
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._pending[uid] = future
        await self.ws.send(json.dumps([2, uid, action, payload]))
        return await asyncio.wait_for(future, 5)

    def sent(self, action: str) -> list[dict[str, Any]]:
        """The payloads of every ``action`` the CSMS sent."""
        return [p for a, p in self.received if a == action]


@asynccontextmanager
async def duplex(ws: Any, answers: dict[str, Answer] | None = None) -> AsyncIterator[Duplex]:
    station = Duplex(ws, answers or {})
    reader = asyncio.create_task(station._read())
    try:
        yield station
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
