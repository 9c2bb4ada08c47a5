"""The console's session cookie: which API token signed in, and its CSRF token, signed with itsdangerous.

The cookie holds no secret of the API token, only its row id: every request checks the token is still
unrevoked (a revoked token ends its console sessions at once)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "xj_console"
LANG_COOKIE = "xj_lang"
PRE_CSRF_COOKIE = "xj_csrf_pre"
"""The sign-in form's CSRF token (double-submit): there is no session yet to hold it."""
MAX_AGE_S = 12 * 3600
"""A sign-in lasts a working day at most."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    token_id: int
    csrf: str


class SessionCodec:
    """Signs and reads session cookies; a cookie signed with another secret, altered or older than
    ``MAX_AGE_S`` reads as no session."""

    def __init__(self, secret: str | None) -> None:
        self._serializer = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32), salt="csms-console")

    def new(self, token_id: int) -> tuple[ConsoleSession, str]:
        session = ConsoleSession(token_id, secrets.token_urlsafe(24))
        return session, self._serializer.dumps({"t": token_id, "c": session.csrf})

    def read(self, cookie: str | None) -> ConsoleSession | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        token_id, csrf = data.get("t"), data.get("c")
        if not isinstance(token_id, int) or not isinstance(csrf, str):
            return None
        return ConsoleSession(token_id, csrf)
