"""Operator commands in one vocabulary, translated per OCPP version to the action and payload on the wire.

Each version module registers its translators here; a translator takes the command's parameters and
returns ``(action, payload)`` with the payload exactly as it goes on the wire (camelCase).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from csms.errors import InvalidInput

Translator = Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]

_request_ids = itertools.count(1)


def next_request_id() -> int:
    """A request id for 2.0.1 calls that need one (remoteStartId, GetBaseReport.requestId)."""
    return next(_request_ids)


def need(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None:
        raise InvalidInput(f"{name} is required for this command", field=name)
    return value


def optional(**fields: Any) -> dict[str, Any]:
    """Drop the fields that were not given: OCPP schemas refuse nulls."""
    return {k: v for k, v in fields.items() if v is not None}
