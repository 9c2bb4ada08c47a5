"""The reference's answers over picows, a websocket library whose framing is compiled (Cython): what the
transport alone costs, for comparison with the ``websockets`` reference (``bench.csms_load --also picows``).

Not a design the CSMS can take as it is: picows decides a handshake in a synchronous callback, and the CSMS
answers an OCPP handshake only after reading the station's credentials and checking its password (argon2, on
a thread), which must come before the HTTP 101 or 401.

Run: ``python -m bench._load.reference_picows PORT_FILE``; it writes its port to PORT_FILE.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from picows import (
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

from bench._load.common import raise_fd_limit
from bench._load.reference_server import reply
from csms.gc_tuning import tune_for_server


class _Answerer(WSListener):  # type: ignore[misc]
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT and (answer := reply(frame.get_payload_as_bytes())) is not None:
            transport.send(WSMsgType.TEXT, answer.encode())


def _accept(_request: WSUpgradeRequest) -> WSUpgradeResponseWithListener:
    response = WSUpgradeResponse.create_101_response(extra_headers={"Sec-WebSocket-Protocol": "ocpp1.6"})
    return WSUpgradeResponseWithListener(response, _Answerer())


async def main(port_file: str) -> None:
    raise_fd_limit()
    tune_for_server()
    server = await ws_create_server(_accept, "127.0.0.1", 0, backlog=4096, websocket_handshake_timeout=60)
    Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))  # noqa: ASYNC240  (one-off tiny write at startup)
    await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
