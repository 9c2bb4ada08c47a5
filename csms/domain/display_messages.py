"""Display messages (OCPP 2.0.1 block O): which stored messages a GetDisplayMessages request covers, and
which of them the station shows.

Pure. A station's report (NotifyDisplayMessages) answers one GetDisplayMessages request: each part adds or
updates its messages, and the last one (``tbc`` false) completes the report, which then replaces what the
station was known to show *within that request's scope* (the ids, priority and state it asked for: every one
given must match): a message in scope that no part reported is no longer on the station.

>>> scope = MessageScope(ids=(1, 2), priority="InFront")
>>> scope.covers(1, "InFront", None), scope.covers(1, "NormalCycle", None), scope.covers(3, "InFront", None)
(True, False, False)
>>> MessageScope().covers(7, "AlwaysFront", "Charging")
True
>>> shown("Accepted", reported=False), shown("Rejected", reported=False), shown(None, reported=True)
(True, False, True)
"""

from __future__ import annotations

from dataclasses import dataclass

PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")
STATES = ("Charging", "Faulted", "Idle", "Unavailable")
FORMATS = ("ASCII", "HTML", "URI", "UTF8")
SET_ANSWERS = (
    "Accepted", "NotSupportedMessageFormat", "Rejected", "NotSupportedPriority", "NotSupportedState",
    "UnknownTransaction",
)  # fmt: skip
"""SetDisplayMessage answers (DisplayMessageStatusEnumType); only ``Accepted`` puts the message up."""

GONE_ON_CLEAR = ("Accepted", "Unknown")
"""ClearDisplayMessage answers after which the station shows no message with that id: ``Accepted`` (cleared)
and ``Unknown`` (it had none: the stored one was stale)."""


@dataclass(frozen=True)
class MessageScope:
    """The criteria of a GetDisplayMessages request (``None``: any)."""

    ids: tuple[int, ...] | None = None
    priority: str | None = None
    state: str | None = None

    def covers(self, message_id: int, priority: str, state: str | None) -> bool:
        return (
            (self.ids is None or message_id in self.ids)
            and (self.priority is None or priority == self.priority)
            and (self.state is None or state == self.state)
        )


def shown(set_answer: str | None, *, reported: bool) -> bool:
    """Whether the station shows a message: it accepted it from the CSMS, or it reported it."""
    return reported or set_answer == "Accepted"
