"""Whether the CSMS has every TransactionEvent of a 2.0.1 transaction (E14 GetTransactionStatus), pure.

A station numbers the TransactionEvents of a transaction ``seqNo`` 0, 1, 2, ...; a number missing below the
highest one seen is a gap: a message lost, or one still in the station's offline queue. The CSMS asks the
station (GetTransactionStatus) when it sees a gap, and when a transaction ends with events sent offline (the
queue may hold more); the answer's ``messagesInQueue`` says whether to wait for more.

States of a transaction's sync (:class:`SyncState`):

- ``complete``: no gap and nothing asked.
- ``awaiting``: asked, and the station still has messages queued: wait for them.
- ``gap``: the station has nothing queued, yet numbers are missing: lost for good, stored as such.
- ``reconciled``: a gap or a wait that the station's later messages filled.

>>> missing_seq_nos({0, 1, 3, 5})
[2, 4]
>>> should_ask({0, 2}, event_type="Updated", offline=False)
True
>>> [should_ask({0, 1}, event_type="Ended", offline=offline) for offline in (True, False)]
[True, False]
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum


class SyncState(StrEnum):
    COMPLETE = "complete"
    AWAITING = "awaiting"
    GAP = "gap"
    RECONCILED = "reconciled"


def missing_seq_nos(seen: Collection[int]) -> list[int]:
    """The numbers from 0 to the highest seen that did not arrive."""
    if not seen:
        return []
    have = set(seen)
    return [n for n in range(max(have)) if n not in have]


def should_ask(seen: Collection[int], *, event_type: str, offline: bool) -> bool:
    """Ask the station (GetTransactionStatus) after this event: a gap, or an Ended sent from the offline
    queue (more of the transaction may still be queued behind it)."""
    return bool(missing_seq_nos(seen)) or (event_type == "Ended" and offline)


def after_answer(seen: Collection[int], *, messages_in_queue: bool) -> SyncState:
    """The state once the station answered: still queued -> wait; nothing queued and a gap -> gap."""
    if messages_in_queue:
        return SyncState.AWAITING
    return SyncState.GAP if missing_seq_nos(seen) else SyncState.COMPLETE


def after_event(state: SyncState | None, seen: Collection[int]) -> SyncState | None:
    """The state once another event arrived: a wait or a gap with nothing missing any more is reconciled;
    otherwise unchanged (``None``: never asked)."""
    if state in (SyncState.AWAITING, SyncState.GAP) and not missing_seq_nos(seen):
        return SyncState.RECONCILED
    return state
