"""OCPP 2.0.1 firmware (block L): PublishFirmwareStatusNotification, and the UpdateFirmware (signed),
PublishFirmware and UnpublishFirmware shapes. FirmwareStatusNotification stays in ``v201.py``."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.ocpp_handlers.commands import Translator, need, optional


class V201Firmware:
    """Mixin of :class:`~csms.ocpp_handlers.v201.V201Connection`."""

    id: str
    services: Any

    @on(Action.publish_firmware_status_notification)
    async def on_publish_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.record(self.id, "PublishFirmwareStatusNotification", p)
        await self.services.firmware.publish_status(
            self.id, p["status"], p.get("location"), p.get("requestId")
        )
        return {}


def _update(p: Any) -> tuple[str, dict[str, Any]]:
    firmware = optional(
        location=need(p, "location"),
        retrieveDateTime=need(p, "retrieve_at"),
        installDateTime=p.get("install_at"),
        signingCertificate=p.get("signing_certificate"),
        signature=p.get("signature"),
    )
    return "UpdateFirmware", optional(
        requestId=need(p, "request_id"), firmware=firmware, retries=p.get("retries"),
        retryInterval=p.get("retry_interval_s"),
    )  # fmt: skip


COMMANDS: dict[str, Translator] = {
    "update-firmware": _update,
    "publish-firmware": lambda p: (
        "PublishFirmware",
        optional(
            location=need(p, "location"),
            checksum=need(p, "checksum"),
            requestId=need(p, "request_id"),
            retries=p.get("retries"),
            retryInterval=p.get("retry_interval_s"),
        ),
    ),  # fmt: skip
    "unpublish-firmware": lambda p: ("UnpublishFirmware", {"checksum": need(p, "checksum")}),
}
"""Commands the firmware service sends (not operator commands of ``csms.domain.commands``)."""
