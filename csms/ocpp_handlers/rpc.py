"""The RPC core shared by every OCPP version: frames in, CALLRESULT/CALLERROR out, outbound calls.

A :class:`StationConnection` is composed, not inherited: it owns a :class:`Transport` (``recv``/``send``/
``close``), its own call lock and pending-call table, and takes its handlers from the ``ocpp`` library's
``@on`` decorator through ``create_route_map``, read once per class. The library's ``ChargePoint`` is not
used: it drops unparseable frames without an answer, parks responses to unknown message ids in the queue of
the next call, and builds CALLERRORs whose details cannot be serialised. Handlers read the request payload
as it came on the wire (camelCase, already checked against its schema) and return the response payload the
same way: at thousands of messages a second the library's snake_case translation and payload dataclasses
cost as much as the rest of a message.

Messages of one station are handled one after the other, on the task that reads its socket (no task per
message): OCPP-J allows one outstanding CALL per direction, so a station never has two requests in flight.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol

import orjson
from ocpp.exceptions import OCPPError
from ocpp.routing import create_route_map, on

from csms.domain.stations import BootInfo
from csms.domain.timeutil import Clock, format_timestamp, utcnow
from csms.errors import InvalidInput, PayloadInvalid, StationCallError, StationTimeout
from csms.ocpp_handlers.commands import Translator, optional
from csms.ocpp_handlers.validation import (
    ErrorCodes,
    SchemaViolation,
    action_known,
    free_form,
    request_validator,
    too_deep,
    validate,
)

log = logging.getLogger("csms.ocpp")

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_MESSAGE_ID_CHARS = 36
"""OCPP-J 1.6 §4.1.3 and 2.0.1 Part 4 §4.2.1: a message id is a string of at most 36 characters."""

Handler = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any]]]
MessageIds = Callable[[], str]
"""Makes the unique id of each CALL the CSMS sends (tests inject a deterministic one)."""


def uuid4_ids() -> str:
    """The default message id: a random UUID, 36 characters (OCPP-J allows at most 36)."""
    return str(uuid.uuid4())


class Transport(Protocol):
    """The socket a session runs over: a websocket in production, a pair of queues in tests.

    ``send`` takes the frame as UTF-8 JSON bytes and sends it as a text frame.
    """

    async def recv(self) -> str | bytes: ...

    async def send(self, frame: bytes) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class RpcError(Exception):
    """An error to answer as a CALLERROR."""

    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.details = code, description, details or {}


class StationConnection:
    """One station's OCPP-J session over a :class:`Transport`."""

    ocpp_version: ClassVar[str]
    subprotocol: ClassVar[str]
    codes: ClassVar[ErrorCodes]
    commands: ClassVar[dict[str, Translator]] = {}
    """Operator commands this version knows, translated to (action, payload); see ``commands.py``."""
    unanswered_kinds: ClassVar[frozenset[int]] = frozenset()
    """Message types this version receives but never answers (2.1: CALLRESULTERROR, SEND), handed to
    :meth:`unanswered`; another type (not CALL, CALLRESULT, CALLERROR) is answered MessageTypeNotSupported."""
    gated_before_boot: ClassVar[bool] = False
    """2.0.1 B02.FR.09/B03.FR.07: until its boot is Accepted, a station's other CALLs get SecurityError."""
    routes: ClassVar[dict[str, Handler]] = {}
    """action -> handler (an unbound ``@on`` method), built once per class from the library's route map."""
    _validators: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._validators = {}
        # The library's @on wraps each handler in a pass-through; call the method itself (one frame less).
        cls.routes = {
            action: getattr(entry["_on_action"], "__wrapped__", entry["_on_action"])
            for action, entry in create_route_map(cls).items()
            if "_on_action" in entry
        }

    def __init__(
        self,
        station_id: str,
        transport: Transport,
        services: Any,
        *,
        response_timeout_s: float = 30,
        clock: Clock = utcnow,
        message_ids: MessageIds = uuid4_ids,
    ) -> None:
        self.id = station_id
        self.transport = transport
        self.services = services
        self.clock = clock
        self.boot_accepted = False
        self._response_timeout_s = response_timeout_s
        self._message_ids = message_ids
        self._call_lock = asyncio.Lock()  # OCPP-J: one outstanding CALL per direction
        self._pending: dict[str, asyncio.Future[list[Any]]] = {}
        self._triggered: set[str] = set()
        self._follow_ups: list[Callable[[], Awaitable[None]]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- receive path ----------------------------------------------------------------------------------
    async def serve(self) -> None:
        """Read and handle frames until the transport raises (closed)."""
        recv, route = self.transport.recv, self.route_message
        while True:
            await route(await recv())

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.transport.close(code, reason)

    async def route_message(self, raw_msg: str | bytes) -> None:
        try:
            frame = orjson.loads(raw_msg)
        except (ValueError, UnicodeDecodeError):
            await self._error("-1", RpcError(self.codes.framework, "frame is not valid JSON"))
            return
        if type(frame) is not list or len(frame) < 3 or type(frame[1]) is not str:
            await self._error(_id_of(frame), RpcError(self.codes.framework, "frame is not an OCPP-J array"))
            return
        kind = frame[0]
        if (
            not 0 < len(frame[1]) <= MAX_MESSAGE_ID_CHARS
            and kind != CALLRESULT
            and kind != CALLERROR
            and not (type(kind) is int and kind in self.unanswered_kinds)
        ):
            # Not echoed: an id the spec does not allow is not an id ("-1", as for an unreadable one).
            await self._error("-1", RpcError(self.codes.framework, "message id must be 1 to 36 characters"))
            return
        if kind == CALL:
            await self._handle(frame)
        elif kind == CALLRESULT or kind == CALLERROR:
            future = self._pending.pop(frame[1], None)
            if future is None or future.done():
                log.warning("station=%s event=orphan_response unique_id=%s", self.id, frame[1][:40])
            else:
                future.set_result(frame)
        elif type(kind) is int and kind in self.unanswered_kinds:  # a kind may be any JSON value
            self.unanswered(frame, raw_msg)
        else:
            await self._error(
                frame[1], RpcError(self.codes.message_type, f"message type {kind!r} is not supported")
            )

    async def _handle(self, frame: list[Any]) -> None:
        unique_id = frame[1]
        if len(frame) != 4 or type(frame[2]) is not str:
            await self._error(unique_id, RpcError(self.codes.framework, "a CALL is [2, id, action, payload]"))
            return
        action = frame[2]
        try:
            result = await self._dispatch(action, frame[3])
        except RpcError as exc:
            await self._error(unique_id, exc)
            return
        except SchemaViolation as exc:
            await self._error(unique_id, RpcError(exc.code, exc.description, exc.details()))
            return
        except InvalidInput as exc:
            await self._error(unique_id, RpcError(self.codes.property, str(exc), {"field": exc.field or ""}))
            return
        except OCPPError as exc:
            await self._error(unique_id, RpcError(exc.code, exc.description))
            return
        except Exception:  # the top of this message's handling: answer, log, keep the connection
            log.exception(
                "station=%s event=handler_failed action=%s unique_id=%s", self.id, action, unique_id
            )
            await self._error(unique_id, RpcError("InternalError", f"{action} could not be processed"))
            return
        finally:
            follow_ups, self._follow_ups = self._follow_ups, None
        await self.transport.send(orjson.dumps([CALLRESULT, unique_id, result]))
        if follow_ups:
            for follow_up in follow_ups:
                task = asyncio.create_task(follow_up())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def unanswered(self, frame: list[Any], raw_msg: str | bytes) -> None:
        """A well-formed frame of one of :attr:`unanswered_kinds`: nothing is sent back."""

    def after_reply(self, follow_up: Callable[[], Awaitable[None]]) -> None:
        """Run ``follow_up`` once the answer to the CALL being handled is sent (never if it fails): a handler
        cannot await a CALL of its own, since the station's answer arrives behind the message it handles."""
        if self._follow_ups is None:
            self._follow_ups = []
        self._follow_ups.append(follow_up)

    async def _dispatch(self, action: str, payload: Any) -> dict[str, Any]:
        handler = self.routes.get(action)
        if handler is None:
            known = action_known(self.ocpp_version, action)
            raise RpcError(
                "NotSupported" if known else "NotImplemented",
                f"{action} is not {'supported' if known else 'known'}",
            )
        if self.gated_before_boot and not self.boot_accepted and action != "BootNotification":
            if action not in self._triggered:
                raise RpcError("SecurityError", f"{action} before BootNotification was Accepted")
            self._triggered.discard(action)
        # A valid payload costs one dict lookup and one is_valid call; only a failure is walked for its error.
        checker = self._validators.get(action)
        if checker is None:
            checker = self._validators[action] = request_validator(self.ocpp_version, action)
        if checker is None or type(payload) is not dict or not checker.is_valid(payload):
            if type(payload) is dict and too_deep(payload):  # before its error is looked for: that recurses
                raise SchemaViolation(self.codes.format, "payload nests too deep", "")
            validate(self.ocpp_version, action, payload, self.codes)
        if free_form(self.ocpp_version, action) and too_deep(payload):
            raise SchemaViolation(self.codes.format, "payload nests too deep", "")
        return await handler(self, payload)

    async def _error(self, unique_id: str, error: RpcError) -> None:
        description = error.description[:255]  # it may quote the station's value, of any length
        log.info("station=%s event=callerror unique_id=%s code=%s description=%s",
                 self.id, unique_id, error.code, description)
        frame = [CALLERROR, unique_id, error.code, description, error.details]
        await self.transport.send(orjson.dumps(frame, default=str))

    # -- what every version does alike -----------------------------------------------------------------
    @on("Heartbeat")
    async def on_heartbeat(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"currentTime": format_timestamp(await self.services.stations.heartbeat(self.id))}

    async def boot(self, info: BootInfo) -> dict[str, Any]:
        """Store a BootNotification; return the response every version shares."""
        answer = await self.services.stations.boot(self.id, self.ocpp_version, info)
        self.boot_accepted = answer.status == "Accepted"
        return {"currentTime": format_timestamp(answer.current_time), "interval": answer.interval_s,
                "status": answer.status}

    async def sign_certificate(self, csr: str, certificate_type: str | None = None) -> dict[str, Any]:
        """A02/A03: answer a certificate signing request; if Accepted, the signed chain follows the answer.

        Rejected when no station CA is configured, for a V2G (ISO 15118) certificate, which needs a V2G PKI,
        and for a request that is invalid or in another station's name.
        """
        authority = self.services.certificates
        if authority is None or certificate_type == "V2GCertificate":
            return {"status": "Rejected"}
        try:
            chain = authority.sign(self.id, csr)
        except InvalidInput as exc:
            log.warning("station=%s event=csr_rejected reason=%s", self.id, exc)
            return {"status": "Rejected"}
        payload = optional(certificateChain=chain, certificateType=certificate_type)
        self.after_reply(lambda: self._deliver_certificate(payload))
        return {"status": "Accepted"}

    async def _deliver_certificate(self, payload: dict[str, Any]) -> None:
        try:
            answer = await self.call_raw("CertificateSigned", payload)
        except Exception:  # the top of this follow-up task: log it, the station can ask again
            log.exception("station=%s event=certificate_not_delivered", self.id)
            return
        log.info("station=%s event=certificate_delivered status=%s", self.id, answer.get("status"))
        await self.services.stations.record(self.id, "CertificateSigned", answer)

    # -- outbound calls --------------------------------------------------------------------------------
    async def call_raw(
        self, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL exactly as given (camelCase) and return the station's CALLRESULT payload.

        Raises :class:`PayloadInvalid` before sending when the payload fails the action's schema,
        :class:`StationCallError` when the station answers a CALLERROR (``suppress=False`` semantics) and
        :class:`StationTimeout` when it does not answer within ``timeout_s`` [s] (default: the
        connection's response timeout).
        """
        if not action_known(self.ocpp_version, action):
            raise PayloadInvalid("NotImplemented", f"{action} is not an OCPP {self.ocpp_version} action")
        try:
            validate(self.ocpp_version, action, payload, self.codes)
        except SchemaViolation as exc:
            raise PayloadInvalid(exc.code, exc.description, path=exc.path) from None
        if action == "TriggerMessage":
            self._triggered.add(str(payload.get("requestedMessage")))
        async with self._call_lock:
            unique_id = self._message_ids()
            future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
            self._pending[unique_id] = future
            try:
                await self.transport.send(orjson.dumps([CALL, unique_id, action, payload]))
                frame = await asyncio.wait_for(future, timeout_s or self._response_timeout_s)
            except TimeoutError:
                raise StationTimeout(f"{self.id} did not answer {action} in time") from None
            finally:
                self._pending.pop(unique_id, None)
        if frame[0] == CALLERROR:
            details = frame[4] if len(frame) > 4 and isinstance(frame[4], dict) else {}
            raise StationCallError(str(frame[2]), str(frame[3]) if len(frame) > 3 else "", details)
        return frame[2] if isinstance(frame[2], dict) else {}

    def fail_pending(self) -> None:
        """The socket is gone: every outbound call still waiting fails now rather than at its timeout."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(StationTimeout(f"{self.id} disconnected before answering"))
        self._pending.clear()


def _id_of(frame: Any) -> str:
    if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
        if 0 < len(frame[1]) <= MAX_MESSAGE_ID_CHARS:
            return frame[1]
    return "-1"
