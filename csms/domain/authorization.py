"""Id-token authorisation: the answer a station gets, from the token's stored state and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TokenStatus(StrEnum):
    """Status stored for an id token and answered as ``idTagInfo.status`` / ``idTokenInfo.status``."""

    accepted = "Accepted"
    blocked = "Blocked"
    expired = "Expired"
    invalid = "Invalid"
    concurrent_tx = "ConcurrentTx"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a station is told about a token."""

    status: TokenStatus
    expiry_date: datetime | None = None
    group_id_token: str | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id_token: str
    status: TokenStatus
    expiry_date: datetime | None
    group_id_token: str | None


def authorize(token: TokenRecord | None, now: datetime, *, group: TokenRecord | None = None) -> TokenInfo:
    """Decide a token's authorisation at ``now``.

    An unknown token is Invalid; a stored non-Accepted status is answered as stored; an Accepted token past
    its expiry date is Expired. A token whose group (parent) token is blocked or expired is answered with
    the group's status, since blocking a fleet card's group must block every card of the fleet.

    >>> from datetime import UTC, datetime
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> authorize(None, now).status
    <TokenStatus.invalid: 'Invalid'>
    >>> rec = TokenRecord("CARD1", TokenStatus.accepted, datetime(2025, 12, 31, tzinfo=UTC), None)
    >>> authorize(rec, now).status
    <TokenStatus.expired: 'Expired'>
    """
    if token is None:
        return TokenInfo(TokenStatus.invalid)
    status = token.status
    if status is TokenStatus.accepted and token.expiry_date is not None and token.expiry_date <= now:
        status = TokenStatus.expired
    if status is TokenStatus.accepted and group is not None:
        group_info = authorize(group, now)
        if group_info.status in (TokenStatus.blocked, TokenStatus.expired):
            status = group_info.status
    return TokenInfo(status, token.expiry_date, token.group_id_token)
