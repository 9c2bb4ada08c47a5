"""The OCPP-J websocket server: path -> station id, subprotocol negotiation, Basic auth, size limit.

``ws://HOST:PORT/ocpp/{station_id}`` and ``ws://HOST:PORT/{station_id}`` both work. The newest OCPP version
both sides support is chosen; a handshake offering none gets HTTP 400. Security profile 1: HTTP Basic auth
with the station id as user name, checked before the upgrade (401 on failure); profile 2 adds TLS; profile 3
replaces the password with a client certificate whose common name is the station id. A station that connects
again replaces its previous connection, which is closed with code 1000 ("replaced") without waiting: a real
station only reconnects when it believes the old socket dead, and a half-open old socket must not keep the
new one out, nor hold up its first answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import ssl
from collections.abc import Sequence
from http import HTTPStatus
from math import ceil
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from csms.config import Settings
from csms.domain.timeutil import Clock, utcnow
from csms.ocpp_handlers.registry import ConnectionRegistry
from csms.ocpp_handlers.rpc import MessageIds, StationConnection, uuid4_ids
from csms.ocpp_handlers.v16 import V16Connection
from csms.ocpp_handlers.v21 import V21Connection
from csms.ocpp_handlers.v201 import V201Connection
from csms.services import Services
from csms.services.certificates import identity_of
from csms.services.station_auth import HandshakeVerdict

log = logging.getLogger("csms.ocpp")

TLS_CIPHERS = ":".join((
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",  # ECDSA certificate (A00.FR.318)
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",  # RSA certificate, forward secrecy
    "AES128-GCM-SHA256", "AES256-GCM-SHA384",  # RSA certificate, RSA key exchange (A00.FR.319, 1.6)
))
"""TLS 1.2 suites the OCPP port offers (OpenSSL names), strongest first; TLS 1.3 keeps OpenSSL's three
AEAD suites. The ECDSA suites need an ECDSA certificate and the others an RSA one: configure both
(``ocpp_tls_cert_file`` and ``ocpp_tls_second_cert_file``) to offer all of them."""

# Newest first: the server picks the first of these the station offers.
VERSIONS: dict[str, type[StationConnection]] = {
    "ocpp2.1": V21Connection, "ocpp2.0.1": V201Connection, "ocpp1.6": V16Connection
}


def station_id_from_path(path: str) -> str | None:
    """``/ocpp/CP-001`` or ``/CP-001`` -> ``CP-001`` (URL-decoded); anything else -> ``None``.

    An id with a control character (``%0D%0A``...) is no station's: it is refused before anything else.

    >>> (station_id_from_path("/ocpp/CP%20001?x=1"), station_id_from_path("/CP-1"),
    ...  station_id_from_path("/a/b/c"), station_id_from_path("/ocpp/A16%0D%0AX-Injected:1"))
    ('CP 001', 'CP-1', None, None)
    """
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if len(parts) == 2 and parts[0] == "ocpp":
        parts = parts[1:]
    if len(parts) != 1:
        return None
    station_id = unquote(parts[0])
    if not 0 < len(station_id) <= 48 or not station_id.isprintable():
        return None
    return station_id


def select_subprotocol(_connection: ServerConnection, offered: Sequence[str]) -> str | None:
    """The newest OCPP version both sides support, whatever order the station listed them in."""
    return next((p for p in VERSIONS if p in offered), None)


def basic_credentials(headers: Headers) -> tuple[str, str] | None:
    value = headers.get("Authorization")
    if not value or not value.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(value[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _over_tls(connection: ServerConnection) -> bool:
    transport = connection.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


def _certified_identity(connection: ServerConnection) -> str | None:
    """The common name of the station's client certificate, if it presented one the TLS layer verified."""
    tls = connection.transport.get_extra_info("ssl_object") if connection.transport is not None else None
    peer = tls.getpeercert() if tls is not None else None
    return identity_of(peer) if peer else None


def _reply(status: HTTPStatus, text: str, **headers: str) -> Response:
    body = (text + "\n").encode()
    hdrs = Headers({"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body)), **headers})
    return Response(status.value, status.phrase, hdrs, body)


class WebsocketTransport:
    """A station's websocket as the :class:`~csms.ocpp_handlers.rpc.Transport` its session runs over."""

    __slots__ = ("_ws", "recv")

    def __init__(self, ws: ServerConnection) -> None:
        self._ws = ws
        self.recv = ws.recv

    async def send(self, frame: bytes) -> None:
        # orjson's UTF-8 bytes go out as a text frame as they are: no decode here, no encode in websockets.
        await self._ws.send(frame, text=True)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code, reason)


class OcppServer:
    """Accepts stations, runs one :class:`StationConnection` per socket, tells the station service who comes
    and goes. ``clock`` and ``message_ids`` are handed to every connection (tests pass deterministic ones)."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        registry: ConnectionRegistry,
        *,
        clock: Clock = utcnow,
        message_ids: MessageIds = uuid4_ids,
    ) -> None:
        self.settings = settings
        self.services = services
        self.registry = registry
        self.clock = clock
        self.message_ids = message_ids
        self._server: Server | None = None
        self._tls_server: Server | None = None  # wss:// beside plain ws:// (``ocpp_tls_port``)
        # connection -> "already booted Accepted", learnt at the handshake so the session needs no second read
        self._booted: dict[int, bool] = {}
        self._closing: set[asyncio.Task[None]] = set()  # replaced connections being closed

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    @property
    def tls_port(self) -> int | None:
        """The port that speaks ``wss://``: ``ocpp_tls_port``'s, or the OCPP port when it is TLS only."""
        if self._tls_server is not None:
            return self._tls_server.sockets[0].getsockname()[1]
        return self.port if self.settings.ocpp_tls_cert_file else None

    async def start(self) -> None:
        tls = self._tls()
        if tls is not None and self.settings.ocpp_tls_port is not None:
            self._server = await self._listen(self.settings.ocpp_port, None)
            self._tls_server = await self._listen(self.settings.ocpp_tls_port, tls)
        else:
            self._server = await self._listen(self.settings.ocpp_port, tls)
        log.info("event=ocpp_listening host=%s port=%s tls_port=%s", self.settings.ocpp_host, self.port,
                 self.tls_port)

    async def _listen(self, port: int, tls: ssl.SSLContext | None) -> Server:
        return await serve(
            self._session,
            self.settings.ocpp_host,
            port,
            subprotocols=list(VERSIONS),  # type: ignore[arg-type]
            process_request=self._process_request,
            select_subprotocol=select_subprotocol,
            max_size=self.settings.ocpp_max_message_bytes,
            ping_interval=self.settings.ocpp_ping_interval_s,
            compression=None,
            open_timeout=self.settings.ocpp_open_timeout_s,
            backlog=self.settings.ocpp_backlog,
            ssl=tls,
        )

    def _tls(self) -> ssl.SSLContext | None:
        """Security profile 2: TLS on the OCPP port when a certificate is configured (TLS 1.2 or newer).

        Profile 3: with a client CA, stations may present (or, if required, must present) a certificate it
        signed; the TLS layer verifies the chain, :meth:`_process_request` the identity.
        """
        settings = self.settings
        if not settings.ocpp_tls_cert_file:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(settings.ocpp_tls_cert_file, settings.ocpp_tls_key_file)
        if settings.ocpp_tls_second_cert_file:  # OpenSSL keeps one certificate per key type: RSA and ECDSA
            context.load_cert_chain(settings.ocpp_tls_second_cert_file, settings.ocpp_tls_second_key_file)
        context.set_ciphers(TLS_CIPHERS)
        if settings.ocpp_tls_client_ca_file:
            context.load_verify_locations(settings.ocpp_tls_client_ca_file)
            required = settings.ocpp_tls_require_client_cert
            context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
        return context

    async def stop(self) -> None:
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close()
                await server.wait_closed()
        self._server = self._tls_server = None
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        station_id = station_id_from_path(request.path)
        if station_id is None:
            log.info("event=handshake_refused reason=bad_path path=%s", request.path)
            return _reply(HTTPStatus.NOT_FOUND, "expected /ocpp/{station_id}")
        offered = [p.strip() for h in request.headers.get_all("Sec-WebSocket-Protocol") for p in h.split(",")]
        if not any(p in VERSIONS for p in offered):
            log.warning("station=%s event=handshake_refused reason=no_common_subprotocol offered=%s",
                        station_id, offered)
            return _reply(HTTPStatus.BAD_REQUEST,
                          f"no supported OCPP subprotocol offered; use one of {', '.join(VERSIONS)}")
        certified = _certified_identity(connection)  # security profile 3: the certificate names the station
        if certified is not None and certified != station_id:
            log.warning("station=%s event=handshake_refused reason=certificate_names_%s", station_id,
                        certified)
            return _reply(HTTPStatus.UNAUTHORIZED, "the client certificate names another station")
        creds = None if certified else basic_credentials(request.headers)
        if creds is not None and creds[0] != station_id:
            creds = None  # the user name must be the station id (OCPP security profile 1)
        source = connection.remote_address[0] if connection.remote_address else None
        verdict, booted, retry_after_s = await self.services.station_auth.authenticate(
            station_id, creds[1] if creds else None, certified=certified is not None, source=source,
            tls=_over_tls(connection),
        )
        self._booted[id(connection)] = booted
        if verdict is HandshakeVerdict.throttled:
            log.warning("station=%s event=handshake_refused reason=throttled source=%s retry_after_s=%d",
                        station_id, source, ceil(retry_after_s))
            return _reply(HTTPStatus.TOO_MANY_REQUESTS, "too many failed attempts; retry later",
                          **{"Retry-After": str(ceil(retry_after_s))})
        if verdict is HandshakeVerdict.unknown and creds is not None:
            await self.services.station_auth.admit_unknown(station_id, creds[1])
            log.info("station=%s event=admitted_pending", station_id)
        elif verdict is HandshakeVerdict.insecure:
            log.warning("station=%s event=handshake_refused reason=below_security_profile tls=%s",
                        station_id, _over_tls(connection))
            return _reply(HTTPStatus.UNAUTHORIZED, "this station must connect with a higher security profile")
        elif verdict is not HandshakeVerdict.accepted:
            log.warning("station=%s event=handshake_refused reason=%s", station_id, verdict.value)
            return _reply(HTTPStatus.UNAUTHORIZED, "authentication failed",
                          **{"WWW-Authenticate": 'Basic realm="ocpp"'})
        return None

    async def _close_replaced(self, old: StationConnection) -> None:
        try:
            await old.close(1000, "replaced by a new connection")
        except Exception:  # the top of this task: the old socket is going away whatever happened
            log.exception("station=%s event=replaced_close_failed", old.id)

    async def _session(self, connection: ServerConnection) -> None:
        station_id = station_id_from_path(connection.request.path)  # type: ignore[union-attr]
        assert station_id is not None and connection.subprotocol in VERSIONS
        conn = VERSIONS[connection.subprotocol](
            station_id, WebsocketTransport(connection), self.services,
            response_timeout_s=self.settings.ocpp_response_timeout_s, clock=self.clock,
            message_ids=self.message_ids,
        )
        conn.boot_accepted = self._booted.pop(id(connection), False)
        old = self.registry.attach(conn)
        if old is not None:
            log.info("station=%s event=connection_replaced", station_id)
            old.fail_pending()
            # Not awaited: a half-open old socket never answers the close, and the new one would wait for
            # the close handshake's timeout (10 s) before its first answer. The old one closes meanwhile.
            closing = asyncio.create_task(self._close_replaced(old))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        log.info("station=%s event=connected version=%s", station_id, conn.ocpp_version)
        self.services.stations.connected(station_id, conn.ocpp_version)
        try:
            await conn.serve()
        except ConnectionClosed as closed:
            log.info("station=%s event=disconnected code=%s", station_id,
                     closed.rcvd.code if closed.rcvd else None)
        finally:
            if self.registry.detach(conn):  # not when a newer connection of the station replaced this one
                self.services.stations.disconnected(station_id)
            conn.fail_pending()
