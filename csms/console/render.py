"""Rendering a console page: the template, the reader's language and the frame's context (nav, CSRF)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from csms.console.i18n import lang_of, translator
from csms.console.nav import visible_nav
from csms.console.paths import TEMPLATE_DIR
from csms.console.session import LANG_COOKIE
from csms.console.timefmt import local_time

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


def fmt_number(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


templates.env.filters["num"] = fmt_number
templates.env.filters["local"] = local_time


def request_lang(request: Request) -> str:
    return lang_of(request.cookies.get(LANG_COOKIE))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """``template`` with ``context``, plus ``_`` (translate), ``lang``, ``user`` (the signed-in principal, if
    any), ``csrf`` and the ``nav`` entries the user's role may see."""
    lang = request_lang(request)
    user = getattr(request.state, "console_user", None)
    session = getattr(request.state, "console_session", None)
    ctx = {
        "request": request,
        "_": translator(lang),
        "lang": lang,
        "user": user,
        "csrf": session.csrf if session else "",
        "nav": visible_nav(user.role) if user else [],
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def error_page(request: Request, status_code: int, msgid: str, **values: Any) -> HTMLResponse:
    """A page saying why (``msgid`` with its ``{fields}``), in the reader's language."""
    return render(request, "error.html", {"message": (msgid, values)}, status_code)
