"""Who is signed in to the console, what their role may open, and CSRF checks on every state-changing form.

Pages depend on :func:`reader` (GET) or :func:`actor` (POST: role *and* CSRF token); neither lets a request
through without a valid session cookie whose API token is still unrevoked."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from csms.console.nav import may
from csms.console.session import COOKIE, ConsoleSession, SessionCodec
from csms.domain.access import Principal, Role
from csms.services import Services

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"


class SignInRequired(Exception):
    """No session, an expired or forged cookie, or a revoked token."""


class ConsoleForbidden(Exception):
    def __init__(self, role: Role) -> None:
        super().__init__(role)
        self.role = role


class CsrfFailed(Exception):
    """A state-changing request without this session's CSRF token."""


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def codec_of(request: Request) -> SessionCodec:
    return request.app.state.console_sessions  # type: ignore[no-any-return]


async def console_user(request: Request) -> Principal:
    """The signed-in principal (kept on ``request.state`` for rendering), or :class:`SignInRequired`."""
    session = codec_of(request).read(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired
    principal = await services_of(request).api_tokens.principal(session.token_id)
    if principal is None:
        raise SignInRequired
    request.state.console_user = principal
    request.state.console_session = session
    return principal


def reader(roles: frozenset[Role]) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the signed-in principal if their role may see pages of ``roles``."""

    async def check(request: Request) -> Principal:
        user = await console_user(request)
        if not may(user.role, roles):
            raise ConsoleForbidden(user.role)
        return user

    return check


async def csrf_token_of(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)  # Starlette keeps the parsed form for the route
        return value if isinstance(value, str) else None
    return None


def actor(roles: frozenset[Role]) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency for forms that change something: the role check of :func:`reader` and this session's
    CSRF token, in the ``csrf`` form field or the ``X-CSRF-Token`` header (htmx sends it)."""

    async def check(request: Request) -> Principal:
        user = await reader(roles)(request)
        session: ConsoleSession = request.state.console_session
        sent = await csrf_token_of(request)
        if not sent or not secrets.compare_digest(sent, session.csrf):
            raise CsrfFailed
        return user

    return check


def install_auth_handlers(app: FastAPI) -> None:
    from csms.console.render import error_page

    async def sign_in_required(request: Request, _: Exception) -> Response:
        target = "/console/login?next=" + quote(request.url.path)
        if request.headers.get("hx-request"):
            # An htmx partial: the browser goes to the sign-in page instead of pasting it into a fragment.
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method != "GET":
            return Response("sign-in required", status_code=401)
        return RedirectResponse(target, status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        role = exc.role if isinstance(exc, ConsoleForbidden) else Role.viewer
        return error_page(request, 403, "Your role ({role}) may not do this.", role=role.value)

    async def csrf_failed(request: Request, _: Exception) -> Response:
        return error_page(request, 403, "The form has expired; reload the page and try again.")

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ConsoleForbidden, forbidden)
    app.add_exception_handler(CsrfFailed, csrf_failed)
