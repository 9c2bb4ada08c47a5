"""Strict OCPP timestamps: RFC 3339 with an explicit offset, returned as aware UTC datetimes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from csms.errors import InvalidInput

Clock = Callable[[], datetime]
"""What services and managers are given instead of reading the wall clock (tests pass their own)."""

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def parse_timestamp(text: str, *, field: str = "timestamp") -> datetime:
    """Parse an OCPP ``dateTime`` strictly.

    Both OCPP 1.6J and 2.0.1 carry RFC 3339 date-times; a timestamp without an offset is ambiguous (a
    station's local clock), so it is refused rather than guessed.

    >>> parse_timestamp("2026-11-24T08:00:00+08:00").isoformat()
    '2026-11-24T00:00:00+00:00'
    >>> parse_timestamp("2026-11-24T00:00:00")
    Traceback (most recent call last):
    ...
    csms.errors.InvalidInput: timestamp: '2026-11-24T00:00:00' is not an RFC 3339 date-time with an offset
    """
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise InvalidInput(f"{field}: {text!r} is not an RFC 3339 date-time with an offset", field=field)
    # Python parses at most microseconds; a station may send nanoseconds.
    main, _, rest = text.partition(".")
    if rest:
        digits = re.match(r"\d+", rest).group(0)  # type: ignore[union-attr]
        text = f"{main}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    return datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as OCPP wants it: UTC with a ``Z`` and millisecond precision."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in the CSMS is timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utcnow() -> datetime:
    return datetime.now(UTC)
