"""Operator commands in one vocabulary, translated per OCPP version to the action and payload on the wire.

Each version module registers its translators here; a translator takes the command's parameters and
returns ``(action, payload)`` with the payload exactly as it goes on the wire (camelCase). A command that
needs an id the CSMS issues (2.0.1 ``remoteStartId``, ``requestId``) finds it in ``params["request_id"]``,
drawn from the database by the command service, so ids never repeat across nodes or restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from csms.errors import InvalidInput

Translator = Callable[[Mapping[str, Any]], tuple[str, dict[str, Any]]]

def need(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None:
        raise InvalidInput(f"{name} is required for this command", field=name)
    return value


def optional(**fields: Any) -> dict[str, Any]:
    """Drop the fields that were not given: OCPP schemas refuse nulls."""
    return {k: v for k, v in fields.items() if v is not None}
