"""Whose OCSP answers the CSMS believes: those signed by a configured CA, or by a responder certificate such
a CA issued for OCSP signing (RFC 6960 §4.2.2.2, a "delegated responder").

Without a trust list the CSMS relays and uses answers unverified (the station verifies what is relayed to
it); with one (``ocsp_trust_file``: the V2G and mobility-operator roots and sub-CAs), an answer that no
trusted key signed counts as no answer at all. Signatures are checked with the ``cryptography`` library.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID


def load_trust(path: str | None) -> list[x509.Certificate] | None:
    return x509.load_pem_x509_certificates(Path(path).read_bytes()) if path else None


def _names(response: ocsp.OCSPResponse, certificate: x509.Certificate) -> bool:
    """Whether ``certificate`` is the one the answer's responder id names (by key hash or by name)."""
    if response.responder_key_hash is not None:
        digest = x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest  # type: ignore[arg-type]
        return bool(digest == response.responder_key_hash)
    return bool(response.responder_name == certificate.subject)


def _signed_by(response: ocsp.OCSPResponse, certificate: x509.Certificate) -> bool:
    key: Any = certificate.public_key()
    algorithm = response.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        else:
            key.verify(response.signature, response.tbs_response_bytes)  # Ed25519 / Ed448
    except (InvalidSignature, TypeError, ValueError):
        return False
    return True


def _delegated_by(responder: x509.Certificate, trusted: Sequence[x509.Certificate], now: datetime) -> bool:
    """A responder certificate a trusted CA issued for OCSP signing, valid now."""
    if not responder.not_valid_before_utc <= now <= responder.not_valid_after_utc:
        return False
    try:
        usage = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usage:
        return False
    for ca in trusted:
        try:
            responder.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def trusted_answer(response: ocsp.OCSPResponse, trusted: Sequence[x509.Certificate], now: datetime) -> bool:
    """Whether a successful OCSP ``response`` is signed by a trusted CA or a responder one delegated."""
    for certificate in trusted:
        if _names(response, certificate) and _signed_by(response, certificate):
            return True
    for responder in response.certificates:
        if _names(response, responder) and _delegated_by(responder, trusted, now) and _signed_by(
            response, responder
        ):
            return True
    return False
