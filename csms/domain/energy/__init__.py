"""Site energy management for 光储充 sites: model, allocation, version-neutral charging profiles, planning.

Pure domain code (no I/O, no frameworks). The service layer feeds it a :class:`SiteSpec`, a
:class:`SiteState`, a tariff and demand-response events, and sends what comes back.
"""

from csms.domain.energy.model import (  # noqa: I001 - model first: allocation imports it
    DEFAULT_PRIORITY_WEIGHTS,
    PRIORITY_RANK,
    Allocation,
    AllocationInputError,
    CurrentType,
    PriorityClass,
    Reason,
    SessionDemand,
    SessionLimit,
    SessionStatus,
    SiteSpec,
    SiteState,
)
from csms.domain.energy.allocation import DEFERRAL_SAFETY, allocate, battery_limits_w, water_fill
from csms.domain.energy.profiles import needs_update, safe_default_limit_w, session_limit_rate
from csms.domain.energy.charging_profile import (
    ChargingProfile,
    ProfilePurpose,
    SchedulePeriod,
    TransactionRef,
    charging_profile,
    with_fallback,
    wire_limit,
)
from csms.domain.energy.site import AC_MIN_CURRENT_A, ActiveSession, Member, SiteSnapshot, TelemetrySample

__all__ = [
    "AC_MIN_CURRENT_A",
    "ActiveSession",
    "ChargingProfile",
    "Member",
    "ProfilePurpose",
    "SchedulePeriod",
    "SiteSnapshot",
    "TelemetrySample",
    "TransactionRef",
    "charging_profile",
    "with_fallback",
    "wire_limit",
    "DEFAULT_PRIORITY_WEIGHTS",
    "DEFERRAL_SAFETY",
    "PRIORITY_RANK",
    "Allocation",
    "AllocationInputError",
    "CurrentType",
    "PriorityClass",
    "Reason",
    "SessionDemand",
    "SessionLimit",
    "SessionStatus",
    "SiteSpec",
    "SiteState",
    "allocate",
    "battery_limits_w",
    "needs_update",
    "safe_default_limit_w",
    "session_limit_rate",
    "water_fill",
]
