"""OCPP 1.6 LocalAuthListManagement: the SendLocalList / GetLocalListVersion shapes the local list service
sends (``csms.services.local_list``), and the SendLocalListMaxLength / LocalAuthListMaxLength keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms.domain.local_list import LIMIT_KEYS_16
from csms.ocpp_handlers.commands import Translator, need


def _send(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"listVersion": need(p, "version"), "updateType": need(p, "update_type")}
    if p.get("items"):  # an empty Full list clears the station's (1.6 TC_042_2): the list is omitted
        payload["localAuthorizationList"] = list(p["items"])
    return "SendLocalList", payload


COMMANDS: dict[str, Translator] = {
    "send-local-list": _send,
    "get-local-list-version": lambda p: ("GetLocalListVersion", {}),
    "local-list-limits": lambda p: ("GetConfiguration", {"key": list(LIMIT_KEYS_16)}),
}
"""Commands the local list service sends (not operator commands of ``csms.domain.commands``)."""
