"""Small HTTP services on loopback for tests: an OCSP responder (answers built with ``cryptography``'s
``OCSPResponseBuilder``) and a contract-certificate provider, each served by uvicorn on port 0."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from fastapi import FastAPI, Request, Response

from tests.pki import Issued


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """``app`` served on a free loopback port; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def closed_port_url() -> str:
    """A loopback URL nobody listens on (connection refused at once): a responder that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/ocsp"


def hash_data(
    certificate: x509.Certificate, issuer: x509.Certificate, responder_url: str | None = None
) -> dict[str, Any]:
    """OCSPRequestDataType of ``certificate`` as a station sends it (SHA256 hashes in hex); ``None`` for the
    URL: CertificateHashDataType (no URL at all)."""
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256()).build()
    data = {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": request.issuer_name_hash.hex(),
        "issuerKeyHash": request.issuer_key_hash.hex(),
        "serialNumber": format(request.serial_number, "x"),
    }
    if responder_url is not None:
        data["responderURL"] = responder_url
    return data


def ocsp_responder(
    ca: Issued, statuses: dict[int, ocsp.OCSPCertStatus], asked: list[int], signer: Issued | None = None
) -> FastAPI:
    """Answers for ``ca``'s certificates: the status its serial number has in ``statuses`` (else unknown),
    signed by the CA itself, or by ``signer`` (whose certificate the answer then carries, as a delegated
    responder's does); records each serial number asked about in ``asked``."""
    by = signer or ca
    app = FastAPI()

    @app.post("/ocsp")
    async def answer(request: Request) -> Response:
        asked_for = ocsp.load_der_ocsp_request(await request.body())
        asked.append(asked_for.serial_number)
        status = statuses.get(asked_for.serial_number, ocsp.OCSPCertStatus.UNKNOWN)
        now = datetime.now(UTC)
        revoked = status is ocsp.OCSPCertStatus.REVOKED
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                asked_for.issuer_name_hash,
                asked_for.issuer_key_hash,
                asked_for.serial_number,
                asked_for.hash_algorithm,
                status,
                now,
                now + timedelta(hours=1),
                now - timedelta(hours=1) if revoked else None,
                None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, by.certificate)
        )
        if signer is not None:
            builder = builder.certificates([signer.certificate])
        der = builder.sign(by.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        return Response(der, media_type="application/ocsp-response")

    return app


def contract_provider(
    handle: Callable[[dict[str, Any]], dict[str, Any]], seen: list[dict[str, Any]]
) -> FastAPI:
    """A contract-certificate provider: ``handle(request)`` gives the JSON answer; requests go to ``seen``."""
    app = FastAPI()

    @app.post("/contract-certificates")
    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        seen.append(body)
        return handle(body)

    return app
