"""Opening the websocket to the CSMS, and the reconnect back-off.

Security profile 1 (OCPP 1.6 security whitepaper / 2.0.1 A00): HTTP Basic auth with the station id as
user name; profile 2 adds TLS (``wss://``); profile 3 authenticates with a client certificate instead.
Compression is off: chargers rarely negotiate it and it costs memory per connection.
"""

from __future__ import annotations

import base64
import random
import ssl

from websockets.asyncio.client import ClientConnection, connect


def backoff_delay_s(attempt: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Delay [s] before reconnect attempt ``attempt`` (0-based): full jitter over ``base * 2**attempt``.

    Full jitter (uniform between 0 and the exponential ceiling) spreads a fleet that lost the CSMS
    at the same moment, so the reconnect storm does not arrive in one instant.
    """
    ceiling_s = min(max_s, base_s * (2 ** min(attempt, 30)))
    return rng.uniform(0.5 * ceiling_s, ceiling_s) if attempt == 0 else rng.uniform(0.0, ceiling_s)


def basic_auth_header(station_id: str, password: str) -> str:
    """The ``Authorization`` header value for Basic auth with user ``station_id``."""
    token = base64.b64encode(f"{station_id}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def tls_context(
    endpoint: str, ca_file: str | None = None, cert_file: str | None = None, key_file: str | None = None
) -> ssl.SSLContext | None:
    """The TLS settings of a ``wss://`` endpoint (``None`` for ``ws://``): whom to trust, and the station's
    own certificate for profile 3."""
    if not endpoint.startswith("wss://"):
        return None
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file:
        context.load_cert_chain(cert_file, key_file)
    return context


async def open_connection(
    endpoint: str,
    subprotocol: str,
    station_id: str,
    password: str | None = None,
    open_timeout_s: float = 10.0,
    ping_interval_s: float | None = 20.0,
    tls: ssl.SSLContext | None = None,
) -> ClientConnection:
    """Open the websocket, offering exactly ``subprotocol``; raise if the server picks none."""
    headers = {"Authorization": basic_auth_header(station_id, password)} if password else None
    ws = await connect(
        endpoint,
        ssl=tls,
        subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers=headers,
        open_timeout=open_timeout_s,
        ping_interval=ping_interval_s,
        compression=None,
        proxy=None,
        max_size=1 << 20,
        close_timeout=2,
    )
    if ws.subprotocol != subprotocol:
        await ws.close()
        raise ConnectionError(f"CSMS did not accept subprotocol {subprotocol} (got {ws.subprotocol})")
    return ws
