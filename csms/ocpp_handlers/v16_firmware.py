"""OCPP 1.6 firmware (FirmwareManagement profile): the UpdateFirmware shape. A signed image needs the security
extension's SignedUpdateFirmware, which plain 1.6 UpdateFirmware cannot carry: refused here, by field."""

from __future__ import annotations

from typing import Any

from csms.errors import InvalidInput
from csms.ocpp_handlers.commands import Translator, need, optional


def _update(p: Any) -> tuple[str, dict[str, Any]]:
    for name in ("signing_certificate", "signature", "install_at"):
        if p.get(name):
            raise InvalidInput(f"OCPP 1.6 UpdateFirmware has no {name}", field=name)
    return "UpdateFirmware", optional(
        location=need(p, "location"), retrieveDate=need(p, "retrieve_at"),
        retries=p.get("retries"), retryInterval=p.get("retry_interval_s"),
    )  # fmt: skip


COMMANDS: dict[str, Translator] = {"update-firmware": _update}
"""Commands the firmware service sends (not operator commands of ``csms.domain.commands``)."""
