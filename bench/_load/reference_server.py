"""The reference: a bare ``websockets`` server that parses each frame and answers it. No validation,
no storage.

Run: ``python -m bench._load.reference_server PORT_FILE``; it writes its port to PORT_FILE.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from bench._load.common import raise_fd_limit
from csms.gc_tuning import tune_for_server


async def answer(ws) -> None:
    try:
        await _answer(ws)
    except ConnectionClosed:
        pass


def reply(raw: str | bytes) -> str | None:
    """The answer to one frame: a fixed CALLRESULT for a CALL, nothing for anything else."""
    frame = json.loads(raw)
    if frame[0] != 2:
        return None
    action = frame[2]
    if action == "BootNotification":
        payload = {"currentTime": "2026-01-01T00:00:00Z", "interval": 300, "status": "Accepted"}
    elif action == "Heartbeat":
        payload = {"currentTime": "2026-01-01T00:00:00Z"}
    else:
        payload = {}
    return json.dumps([3, frame[1], payload])


async def _answer(ws) -> None:
    async for raw in ws:
        answer = reply(raw)
        if answer is not None:
            await ws.send(answer)


async def main(port_file: str) -> None:
    raise_fd_limit()
    tune_for_server()  # the CSMS's garbage-collector settings: the comparison is like for like
    async with serve(answer, "127.0.0.1", 0, subprotocols=["ocpp1.6"], ping_interval=None, compression=None,
                     open_timeout=60, backlog=4096) as server:
        Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))  # noqa: ASYNC240  (one-off tiny write at startup)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
