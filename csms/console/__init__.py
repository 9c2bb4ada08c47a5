"""The web console at ``/console/``: server-rendered pages (Jinja2 + htmx) over the same services and roles as
the REST API. It adds no logic of its own: each page reads and acts through ``csms.services``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from csms.console.auth import install_auth_handlers
from csms.console.headers import ConsoleHeaders
from csms.console.paths import STATIC_DIR
from csms.console.session import COOKIE, SessionCodec

SESSION_COOKIE = COOKIE
"""The session cookie: it stands for credentials at the body-limit middleware, as a bearer token does."""
SIGN_IN_BODY_BYTES = 8 * 1024
UPLOAD_BODY_BYTES = 20 * 1024 * 1024
UPLOAD_PATHS = ("/console/compliance/import",)
"""Console forms that take a whole register (xlsx or CSV), as the REST import does."""
ANONYMOUS_PATHS = {"/console/login": SIGN_IN_BODY_BYTES}
"""The sign-in form takes a small body without credentials."""


def install_console(app: FastAPI, secret: str | None) -> None:
    """Mount the console's pages and static files on ``app``; ``secret`` signs its session cookies (one per
    process when ``None``: sign-ins then end with the process)."""
    from csms.console.pages import ROUTERS

    app.state.console_sessions = SessionCodec(secret)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    for router in ROUTERS:
        app.include_router(router)
    install_auth_handlers(app)
    app.add_middleware(ConsoleHeaders)
