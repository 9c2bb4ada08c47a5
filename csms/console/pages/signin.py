"""Sign in with an API token (the session cookie replaces it), sign out, choose the language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from csms.console.auth import actor, codec_of, services_of
from csms.console.i18n import LANGS
from csms.console.nav import home_of
from csms.console.render import error_page, render
from csms.console.session import COOKIE, LANG_COOKIE, MAX_AGE_S, PRE_CSRF_COOKIE
from csms.domain.access import Principal, Role
from csms.domain.throttle import BudgetPolicy, FailureBudget

router = APIRouter(prefix="/console", include_in_schema=False)

ANYONE = frozenset(Role)
GUESSES = BudgetPolicy(allowed_failures=10, base_backoff_s=5.0, max_backoff_s=900.0)
"""Token guessing per client address: 10 misses are free, then a back-off doubling from 5 s."""


def guesses(request: Request) -> FailureBudget:
    """This app's sign-in failure budget (one per process, made on first use)."""
    state = request.app.state
    if getattr(state, "console_guesses", None) is None:
        state.console_guesses = FailureBudget(GUESSES)
    return state.console_guesses  # type: ignore[no-any-return]


def safe_next(target: str | None) -> str | None:
    """Only a console path of this server (no open redirect to ``//elsewhere``)."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/console", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    pre = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"pre_csrf": pre, "next": safe_next(next) or ""})
    _cookie(response, request, PRE_CSRF_COOKIE, pre, 3600)
    return response


@router.post("/login")
async def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    services = services_of(request)
    pre = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not pre or not secrets.compare_digest(pre, csrf):
        return error_page(request, 403, "The form has expired; reload the page and try again.")
    client = request.client.host if request.client else "?"
    now = services.now()
    wait = guesses(request).retry_after_s(client, now)
    if wait > 0:
        error = ("Too many attempts; try again in {seconds} s.", {"seconds": int(wait) + 1})
        return render(request, "login.html", {"pre_csrf": pre, "next": next, "error": error}, 429)
    principal = await services.api_tokens.resolve(token.strip()) if token.strip() else None
    if principal is None:
        guesses(request).failure(client, now)
        error = ("Unknown or revoked token.", {})
        return render(request, "login.html", {"pre_csrf": pre, "next": next, "error": error}, 401)
    guesses(request).success(client)
    _, cookie = codec_of(request).new(principal.token_id)
    response = RedirectResponse(safe_next(next) or home_of(principal.role), status_code=303)
    _cookie(response, request, COOKIE, cookie, MAX_AGE_S)
    response.delete_cookie(PRE_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(_: Annotated[Principal, Depends(actor(ANYONE))]) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("/lang/{lang}")
async def choose_language(request: Request, lang: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next) or "/console/", status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/console", samesite="strict")
    return response
