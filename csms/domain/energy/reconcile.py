"""What a station reports installed (ReportChargingProfiles) against what the CSMS believes it sent. Pure.

Only the CSMS's own profiles (source ``CSO``) are compared; limits from a grid operator or a local EMS are
the station's business. A TxProfile of a transaction that has ended is gone by design, not missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: Wire limits carry one decimal: closer than this is the same limit.
LIMIT_TOLERANCE = 0.05


class MismatchKind(StrEnum):
    MISSING = "missing"
    """The station accepted the profile but does not report it."""
    DIFFERS = "differs"
    """The station reports the profile with another purpose, unit or limit."""
    STALE = "stale"
    """The station still reports the TxProfile of a transaction that has ended."""
    UNKNOWN = "unknown"
    """The station reports a CSMS profile the energy manager never sent (set by hand, or by another CSMS)."""


@dataclass(frozen=True, slots=True)
class SentRecord:
    evse_id: int
    purpose: str
    profile_id: int
    limit_value: float
    rate_unit: str
    status: str
    transaction_ref: str | None = None


@dataclass(frozen=True, slots=True)
class InstalledRecord:
    evse_id: int
    profile_id: int
    purpose: str
    source: str
    limit: float | None
    rate_unit: str | None


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: MismatchKind
    evse_id: int
    profile_id: int
    purpose: str
    detail: str


def installed_from_wire(evse_id: int, source: str, profile: Mapping[str, Any]) -> InstalledRecord:
    """A reported 2.0.1 chargingProfile as an :class:`InstalledRecord` (its first schedule's first period)."""
    schedules = profile.get("chargingSchedule") or [{}]
    periods = sorted(schedules[0].get("chargingSchedulePeriod") or [], key=lambda p: p.get("startPeriod", 0))
    return InstalledRecord(
        evse_id,
        int(profile["id"]),
        str(profile["chargingProfilePurpose"]),
        source,
        float(periods[0]["limit"]) if periods and periods[0].get("limit") is not None else None,
        schedules[0].get("chargingRateUnit"),
    )


def reconcile(
    sent: Iterable[SentRecord], installed: Iterable[InstalledRecord], active_tx_refs: Collection[str]
) -> list[Mismatch]:
    """Every disagreement between the accepted ``sent`` profiles and the ``installed`` CSO ones."""
    mine = {(i.evse_id, i.profile_id): i for i in installed if i.source == "CSO"}
    expected, ended = {}, set()
    out = []
    for s in sent:
        if s.status != "Accepted":
            continue
        if s.purpose == "TxProfile" and s.transaction_ref not in active_tx_refs:
            ended.add((s.evse_id, s.profile_id))
            continue
        expected[(s.evse_id, s.profile_id)] = s
        found = mine.get((s.evse_id, s.profile_id))
        if found is None:
            out.append(
                Mismatch(
                    MismatchKind.MISSING,
                    s.evse_id,
                    s.profile_id,
                    s.purpose,
                    f"accepted {s.limit_value} {s.rate_unit}, not reported installed",
                )
            )
        elif (
            found.purpose != s.purpose
            or found.rate_unit != s.rate_unit
            or found.limit is None
            or abs(found.limit - s.limit_value) > LIMIT_TOLERANCE
        ):
            out.append(
                Mismatch(
                    MismatchKind.DIFFERS,
                    s.evse_id,
                    s.profile_id,
                    s.purpose,
                    f"sent {s.purpose} {s.limit_value} {s.rate_unit}, "
                    f"installed {found.purpose} {found.limit} {found.rate_unit}",
                )
            )
    for key, i in sorted(mine.items()):
        if key in ended:
            out.append(
                Mismatch(
                    MismatchKind.STALE,
                    i.evse_id,
                    i.profile_id,
                    i.purpose,
                    "TxProfile of a transaction that has ended, still installed",
                )
            )
        elif key not in expected:
            out.append(
                Mismatch(
                    MismatchKind.UNKNOWN,
                    i.evse_id,
                    i.profile_id,
                    i.purpose,
                    f"installed {i.purpose} {i.limit} {i.rate_unit}, not sent by the energy manager",
                )
            )
    return out
