"""The domain's exception hierarchy. Edges map these to CALLERRORs (OCPP) or HTTP statuses (REST)."""

from __future__ import annotations

from typing import Any


class CsmsError(Exception):
    """Base of every error the CSMS raises on purpose."""


class NotFound(CsmsError):
    """The named object does not exist."""


class Conflict(CsmsError):
    """The request contradicts the stored state (duplicate id, wrong state)."""


class InvalidInput(CsmsError):
    """A value failed a domain rule (bad timestamp, unknown unit, ...)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(CsmsError):
    """A part of the CSMS the request needs is not running (the site energy manager, for one)."""


class StationNotConnected(CsmsError):
    """A command was addressed to a station with no open connection."""


class StationTimeout(CsmsError):
    """The station did not answer a command in time."""


class PayloadInvalid(CsmsError):
    """A command's payload failed the OCPP schema of its action."""

    def __init__(self, code: str, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.path = path


class StationCallError(CsmsError):
    """The station answered a command with a CALLERROR."""

    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.details = details or {}
