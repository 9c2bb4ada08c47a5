"""OCPP 2.0.1 ISO 15118 certificate management (block M, and C07 in Authorize) and certificate commands.

GetCertificateStatus (M06): the CSMS asks the OCSP responder the request names (or the configured one) and
relays its DER answer, base64, in ``ocspResult``; Failed with a reason when no answer came. Authorize with
``iso15118CertificateHashData`` (C07): each certificate's status is asked the same way; one revoked gives
``CertificateRevoked`` and the token ``Invalid`` (C07.FR.16). Get15118EVCertificate (M01/M02): forwarded
to the configured contract-certificate provider; Failed with a reason without one. The lookups themselves
are ``csms.services.iso15118``'s.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ocpp.routing import on
from ocpp.v201.enums import Action

from csms.errors import InvalidInput
from csms.ocpp_handlers.commands import Translator, need, optional
from csms.services.iso15118 import CertificateStatus, ChainProblem, OcspAnswer


def _status_info(reason: str, detail: str) -> dict[str, str]:
    return {"reasonCode": reason[:20], "additionalInfo": detail[:512]}


AUTHORIZE_STATUS = {
    CertificateStatus.good: "Accepted",
    CertificateStatus.revoked: "CertificateRevoked",
    CertificateStatus.unknown: "CertChainError",
    CertificateStatus.failed: "NoCertificateAvailable",
}
"""OCSP outcome -> AuthorizeResponse.certificateStatus. ``unknown`` (the responder does not know the
certificate: not of its CA) reads as a broken chain; no answer at all as no certificate status available."""


CHAIN_STATUS = {
    ChainProblem.unreadable: "CertChainError",
    ChainProblem.signature: "SignatureError",
    ChainProblem.expired: "CertificateExpired",
    ChainProblem.untrusted: "CertChainError",
}


def certificate_status_of(answers: list[OcspAnswer]) -> str:
    """The one certificateStatus of an Authorize for the statuses of each certificate of its chain: the
    worst of them (revoked first), Accepted only when all are good."""
    for status in (CertificateStatus.revoked, CertificateStatus.unknown, CertificateStatus.failed):
        if any(a.status is status for a in answers):
            return AUTHORIZE_STATUS[status]
    return "Accepted"


class V201CertificatesMixin:
    """Handlers of block M (a base of ``V201Connection``)."""

    services: Any
    id: str

    @on(Action.get_certificate_status)
    async def on_get_certificate_status(self, p: dict[str, Any]) -> dict[str, Any]:
        answer: OcspAnswer = await self.services.iso15118.certificate_status(p["ocspRequestData"])
        await self.services.stations.record(
            self.id, "GetCertificateStatus", {**p, "csmsAnswer": answer.status.value}
        )
        if answer.der is None:
            return {"status": "Failed", "statusInfo": _status_info("OCSPUnavailable", answer.reason or "")}
        return {"status": "Accepted", "ocspResult": base64.b64encode(answer.der).decode()}

    @on(Action.get_15118_ev_certificate)
    async def on_get_15118_ev_certificate(self, p: dict[str, Any]) -> dict[str, Any]:
        answer = await self.services.iso15118.ev_certificate(
            self.id, p["iso15118SchemaVersion"], p["action"], p["exiRequest"]
        )
        await self.services.stations.record(
            self.id, "Get15118EVCertificate",
            {"iso15118SchemaVersion": p["iso15118SchemaVersion"], "action": p["action"],
             "csmsAnswer": answer.status},
        )
        if answer.status == "Accepted":
            return {"status": "Accepted", "exiResponse": answer.exi_response}
        return {"status": "Failed", "exiResponse": answer.exi_response,
                "statusInfo": _status_info(answer.reason_code, answer.detail)}

    async def authorize_chain(self, id_token_info: dict[str, Any], pem: str) -> dict[str, Any]:
        """C07 with the contract certificate chain itself (PEM) rather than its hashes."""
        problem, answers = await self.services.iso15118.chain_statuses(pem)
        status = CHAIN_STATUS[problem] if problem is not None else certificate_status_of(answers)
        if status != "Accepted":
            id_token_info = {**id_token_info, "status": "Invalid"}
        return {"idTokenInfo": id_token_info, "certificateStatus": status}

    async def authorize_certificates(
        self, id_token_info: dict[str, Any], hashes: list[Any]
    ) -> dict[str, Any]:
        """C07: the AuthorizeResponse for a token whose contract certificate chain is given by its hashes."""
        answers = await self.services.iso15118.statuses(hashes)
        status = certificate_status_of(answers)
        if status != "Accepted":
            id_token_info = {**id_token_info, "status": "Invalid"}  # C07.FR.16
        return {"idTokenInfo": id_token_info, "certificateStatus": status}


# -- operator commands (2.0.1 wire) ------------------------------------------------------------------------
def certificate_type(p: Mapping[str, Any], spelling: Mapping[str, str] | None = None) -> str:
    kind = str(need(p, "certificate_type"))
    return (spelling or {}).get(kind, kind)


def hash_data(p: Mapping[str, Any]) -> dict[str, Any]:
    """``certificate_hash_data`` as on the wire (hashAlgorithm, issuerNameHash, issuerKeyHash,
    serialNumber)."""
    data = need(p, "certificate_hash_data")
    if not isinstance(data, Mapping):
        raise InvalidInput("certificate_hash_data must be an object", field="certificate_hash_data")
    return dict(data)


def get_log(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """GetLog: the same shape in 2.0.1 and the 1.6 security extension."""
    log = optional(
        remoteLocation=need(p, "location"), oldestTimestamp=p.get("oldest_timestamp"),
        latestTimestamp=p.get("latest_timestamp"),
    )
    return "GetLog", optional(
        logType=p.get("log_type") or "DiagnosticsLog", requestId=need(p, "request_id"), log=log,
        retries=p.get("retries"), retryInterval=p.get("retry_interval"),
    )


CERTIFICATE_USE_201 = {"CentralSystemRootCertificate": "CSMSRootCertificate"}


def _installed_ids(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    kinds = p.get("certificate_types") or ([p["certificate_type"]] if p.get("certificate_type") else None)
    return "GetInstalledCertificateIds", optional(
        certificateType=[CERTIFICATE_USE_201.get(k, k) for k in kinds] if kinds else None
    )


def _network_profile(p: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A05: the connection the station is to use from its next start, with the higher profile."""
    data = {
        "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": need(p, "csms_url"),
        "messageTimeout": p.get("message_timeout_s") or 30, "securityProfile": need(p, "profile"),
        "ocppInterface": p.get("ocpp_interface") or "Wired0",
    }
    return "SetNetworkProfile", {"configurationSlot": need(p, "configuration_slot"), "connectionData": data}


COMMANDS_201: dict[str, Translator] = {
    "get-log": get_log,
    "install-certificate": lambda p: (
        "InstallCertificate",
        {"certificateType": certificate_type(p, CERTIFICATE_USE_201), "certificate": need(p, "certificate")},
    ),
    "delete-certificate": lambda p: ("DeleteCertificate", {"certificateHashData": hash_data(p)}),
    "get-installed-certificate-ids": _installed_ids,
    # not operator commands (csms.domain.commands): the security service's, which stores what they change
    "basic-auth-password": lambda p: (
        "SetVariables",
        {"setVariableData": [{"component": {"name": "SecurityCtrlr"},
                              "variable": {"name": "BasicAuthPassword"},
                              "attributeValue": need(p, "password")}]},
    ),
    "security-profile": _network_profile,
}
