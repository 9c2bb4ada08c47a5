"""Failure budgets with exponential back-off, for password guessing at the OCPP handshake (sans I/O).

A key (a station id, a source address) may fail ``allowed_failures`` times; each failure past that blocks
the key for ``base_backoff_s x 2^(n-1)`` seconds (n = failures over the budget), at most ``max_backoff_s``.
A key that has not failed for ``forget_after_s`` starts afresh, as does a station key after a success.
Every method takes ``now`` (the caller's injected clock): nothing here reads a clock or sleeps.

The table is bounded: past ``max_keys`` keys, the ones whose last failure is oldest are forgotten first, so a
flood of random ids or addresses costs bounded memory (and at worst forgets the quietest guessers).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    allowed_failures: int = 5
    base_backoff_s: float = 1.0
    max_backoff_s: float = 900.0
    forget_after_s: float = 3600.0
    max_keys: int = 100_000


@dataclass(frozen=True, slots=True)
class Trip:
    """A key just went over its budget: it fails ``failures`` times and is blocked ``retry_after_s`` [s]."""

    failures: int
    retry_after_s: float


@dataclass(slots=True)
class _Record:
    failures: int
    last_failure: datetime
    blocked_until: datetime


class FailureBudget:
    """Failure counts and back-off per key.

    >>> from datetime import UTC
    >>> t0 = datetime(2026, 12, 2, tzinfo=UTC)
    >>> budget = FailureBudget(BudgetPolicy(allowed_failures=2, base_backoff_s=10))
    >>> [budget.failure("CP-1", t0) for _ in range(3)]
    [None, None, Trip(failures=3, retry_after_s=10.0)]
    >>> [budget.retry_after_s("CP-1", t0 + timedelta(seconds=s)) for s in (4, 10)]
    [6.0, 0.0]
    >>> budget.failure("CP-1", t0 + timedelta(seconds=10)) is None  # blocked again, 20 s: no second alert
    True
    >>> budget.retry_after_s("CP-1", t0 + timedelta(seconds=10))
    20.0
    """

    def __init__(self, policy: BudgetPolicy | None = None) -> None:
        self.policy = policy or BudgetPolicy()
        self._records: OrderedDict[Hashable, _Record] = OrderedDict()

    def _live(self, key: Hashable, now: datetime) -> _Record | None:
        record = self._records.get(key)
        if record is None:
            return None
        if now - record.last_failure >= timedelta(seconds=self.policy.forget_after_s):
            del self._records[key]
            return None
        return record

    def retry_after_s(self, key: Hashable, now: datetime) -> float:
        """Seconds ``key`` must still wait before its next attempt is heard; 0 when it may try now."""
        record = self._live(key, now)
        if record is None or record.blocked_until <= now:
            return 0.0
        return (record.blocked_until - now).total_seconds()

    def failures(self, key: Hashable, now: datetime) -> int:
        """Failures of ``key`` not yet forgotten (a key with any is suspect: its work waits behind others)."""
        record = self._live(key, now)
        return 0 if record is None else record.failures

    def failure(self, key: Hashable, now: datetime) -> Trip | None:
        """Count a failure; return a :class:`Trip` when this one takes ``key`` over its budget."""
        policy = self.policy
        record = self._live(key, now)
        if record is None:
            record = self._records[key] = _Record(0, now, now)
        record.failures += 1
        record.last_failure = now
        self._records.move_to_end(key)
        over = record.failures - policy.allowed_failures
        if over > 0:
            # 2 ** over grows without bound; cap the exponent before it overflows a float.
            backoff = min(policy.max_backoff_s, policy.base_backoff_s * 2.0 ** min(over - 1, 64))
            record.blocked_until = now + timedelta(seconds=backoff)
        while len(self._records) > policy.max_keys:
            self._records.popitem(last=False)
        if over == 1:
            return Trip(record.failures, (record.blocked_until - now).total_seconds())
        return None

    def blocked(self, now: datetime, limit: int = 100) -> list[tuple[Hashable, int, float]]:
        """The keys blocked at ``now`` (key, failures, seconds still to wait), most failures first, at most
        ``limit`` of them: what an operator's alert shows.

        >>> from datetime import UTC
        >>> t0 = datetime(2026, 12, 2, tzinfo=UTC)
        >>> budget = FailureBudget(BudgetPolicy(allowed_failures=1, base_backoff_s=10))
        >>> for _ in range(2): _ = budget.failure(("address", "10.0.0.9"), t0)
        >>> _ = budget.failure(("station", "CP-1"), t0)
        >>> budget.blocked(t0 + timedelta(seconds=4))
        [(('address', '10.0.0.9'), 2, 6.0)]
        """
        found = [
            (key, r.failures, (r.blocked_until - now).total_seconds())
            for key, r in self._records.items()
            if r.blocked_until > now and now - r.last_failure < timedelta(seconds=self.policy.forget_after_s)
        ]
        return sorted(found, key=lambda f: -f[1])[:limit]

    def success(self, key: Hashable) -> None:
        """The key proved itself (the right password): its failures are forgotten."""
        self._records.pop(key, None)
