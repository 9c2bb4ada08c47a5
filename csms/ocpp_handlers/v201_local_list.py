"""OCPP 2.0.1 local authorization list (block D: D01 SendLocalList, D02 GetLocalListVersion): the shapes of
the calls the local list service sends (``csms.services.local_list``), and the LocalAuthListCtrlr limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms.domain.local_list import LIMIT_VARIABLES_201
from csms.ocpp_handlers.commands import Translator, need


def _send(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"versionNumber": need(p, "version"), "updateType": need(p, "update_type")}
    if p.get("items"):  # an empty Full list clears the station's: the list is omitted (minItems 1)
        payload["localAuthorizationList"] = list(p["items"])
    return "SendLocalList", payload


COMMANDS: dict[str, Translator] = {
    "send-local-list": _send,
    "get-local-list-version": lambda p: ("GetLocalListVersion", {}),
    "local-list-limits": lambda p: (
        "GetVariables",
        {"getVariableData": [
            {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": name}}
            for name in LIMIT_VARIABLES_201
        ]},
    ),  # fmt: skip
}
"""Commands the local list service sends (not operator commands of ``csms.domain.commands``)."""
