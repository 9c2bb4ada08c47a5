"""Customer information (OCPP 2.0.1 N09/N10), pure: the request's subject and the report's parts.

A CustomerInformation request names its customer by exactly one of an id token, a customer certificate's
hash data or a free customer identifier (N09.FR.09 asks for one of them when ``clear`` is true; a report may
name several, the CSMS sends one), and asks the station to report what it holds on them, clear it, or both.
The station reports in NotifyCustomerInformation parts (``seqNo`` from 0, ``tbc`` on all but the last),
each carrying up to 512 characters of free text; :func:`assemble` puts them back together.

>>> assemble([(1, False, "world"), (0, True, "hello ")])
Assembled(text='hello world', complete=True, missing=[])
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from csms.errors import InvalidInput

PSEUDONYM_PREFIX = "erased-"


@dataclass(frozen=True)
class Assembled:
    text: str
    complete: bool
    """The last part (``tbc`` false) arrived and no part before it is missing."""
    missing: list[int]
    """The seqNos below the highest received that have not arrived."""


def assemble(parts: Iterable[tuple[int, bool, str]]) -> Assembled:
    """``(seqNo, tbc, data)`` parts in any order (a repeat of a seqNo counts once) -> the whole text."""
    by_seq: dict[int, tuple[bool, str]] = {}
    for seq, tbc, data in parts:
        by_seq.setdefault(seq, (tbc, data))
    if not by_seq:
        return Assembled("", False, [])
    top = max(by_seq)
    missing = [n for n in range(top) if n not in by_seq]
    text = "".join(by_seq[n][1] for n in sorted(by_seq))
    return Assembled(text, not missing and not by_seq[top][0], missing)


def subject(
    id_token: Mapping[str, Any] | None,
    customer_certificate: Mapping[str, Any] | None,
    customer_identifier: str | None,
) -> dict[str, Any]:
    """The request's customer fields as on the wire; exactly one must be given.

    >>> subject({"idToken": "CARD-1", "type": "ISO14443"}, None, None)
    {'idToken': {'idToken': 'CARD-1', 'type': 'ISO14443'}}
    """
    given = {
        "idToken": dict(id_token) if id_token else None,
        "customerCertificate": dict(customer_certificate) if customer_certificate else None,
        "customerIdentifier": customer_identifier or None,
    }
    chosen = {k: v for k, v in given.items() if v is not None}
    if len(chosen) != 1:
        raise InvalidInput(
            "name the customer by exactly one of id_token, customer_certificate, customer_identifier",
            field="id_token",
        )
    return chosen


def new_pseudonym() -> str:
    """A random stand-in for an erased id token, the same for every row of one erasure.

    Random rather than a hash of the token: a card UID has few enough values that an unsalted hash could be
    reversed by trying them all; a random pseudonym keeps the erased customer's sessions together (totals,
    carbon credits) without any way back to the token.
    """
    return PSEUDONYM_PREFIX + secrets.token_hex(8)
