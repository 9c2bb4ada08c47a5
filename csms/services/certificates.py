"""The operator's certificate authority for charging stations (OCPP 2.0.1 A02/A03, 1.6 security extension).

A station renews its TLS client certificate by sending a certificate signing request
(``SignCertificate``); the CSMS checks it, signs it with the operator's CA and sends the certificate back
(``CertificateSigned``). The station then authenticates with it under security profile 3, where the TLS
layer verifies the chain and the CSMS the identity (:func:`identity_of`).

A request is signed only when its own signature is valid and its subject's common name is the id of the
station that sent it: a station cannot obtain a certificate in another station's name. X.509 and the
signature algorithms are the ``cryptography`` library's.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from csms.errors import InvalidInput

BACKDATE = timedelta(minutes=5)
"""Certificates start a little in the past: a station's clock may run slightly behind the CSMS's."""


def identity_of(peer_certificate: dict[str, Any]) -> str | None:
    """The common name of a verified TLS peer certificate (as ``ssl.SSLSocket.getpeercert()`` gives it).

    >>> identity_of({"subject": ((("organizationName", "Xiangjiang Charging"),), (("commonName", "CP-1"),))})
    'CP-1'
    >>> identity_of({}) is None
    True
    """
    for rdn in peer_certificate.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


@dataclass(frozen=True)
class StationCertificateAuthority:
    """Signs stations' certificate requests with ``ca_key``; certificates are valid ``validity``."""

    ca_certificate: x509.Certificate
    ca_key: Any
    validity: timedelta
    clock: Callable[[], datetime]

    @classmethod
    def from_files(
        cls, cert_file: str, key_file: str, validity_days: int, clock: Callable[[], datetime]
    ) -> StationCertificateAuthority:
        ca_certificate = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
        ca_key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        return cls(ca_certificate, ca_key, timedelta(days=validity_days), clock)

    def sign(self, station_id: str, csr_pem: str) -> str:
        """The PEM chain (the station's new certificate, then the CA's) for ``station_id``'s request.

        Raises :class:`InvalidInput` when the request cannot be parsed, its signature does not verify, or its
        common name is not ``station_id``.
        """
        try:
            request = x509.load_pem_x509_csr(csr_pem.encode())
        except ValueError:
            raise InvalidInput("the certificate signing request is not a PEM CSR", field="csr") from None
        if not request.is_signature_valid:
            raise InvalidInput("the certificate signing request's signature does not verify", field="csr")
        names = request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if [n.value for n in names] != [station_id]:
            raise InvalidInput(
                f"the request's common name must be the station id {station_id!r}", field="csr"
            )
        now = self.clock()
        public_key = request.public_key()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(request.subject)
            .issuer_name(self.ca_certificate.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + self.validity)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(public_key), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
            .sign(self.ca_key, _digest(self.ca_key))
        )
        return "".join(
            c.public_bytes(serialization.Encoding.PEM).decode() for c in (certificate, self.ca_certificate)
        )


def _digest(key: Any) -> hashes.HashAlgorithm | None:
    """Ed25519 and Ed448 keys sign without a separate digest."""
    return None if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) else hashes.SHA256()


def _key_usage(public_key: Any) -> x509.KeyUsage:
    """A TLS client key signs the handshake; an RSA one may also encipher keys, an EC one agree on them."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
        data_encipherment=False,
        key_agreement=isinstance(public_key, ec.EllipticCurvePublicKey),
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
