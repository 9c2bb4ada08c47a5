"""OCPP 1.6 security extension (whitepaper edition 2): what a station sends, and the operator commands.

Station messages: SecurityEventNotification, LogStatusNotification and SignedFirmwareStatusNotification are
checked against the library's 1.6 security schemas and kept for operators (``GET .../messages``);
SignCertificate is in ``v16.py``. Commands: GetLog, SignedUpdateFirmware, InstallCertificate,
DeleteCertificate, GetInstalledCertificateIds and ExtendedTriggerMessage, in the CSMS's one vocabulary
(``csms.domain.commands``), plus the translators the security service uses (password and profile).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocpp.routing import on
from ocpp.v16.enums import Action

from csms.ocpp_handlers.commands import Translator, need, optional
from csms.ocpp_handlers.v201_certificates import certificate_type, get_log, hash_data


class V16SecurityMixin:
    """Handlers of the 1.6 security extension's station messages (a base of ``V16Connection``)."""

    services: Any
    id: str

    async def _keep16(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await self.services.stations.record(self.id, action, payload)
        return {}

    @on(Action.security_event_notification)
    async def on_security_event(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep16("SecurityEventNotification", p)

    @on(Action.log_status_notification)
    async def on_log_status(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep16("LogStatusNotification", p)

    @on(Action.signed_firmware_status_notification)
    async def on_signed_firmware_status(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._keep16("SignedFirmwareStatusNotification", p)


CERTIFICATE_USE_16 = {"CSMSRootCertificate": "CentralSystemRootCertificate"}


def _signed_update_firmware(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    firmware = optional(
        location=need(p, "location"), retrieveDateTime=need(p, "retrieve_date_time"),
        installDateTime=p.get("install_date_time"), signingCertificate=need(p, "signing_certificate"),
        signature=need(p, "signature"),
    )
    return "SignedUpdateFirmware", optional(
        requestId=need(p, "request_id"), firmware=firmware, retries=p.get("retries"),
        retryInterval=p.get("retry_interval"),
    )


COMMANDS_16: dict[str, Translator] = {
    "get-log": get_log,
    "signed-update-firmware": _signed_update_firmware,
    "install-certificate": lambda p: (
        "InstallCertificate",
        {"certificateType": certificate_type(p, CERTIFICATE_USE_16), "certificate": need(p, "certificate")},
    ),
    "delete-certificate": lambda p: ("DeleteCertificate", {"certificateHashData": hash_data(p)}),
    "get-installed-certificate-ids": lambda p: (
        "GetInstalledCertificateIds", {"certificateType": certificate_type(p, CERTIFICATE_USE_16)}
    ),
    "extended-trigger-message": lambda p: (
        "ExtendedTriggerMessage",
        optional(requestedMessage=need(p, "requested_message"), connectorId=p.get("evse_id")),
    ),
    # not operator commands (csms.domain.commands): the security service's, which stores what they change
    "basic-auth-password": lambda p: (  # hex, per the whitepaper's AuthorizationKey
        "ChangeConfiguration", {"key": "AuthorizationKey", "value": need(p, "password")}
    ),
    "security-profile": lambda p: (
        "ChangeConfiguration", {"key": "SecurityProfile", "value": str(need(p, "profile"))}
    ),
}
