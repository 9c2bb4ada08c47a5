"""ISO 15118 certificate services (OCPP 2.0.1 block M and C07): OCSP lookups and the contract-certificate
provider.

OCSP requests are built and answers read with the ``cryptography`` library's ``x509.ocsp`` (RFC 6960) and
sent with ``httpx`` (``application/ocsp-request`` over HTTP POST, RFC 6960 appendix A), asynchronously and
within ``ocsp_timeout_s``: a slow responder holds up only the station that asked. The responder is the one
the station names (``responderURL``), else the configured one. An answer is relayed only when it is a
successful OCSP response about the certificate asked for.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from csms.domain.timeutil import Clock, utcnow
from csms.errors import InvalidInput
from csms.services.ocsp_trust import trusted_answer

log = logging.getLogger("csms.iso15118")

MAX_OCSP_DER_BYTES = 4096
"""Largest OCSP answer relayed: its base64 must fit GetCertificateStatusResponse.ocspResult (5,500)."""
OCSP_HEADERS = {"Content-Type": "application/ocsp-request", "Accept": "application/ocsp-response"}
MAX_PROVIDER_BYTES = 64 * 1024
"""Largest answer read from the contract-certificate provider (exiResponse is at most 7,500 characters)."""

_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512,
}


class CertificateStatus(StrEnum):
    good = "good"
    revoked = "revoked"
    unknown = "unknown"
    """The responder does not know the certificate."""
    failed = "failed"
    """No usable answer: no responder, not reachable, an error status, or an answer about another
    certificate."""


@dataclass(frozen=True)
class OcspAnswer:
    status: CertificateStatus
    der: bytes | None = None
    """The responder's DER OCSPResponse, when it gave a successful one about the certificate."""
    reason: str | None = None


@dataclass(frozen=True)
class ProviderAnswer:
    status: str
    """``Accepted`` or ``Failed`` (Iso15118EVCertificateStatusEnumType)."""
    exi_response: str = ""
    reason_code: str = ""
    detail: str = ""


@dataclass(frozen=True)
class CertificateId:
    """OCSPRequestDataType / CertificateHashDataType as parsed from the wire."""

    algorithm: hashes.HashAlgorithm
    issuer_name_hash: bytes
    issuer_key_hash: bytes
    serial_number: int

    @classmethod
    def of(cls, certificate: x509.Certificate, issuer: x509.Certificate) -> CertificateId:
        request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256()).build()
        return cls(hashes.SHA256(), request.issuer_name_hash, request.issuer_key_hash, request.serial_number)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CertificateId:
        algorithm = _ALGORITHMS[data["hashAlgorithm"]]()
        try:
            name_hash = bytes.fromhex(data["issuerNameHash"])
            key_hash = bytes.fromhex(data["issuerKeyHash"])
        except ValueError:
            raise InvalidInput(
                "issuerNameHash and issuerKeyHash must be hexadecimal", field="issuerNameHash"
            ) from None
        if len(name_hash) != algorithm.digest_size or len(key_hash) != algorithm.digest_size:
            raise InvalidInput(
                f"the issuer hashes must be {data['hashAlgorithm']} digests", field="issuerKeyHash"
            )
        try:
            serial = int(data["serialNumber"], 16)
        except ValueError:
            raise InvalidInput("serialNumber must be hexadecimal", field="serialNumber") from None
        return cls(algorithm, name_hash, key_hash, serial)

    def request_der(self) -> bytes:
        builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
            self.issuer_name_hash, self.issuer_key_hash, self.serial_number, self.algorithm
        )
        return builder.build().public_bytes(Encoding.DER)

    def matches(self, single: Any) -> bool:
        return bool(
            single.serial_number == self.serial_number
            and single.issuer_key_hash == self.issuer_key_hash
            and single.issuer_name_hash == self.issuer_name_hash
        )


def _http_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


async def _post(
    url: str, body: bytes | None, *, timeout_s: float, limit: int, **kw: Any
) -> tuple[int, bytes]:
    """POST and read at most ``limit`` bytes of the answer (a larger one raises ``ValueError``)."""
    async with (
        httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client,
        client.stream("POST", url, content=body, **kw) as response,
    ):
        data = bytearray()
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > limit:
                raise ValueError(f"answer larger than {limit} bytes")
        return response.status_code, bytes(data)


class ChainProblem(StrEnum):
    unreadable = "unreadable"
    signature = "signature"
    """A certificate is not signed by the next one of the chain."""
    expired = "expired"
    untrusted = "untrusted"
    """The chain ends at no trusted certificate (or there is nothing to check it against)."""


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _ocsp_url_of(certificate: x509.Certificate) -> str | None:
    """The OCSP responder a certificate's Authority Information Access names, if any."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    for description in access:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return _http_url(str(description.access_location.value))
    return None


class Iso15118Service:
    def __init__(
        self, *, ocsp_responder_url: str | None, ocsp_timeout_s: float, provider_url: str | None,
        provider_timeout_s: float, station_responders: bool = True,
        trusted: Sequence[x509.Certificate] | None = None, clock: Clock = utcnow,
    ) -> None:
        self._trusted = trusted
        self._clock = clock
        self._responder = ocsp_responder_url
        self._station_responders = station_responders
        self._ocsp_timeout_s = ocsp_timeout_s
        self._provider = provider_url
        self._provider_timeout_s = provider_timeout_s

    async def certificate_status(self, data: Mapping[str, Any]) -> OcspAnswer:
        """M06: ask the certificate's OCSP responder about it (raises :class:`InvalidInput` for hashes that
        cannot be what they claim)."""
        named = _http_url(data.get("responderURL")) if self._station_responders else None
        return await self._ask(CertificateId.from_wire(data), named)

    async def chain_statuses(self, pem: str) -> tuple[ChainProblem | None, list[OcspAnswer]]:
        """C07 with a PEM chain (contract certificate first, then its sub-CAs): what is wrong with the chain
        itself, if anything, else the OCSP status of each certificate (asked of the responder its Authority
        Information Access names, else the configured one). With a trust list the chain must end at one of
        its certificates, and its top certificate is asked about too."""
        try:
            chain = x509.load_pem_x509_certificates(pem.encode())
        except ValueError:
            return ChainProblem.unreadable, []
        now = self._clock()
        if any(not c.not_valid_before_utc <= now <= c.not_valid_after_utc for c in chain):
            return ChainProblem.expired, []
        pairs = list(zip(chain, chain[1:], strict=False))
        if not all(_issued_by(c, issuer) for c, issuer in pairs):
            return ChainProblem.signature, []
        if self._trusted is not None:
            root = next((t for t in self._trusted if _issued_by(chain[-1], t)), None)
            if root is None and chain[-1] not in self._trusted:
                return ChainProblem.untrusted, []
            if root is not None and root != chain[-1]:
                pairs.append((chain[-1], root))
        if not pairs:  # a lone certificate and no trust list: nothing to check it against
            return ChainProblem.untrusted, []
        answers = await asyncio.gather(
            *(self._ask(CertificateId.of(c, issuer), _ocsp_url_of(c)) for c, issuer in pairs)
        )
        return None, list(answers)

    async def _ask(self, certificate: CertificateId, named: str | None) -> OcspAnswer:
        url = named or _http_url(self._responder)
        if url is None:
            return OcspAnswer(CertificateStatus.failed, reason="no OCSP responder named or configured")
        try:
            async with asyncio.timeout(self._ocsp_timeout_s):
                code, body = await _post(
                    url, certificate.request_der(), timeout_s=self._ocsp_timeout_s, limit=MAX_OCSP_DER_BYTES,
                    headers=OCSP_HEADERS,
                )
        except (httpx.HTTPError, OSError, ValueError, TimeoutError) as exc:
            log.warning("event=ocsp_failed responder=%r reason=%s", url[:200], type(exc).__name__)
            reason = f"OCSP responder not reachable: {type(exc).__name__}"
            return OcspAnswer(CertificateStatus.failed, reason=reason)
        if code != 200:
            return OcspAnswer(CertificateStatus.failed, reason=f"OCSP responder answered HTTP {code}")
        try:
            response = ocsp.load_der_ocsp_response(body)
        except ValueError:
            return OcspAnswer(CertificateStatus.failed, reason="the answer is not an OCSP response")
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            return OcspAnswer(CertificateStatus.failed, reason=f"OCSP {response.response_status.name}")
        single = next((s for s in response.responses if certificate.matches(s)), None)
        if single is None:
            return OcspAnswer(CertificateStatus.failed, reason="the OCSP answer is about another certificate")
        if self._trusted is not None and not trusted_answer(response, self._trusted, self._clock()):
            log.warning("event=ocsp_untrusted responder=%r", url[:200])
            return OcspAnswer(CertificateStatus.failed, reason="the OCSP answer has no trusted signature")
        status = {
            ocsp.OCSPCertStatus.GOOD: CertificateStatus.good,
            ocsp.OCSPCertStatus.REVOKED: CertificateStatus.revoked,
        }.get(single.certificate_status, CertificateStatus.unknown)
        return OcspAnswer(status, der=body)

    async def statuses(self, chain: Sequence[Mapping[str, Any]]) -> list[OcspAnswer]:
        """C07: the status of each certificate of a contract certificate chain, asked at once."""
        return list(await asyncio.gather(*(self.certificate_status(data) for data in chain)))

    async def ev_certificate(
        self, station_id: str, schema_version: str, action: str, exi_request: str
    ) -> ProviderAnswer:
        """M01/M02: forward an EV's contract certificate request to the provider and relay its answer."""
        if self._provider is None:
            return ProviderAnswer("Failed", reason_code="NoProvider",
                                  detail="no contract-certificate provider is configured at this CSMS")
        request = {"stationId": station_id, "iso15118SchemaVersion": schema_version, "action": action,
                   "exiRequest": exi_request}
        try:
            async with asyncio.timeout(self._provider_timeout_s):
                code, body = await _post(
                    self._provider, orjson.dumps(request), timeout_s=self._provider_timeout_s,
                    limit=MAX_PROVIDER_BYTES, headers={"Content-Type": "application/json"},
                )
            answer = orjson.loads(body) if code == 200 else None
        except (httpx.HTTPError, OSError, ValueError, TimeoutError) as exc:
            log.warning("station=%s event=contract_provider_failed reason=%s", station_id, type(exc).__name__)
            return ProviderAnswer("Failed", reason_code="ProviderUnavailable",
                                  detail=f"the contract-certificate provider failed: {type(exc).__name__}")
        if (
            not isinstance(answer, dict) or answer.get("status") not in ("Accepted", "Failed")
            or not isinstance(answer.get("exiResponse"), str) or len(answer["exiResponse"]) > 7500
        ):
            return ProviderAnswer("Failed", reason_code="ProviderError",
                                  detail=f"the provider gave no valid answer (HTTP {code})")
        if answer["status"] == "Failed":
            return ProviderAnswer("Failed", answer["exiResponse"], "ProviderRefused",
                                  str(answer.get("reason") or "refused by the contract-certificate provider"))
        return ProviderAnswer("Accepted", answer["exiResponse"])
