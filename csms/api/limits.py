"""Request-body limits at the very edge: a pure ASGI middleware in front of FastAPI.

FastAPI reads and parses a route's whole body before its dependencies run, so a token check in a dependency
comes too late to protect memory: four unauthenticated 100 MB bodies once took the process from 287 to
1,072 MiB. This middleware answers before anything is read:

- a request carrying a body without an ``Authorization: Bearer <token>`` header gets 401 (the header is only
  checked for shape here; the token itself is resolved by the route's dependency, as before);
- a declared ``Content-Length`` over the route's limit gets 413;
- a streamed (chunked) body is counted as it arrives, and the read that passes the limit ends the request
  with 413 too;
- text with a NUL character (the escape ``\\u0000`` in a JSON body, ``%00`` in the query) gets 422:
  PostgreSQL cannot store it in a text column, and no field of this API has a use for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024


@dataclass(frozen=True)
class BodyLimits:
    """Largest request body [bytes] per path; ``by_path`` keys are exact paths (no path parameters)."""

    default_bytes: int = 1 * MIB
    by_path: Mapping[str, int] = field(default_factory=dict)
    session_cookie: str | None = None
    """A cookie that stands for credentials like a bearer token (the web console's session; its signature
    and token are checked by the route's dependency, as the bearer token's are)."""
    anonymous: Mapping[str, int] = field(default_factory=dict)
    """Paths that take a small body without credentials (a sign-in form), with their limit [bytes]."""

    def for_path(self, path: str) -> int:
        return self.by_path.get(path, self.default_bytes)


# The register import takes a whole sheet (xlsx or CSV) as its raw body.
DEFAULT_LIMITS = BodyLimits(by_path={"/api/v1/compliance/car-parks/import": 20 * MIB})


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit; an HTTPException, so that FastAPI's
    body reader passes it through and the app answers 413 wherever the body was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the limit of {limit} bytes for this route")
        self.limit = limit


class NulInText(HTTPException):
    """Raised from ``receive`` when a JSON body carries a NUL character (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(422, "text may not contain the NUL character (\\u0000)")


_NUL_ESCAPE = b"\\u0000"


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", ())}


def _has_cookie(headers: Mapping[bytes, bytes], name: str | None) -> bool:
    if name is None:
        return False
    cookies = headers.get(b"cookie", b"").decode("latin-1")
    return any(
        part.strip().startswith(f"{name}=") and len(part.strip()) > len(name) + 1
        for part in cookies.split(";")
    )


def _has_bearer(headers: Mapping[bytes, bytes]) -> bool:
    scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
    return scheme.lower() == b"bearer" and bool(token.strip())


async def _answer(send: Send, status: int, detail: str, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse, before reading it, a body that is unauthenticated or over its route's limit."""

    def __init__(self, app: ASGIApp, limits: BodyLimits = DEFAULT_LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        anonymous = self.limits.anonymous.get(scope["path"])
        limit = anonymous or self.limits.for_path(scope["path"])
        try:
            declared = int(headers[b"content-length"]) if b"content-length" in headers else None
        except ValueError:
            await _answer(send, 400, "Content-Length is not a number")
            return
        has_body = (declared or 0) > 0 or b"transfer-encoding" in headers
        credentialed = (
            anonymous is not None or _has_bearer(headers) or _has_cookie(headers, self.limits.session_cookie)
        )
        if has_body and not credentialed:
            await _answer(send, 401, "bearer token required", [(b"www-authenticate", b"Bearer")])
            return
        if declared is not None and declared > limit:
            await _answer(send, 413, f"request body over the limit of {limit} bytes for this route")
            return
        if b"%00" in scope.get("query_string", b""):
            await _answer(send, 422, NulInText().detail)
            return
        is_json = headers.get(b"content-type", b"").split(b";")[0].strip().endswith(b"json")
        received = 0
        tail = b""  # the end of the previous chunk: an escape may be split across two

        async def counted() -> Message:
            nonlocal received, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(limit)
                if is_json and _NUL_ESCAPE in tail + chunk:
                    raise NulInText()
                tail = chunk[-(len(_NUL_ESCAPE) - 1) :]
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except (BodyTooLarge, NulInText) as exc:  # read outside the app's own error handling
            if started:
                raise
            await _answer(send, exc.status_code, str(exc.detail))
