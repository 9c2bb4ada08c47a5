"""The reference's answers over aiohttp's websocket server (a compiled frame reader, Python writer), for
comparison with the ``websockets`` reference (``bench.csms_load --also aiohttp``).

Run: ``python -m bench._load.reference_aiohttp PORT_FILE``; it writes its port to PORT_FILE.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiohttp import WSMsgType, web

from bench._load.common import raise_fd_limit
from bench._load.reference_server import reply
from csms.gc_tuning import tune_for_server


async def _answer(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("ocpp1.6",), compress=False)
    await ws.prepare(request)
    async for message in ws:
        if message.type == WSMsgType.TEXT and (answer := reply(message.data)) is not None:
            await ws.send_str(answer)
    return ws


async def main(port_file: str) -> None:
    raise_fd_limit()
    tune_for_server()
    app = web.Application()
    app.router.add_get("/{station:.*}", _answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=4096).start()
    Path(port_file).write_text(str(runner.addresses[0][1]))  # noqa: ASYNC240  (one-off tiny write at startup)
    await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
