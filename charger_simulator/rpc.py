"""OCPP-J framing done right on the station side, over the ``ocpp`` library's ChargePoint.

The library drops frames it cannot parse and answers unknown actions with swapped codes; a real
station must answer every CALL (OCPP-J 1.6 §4.2.3, 2.0.1 Part 4 §4.2.3). This mixin answers:

* unparseable JSON / not an array -> CALLERROR with message id ``"-1"`` when the id cannot be read;
* an action the version does not define -> ``NotImplemented``; defined but not handled -> ``NotSupported``;
* payload errors -> ``FormatViolation`` (1.6: ``FormationViolation``), ``TypeConstraintViolation``,
  ``ProtocolError``/``OccurrenceConstraintViolation``...

Handlers never await a call to the CSMS (the receive loop would deadlock); follow-ups that must
go out after the CALLRESULT are registered with :meth:`SimChargePointMixin.after_reply`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from ocpp.exceptions import FormatViolationError, NotImplementedError, NotSupportedError, OCPPError
from ocpp.messages import Call, CallError, MessageType, unpack

LOGGER = logging.getLogger("charger_simulator")


def _message_id(raw: str | bytes) -> str:
    """The message id of a broken frame if it can be read, else "-1"."""
    try:
        frame = json.loads(raw)
    except (ValueError, TypeError):
        return "-1"
    if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
        return frame[1]
    return "-1"


class SimChargePointMixin:
    """Station-side routing with correct CALLERRORs; mixed in before ``ocpp.vXX.ChargePoint``."""

    #: Error-code spellings of the version (1.6: 'FormationViolation', 'OccurenceConstraintViolation').
    ERROR_SPELLING: dict[str, str] = {}
    #: Every action the version defines (for NotImplemented vs NotSupported).
    KNOWN_ACTIONS: frozenset[str] = frozenset()
    FRAMING_ERROR = "FormatViolation"
    MESSAGE_TYPE_ERROR = "ProtocolError"

    _ocpp_version: str
    route_map: dict
    call: Callable[..., Any]

    def setup_rpc(
        self,
        validate: bool,
        on_frame: Callable[[str, str], None] | None = None,
        rtt_sink: list[float] | None = None,
    ) -> None:
        """Set schema validation, a frame observer (direction "in"/"out", raw text) and where
        round-trip times [s] of our calls are appended."""
        self._validate = validate
        self._on_frame = on_frame
        self._deferred: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self.rtt_s: list[float] = rtt_sink if rtt_sink is not None else []
        if not validate:
            for handlers in self.route_map.values():
                handlers["_skip_schema_validation"] = True

    def after_reply(self, fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``fn()`` once the CALLRESULT of the request being handled has been sent."""
        self._deferred.append(fn)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:  # pragma: no cover - overridden
        raise RuntimeError("spawn must be provided by the adapter")

    def _code(self, code: str) -> str:
        return self.ERROR_SPELLING.get(code, code)

    async def _send_error(self, unique_id: str, code: str, description: str, details: dict | None = None):
        error = CallError(unique_id, self._code(code), description[:255], details or {})
        await self._send(error.to_json())  # type: ignore[attr-defined]

    async def route_message(self, raw_msg: str) -> None:
        if self._on_frame:
            self._on_frame("in", raw_msg)
        try:
            msg = unpack(raw_msg)
        except OCPPError as e:
            code = self.FRAMING_ERROR if e.code in ("FormatViolation", "ProtocolError") else e.code
            if e.code == "PropertyConstraintViolation":  # message type id not 2, 3 or 4
                code = self.MESSAGE_TYPE_ERROR
            await self._send_error(_message_id(raw_msg), code, str(e.description or e.details))
            return
        if msg.message_type_id != MessageType.Call:
            self._response_queue.put_nowait(msg)  # type: ignore[attr-defined]
            return
        self._deferred = []
        try:
            self._check_call(msg)
            await self._handle_call(msg)  # type: ignore[attr-defined]
        except OCPPError as error:
            LOGGER.info("%s: CALLERROR %s for %s", getattr(self, "id", "?"), error.code, msg.action)
            await self._send_error(msg.unique_id, error.code, error.description or "", {})
            return
        for fn in self._deferred:
            self.spawn(fn())

    def _check_call(self, msg: Call) -> None:
        if not isinstance(msg.action, str) or msg.action not in self.KNOWN_ACTIONS:
            raise NotImplementedError(description=f"Action {msg.action!r} is not known")
        if msg.action not in self.route_map or "_on_action" not in self.route_map[msg.action]:
            raise NotSupportedError(description=f"Action {msg.action} is not supported by this station")
        if not isinstance(msg.payload, dict):
            raise FormatViolationError(description="Payload must be a JSON object")

    async def _send(self, message: str) -> None:
        if self._on_frame:
            self._on_frame("out", message)
        await self._connection.send(message)  # type: ignore[attr-defined]

    async def timed_call(self, payload: Any) -> Any:
        """``call`` with suppress=False, recording the round-trip time [s] in ``rtt_s``."""
        t0 = time.perf_counter()
        result = await self.call(payload, suppress=False, skip_schema_validation=not self._validate)
        self.rtt_s.append(time.perf_counter() - t0)
        return result
