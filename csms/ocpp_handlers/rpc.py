"""The RPC core shared by both OCPP versions: frames in, CALLRESULT/CALLERROR out, outbound calls.

It reuses the ``ocpp`` library's ``ChargePoint`` for its ``@on`` route map and the official schemas, and
takes over the receive path, because the library drops unparseable frames without an answer, parks
responses to unknown message ids in the queue of the next call, and builds CALLERRORs whose details cannot
be serialised. Handlers read the request payload as it came on the wire (camelCase, already checked against
its schema) and return the response payload the same way: at thousands of messages a second the library's
snake_case translation and payload dataclasses cost as much as the rest of a message.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import orjson
from ocpp.charge_point import ChargePoint
from ocpp.exceptions import OCPPError
from ocpp.routing import on

from csms.domain.stations import BootInfo
from csms.domain.timeutil import format_timestamp
from csms.errors import InvalidInput, PayloadInvalid, StationCallError, StationTimeout
from csms.ocpp_handlers.commands import Translator, optional
from csms.ocpp_handlers.validation import ErrorCodes, SchemaViolation, action_known, validate

log = logging.getLogger("csms.ocpp")

CALL, CALLRESULT, CALLERROR = 2, 3, 4


class RpcError(Exception):
    """An error to answer as a CALLERROR."""

    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.details = code, description, details or {}


class StationConnection(ChargePoint):
    """One station's OCPP-J session over a websocket (``recv``/``send``/``close``)."""

    ocpp_version: ClassVar[str]
    subprotocol: ClassVar[str]
    codes: ClassVar[ErrorCodes]
    commands: ClassVar[dict[str, Translator]] = {}
    """Operator commands this version knows, translated to (action, payload); see ``commands.py``."""
    gated_before_boot: ClassVar[bool] = False
    """2.0.1 B02.FR.09/B03.FR.07: until its boot is Accepted, a station's other CALLs get SecurityError."""

    def __init__(
        self, station_id: str, connection: Any, services: Any, *, response_timeout_s: float = 30
    ) -> None:
        super().__init__(station_id, connection, response_timeout=response_timeout_s, logger=log)
        self.services = services
        self.boot_accepted = False
        self._pending: dict[str, asyncio.Future[tuple[int, list[Any]]]] = {}
        self._triggered: set[str] = set()
        self._follow_ups: list[Callable[[], Awaitable[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # -- receive path ----------------------------------------------------------------------------------
    async def start(self) -> None:
        while True:
            await self.route_message(await self._connection.recv())

    async def route_message(self, raw_msg: str | bytes) -> None:
        try:
            frame = orjson.loads(raw_msg)
        except (ValueError, UnicodeDecodeError):
            await self._error("-1", RpcError(self.codes.framework, "frame is not valid JSON"))
            return
        if not isinstance(frame, list) or len(frame) < 3 or not isinstance(frame[1], str):
            await self._error(_id_of(frame), RpcError(self.codes.framework, "frame is not an OCPP-J array"))
            return
        kind, unique_id = frame[0], frame[1]
        if kind == CALL:
            await self._handle(unique_id, frame)
        elif kind in (CALLRESULT, CALLERROR):
            future = self._pending.pop(unique_id, None)
            if future is None or future.done():
                log.warning("station=%s event=orphan_response unique_id=%s", self.id, unique_id)
            else:
                future.set_result((kind, frame))
        else:
            await self._error(
                unique_id, RpcError(self.codes.message_type, f"message type {kind!r} is not supported")
            )

    async def _handle(self, unique_id: str, frame: list[Any]) -> None:
        if len(frame) != 4 or not isinstance(frame[2], str):
            await self._error(unique_id, RpcError(self.codes.framework, "a CALL is [2, id, action, payload]"))
            return
        action, payload = frame[2], frame[3]
        self._follow_ups.clear()
        try:
            result = await self._dispatch(action, payload)
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
        except Exception:  # the top of this message's task: answer, log, keep the connection
            log.exception(
                "station=%s event=handler_failed action=%s unique_id=%s", self.id, action, unique_id
            )
            await self._error(unique_id, RpcError("InternalError", f"{action} could not be processed"))
            return
        await self._send(orjson.dumps([CALLRESULT, unique_id, result]).decode())
        for follow_up in self._follow_ups:
            task = asyncio.create_task(follow_up())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._follow_ups.clear()

    def after_reply(self, follow_up: Callable[[], Awaitable[None]]) -> None:
        """Run ``follow_up`` once the answer to the CALL being handled is sent (never if it fails): a handler
        cannot await a CALL of its own, since the station's answer arrives behind the message it handles."""
        self._follow_ups.append(follow_up)

    async def _dispatch(self, action: str, payload: Any) -> dict[str, Any]:
        handlers = self.route_map.get(action)
        if handlers is None or "_on_action" not in handlers:
            known = action_known(self.ocpp_version, action)
            raise RpcError(
                "NotSupported" if known else "NotImplemented",
                f"{action} is not {'supported' if known else 'known'}",
            )
        if self.gated_before_boot and not self.boot_accepted and action != "BootNotification":
            if action not in self._triggered:
                raise RpcError("SecurityError", f"{action} before BootNotification was Accepted")
            self._triggered.discard(action)
        validate(self.ocpp_version, action, payload, self.codes)
        return await handlers["_on_action"](payload)

    async def _error(self, unique_id: str, error: RpcError) -> None:
        log.info("station=%s event=callerror unique_id=%s code=%s description=%s",
                 self.id, unique_id, error.code, error.description)
        frame = [CALLERROR, unique_id, error.code, error.description[:255], error.details]
        await self._send(orjson.dumps(frame, default=str).decode())

    async def _send(self, message: str) -> None:
        await self._connection.send(message)

    # -- what both versions do alike ---------------------------------------------------------------------
    @on("Heartbeat")
    async def on_heartbeat(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"currentTime": format_timestamp(await self.services.stations.heartbeat(self.id))}

    async def boot(self, info: BootInfo) -> dict[str, Any]:
        """Store a BootNotification; return the response both versions share."""
        answer = await self.services.stations.boot(self.id, self.ocpp_version, info)
        self.boot_accepted = answer.status == "Accepted"
        if self.boot_accepted:
            self.sessions_changed()
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

    def sessions_changed(self) -> None:
        """A session started or ended, or a boot was accepted: the site's power is shared again at once."""
        if self.services.energy is not None:
            self.services.energy.station_changed(self.id)

    # -- outbound calls --------------------------------------------------------------------------------
    async def call_raw(
        self, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL exactly as given (camelCase) and return the station's CALLRESULT payload.

        Raises :class:`PayloadInvalid` before sending when the payload fails the action's schema,
        :class:`StationCallError` when the station answers a CALLERROR (``suppress=False`` semantics) and
        :class:`StationTimeout` when it does not answer in time.
        """
        if not action_known(self.ocpp_version, action):
            raise PayloadInvalid("NotImplemented", f"{action} is not an OCPP {self.ocpp_version} action")
        try:
            validate(self.ocpp_version, action, payload, self.codes)
        except SchemaViolation as exc:
            raise PayloadInvalid(exc.code, exc.description, path=exc.path) from None
        if action == "TriggerMessage":
            self._triggered.add(str(payload.get("requestedMessage")))
        unique_id = str(uuid.uuid4())
        future: asyncio.Future[tuple[int, list[Any]]] = asyncio.get_running_loop().create_future()
        async with self._call_lock:  # OCPP-J: one outstanding CALL per direction
            self._pending[unique_id] = future
            try:
                await self._send(orjson.dumps([CALL, unique_id, action, payload]).decode())
                kind, frame = await asyncio.wait_for(future, timeout_s or self._response_timeout)
            except TimeoutError:
                raise StationTimeout(f"{self.id} did not answer {action} in time") from None
            finally:
                self._pending.pop(unique_id, None)
        if kind == CALLERROR:
            details = frame[4] if len(frame) > 4 and isinstance(frame[4], dict) else {}
            raise StationCallError(str(frame[2]), str(frame[3]) if len(frame) > 3 else "", details)
        return frame[2] if isinstance(frame[2], dict) else {}

    def fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(StationTimeout(f"{self.id} disconnected before answering"))
        self._pending.clear()


def _id_of(frame: Any) -> str:
    if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
        return frame[1]
    return "-1"
