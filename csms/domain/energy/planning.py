"""Which charging profiles a site's allocation calls for (pure: values in, version-neutral profiles out).

Given the allocation, what each station last accepted and which stations are ready (connected, boot accepted),
:func:`plan_profiles` returns the profiles to send:

* the station maximum at the station's rating, and the TxDefaultProfile at the safe default, on every new
  connection and whenever the safe default moves (a demand-response limit lowers it);
* a TxProfile per session past the hysteresis, or when its last one is half-way to its fallback; its
  second period drops to the safe default after ``validity_s``, so a station that loses the CSMS falls
  back by itself.

While a demand-response limit binds, or when the old limits together would overrun the power for charging,
every decrease is sent whatever the hysteresis: the site must never sit above its limit to save a message.
Each OCPP version's edge module turns a :class:`~csms.domain.energy.charging_profile.ChargingProfile` into
its SetChargingProfile payload.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from csms.domain.energy.charging_profile import (
    ChargingProfile,
    ProfilePurpose,
    TransactionRef,
    charging_profile,
    with_fallback,
)
from csms.domain.energy.model import Allocation, CurrentType
from csms.domain.energy.profiles import needs_update, safe_default_limit_w, session_limit_rate
from csms.domain.energy.site import Member, SiteSnapshot

PROFILE_ID_MAX, PROFILE_ID_DEFAULT, PROFILE_ID_TX_BASE = 1, 2, 100


@dataclass(frozen=True)
class Policy:
    hysteresis_w: float = 500.0
    hysteresis_pct: float = 5.0
    validity_s: int = 900
    """A TxProfile falls back to the safe default after this long; it is refreshed at half of it."""


@dataclass(frozen=True)
class Sent:
    """A profile a station accepted: its limit [W], when, and for what (a session id or a connection)."""

    limit_w: float
    sent_at: datetime
    ref: str


SentKey = tuple[str, int, ProfilePurpose]  # (station id, EVSE / connector, purpose)


@dataclass(frozen=True)
class ProfileMessage:
    site_id: str
    station_id: str
    evse_id: int
    purpose: ProfilePurpose
    profile_id: int
    ref: str
    """The session id (TxProfile) or the connection (station-wide profiles) the profile was sent for."""
    limit_w: float
    limit_value: float
    unit: str
    profile: ChargingProfile
    decrease: bool

    @property
    def key(self) -> SentKey:
        return (self.station_id, self.evse_id, self.purpose)


def rate(
    current_type: CurrentType, phases: int, limit_w: float, voltage_v: float
) -> tuple[float, str, int | None]:
    """``(limit, unit, phases)``: A per phase for AC (rounded down to 0.1 A), W for DC.

    >>> rate(CurrentType.AC, 3, 20_000, 220)
    (30.3, 'A', 3)
    """
    if current_type is CurrentType.AC:
        return math.floor(limit_w / (voltage_v * phases) * 10) / 10, "A", phases
    return limit_w, "W", None


def safe_w(snap: SiteSnapshot, m: Member, dr_limit_kw: float | None) -> float:
    """The station's safe default [W] (see :func:`csms.domain.energy.safe_default_limit_w`)."""
    count = max(1, len(snap.members))
    return safe_default_limit_w(snap.spec, count, station_max_w=m.max_power_w, dr_limit_kw=dr_limit_kw)


def plan_profiles(
    snap: SiteSnapshot,
    alloc: Allocation,
    now: datetime,
    *,
    dr_limit_kw: float | None,
    sent: Mapping[SentKey, Sent],
    ready: Mapping[str, str],
    policy: Policy,
) -> list[ProfileMessage]:
    """The profiles ``alloc`` calls for, each with what it is for.

    ``ready`` maps each station that may be sent to (connected, boot accepted) to its connection ref; a new
    connection ref resends the station-wide profiles.
    """
    spec, site_id = snap.spec, snap.spec.site_id
    members = {m.station_id: m for m in snap.members}
    hyst = {"hysteresis_w": policy.hysteresis_w, "hysteresis_pct": policy.hysteresis_pct}
    out: list[ProfileMessage] = []

    def add(station: str, ref: str, limit_w: float, limit_value: float, profile: ChargingProfile) -> None:
        evse, purpose = profile.evse_id, profile.purpose
        old = sent.get((station, evse, purpose))
        decrease = old is not None and old.ref == ref and limit_w < old.limit_w
        out.append(
            ProfileMessage(
                site_id, station, evse, purpose, profile.profile_id, ref, limit_w, limit_value, profile.unit,
                profile, decrease,
            )
        )  # fmt: skip

    for station, conn_ref in ready.items():
        m = members[station]
        for purpose, pid, limit_w in (
            (ProfilePurpose.TX_DEFAULT, PROFILE_ID_DEFAULT, safe_w(snap, m, dr_limit_kw)),
            (ProfilePurpose.STATION_MAX, PROFILE_ID_MAX, m.max_power_w),
        ):
            old = sent.get((station, 0, purpose))
            if (
                old
                and old.ref == conn_ref
                and not needs_update(old.limit_w, limit_w, **hyst, decrease_always=True)
            ):
                continue
            value, unit, phases = rate(m.current_type, m.phases, limit_w, m.volts(spec.voltage_v))
            profile = charging_profile(purpose, value, unit, profile_id=pid, start=now, number_phases=phases)
            add(station, conn_ref, limit_w, value, profile)

    # Hysteresis may hold back a decrease only while the old limits still fit the power for charging.
    olds = []
    for s in alloc.sessions:
        o = sent.get((s.station_id, s.evse_id, ProfilePurpose.TX))
        olds.append(o if o is not None and o.ref == s.session_id else None)
    worst = sum(
        max(o.limit_w, s.limit_w) if o else s.limit_w for o, s in zip(olds, alloc.sessions, strict=True)
    )
    decrease_always = alloc.binding_limit == "demand_response" or worst > alloc.available_for_charging_w + 1.0
    by_id = {s.session_id: s for s in snap.sessions}
    for lim, old in zip(alloc.sessions, olds, strict=True):
        if lim.station_id not in ready or lim.evse_id <= 0:
            continue
        due = old is not None and (now - old.sent_at).total_seconds() >= policy.validity_s / 2
        change = needs_update(
            old.limit_w if old else None, lim.limit_w, **hyst, decrease_always=decrease_always
        )
        if not (due or change):
            continue
        m, session = members[lim.station_id], by_id[lim.session_id]
        value, unit, phases = session_limit_rate(lim)
        profile = charging_profile(
            ProfilePurpose.TX, value, unit, profile_id=PROFILE_ID_TX_BASE + lim.evse_id, start=now,
            evse_id=lim.evse_id, transaction=TransactionRef(session.transaction_id, session.uid),
            number_phases=phases,
        )  # fmt: skip
        fallback = rate(m.current_type, m.phases, safe_w(snap, m, dr_limit_kw), m.volts(spec.voltage_v))
        profile = with_fallback(profile, policy.validity_s, fallback[0], fallback[2])
        add(lim.station_id, lim.session_id, lim.limit_w, value, profile)
    return out
