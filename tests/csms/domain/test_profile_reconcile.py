"""Reconciling what a station reports installed with what the energy manager had accepted (K09/K29)."""

from __future__ import annotations

from csms.domain.energy.reconcile import (
    InstalledRecord,
    SentRecord,
    installed_from_wire,
    reconcile,
)


def sent(evse: int, purpose: str, pid: int, value: float, unit: str = "A", ref: str = "conn:1") -> SentRecord:
    return SentRecord(evse, purpose, pid, value, unit, "Accepted", ref)


def installed(evse: int, pid: int, purpose: str, limit: float | None, unit: str = "A", source: str = "CSO"):
    return InstalledRecord(evse, pid, purpose, source, limit, unit)


def kinds(sent_rows, installed_rows, active=()) -> set[tuple[str, int, int]]:
    return {
        (m.kind.value, m.evse_id, m.profile_id) for m in reconcile(sent_rows, installed_rows, set(active))
    }


def test_equal_within_a_wire_decimal_is_no_mismatch() -> None:
    assert (
        kinds([sent(0, "TxDefaultProfile", 7, 16.0)], [installed(0, 7, "TxDefaultProfile", 16.04)]) == set()
    )


def test_each_kind_of_disagreement_is_named() -> None:
    rows = [sent(0, "TxDefaultProfile", 7, 16.0), sent(1, "TxProfile", 8, 10.0, ref="42"),
            sent(0, "ChargingStationMaxProfile", 9, 22_000, "W")]  # fmt: skip
    found = [
        installed(0, 7, "TxDefaultProfile", 10.0),
        installed(3, 50, "TxDefaultProfile", 6.0),
        installed(1, 8, "TxProfile", 10.0),
        installed(2, 70, "ChargingStationExternalConstraints", 5.0, source="SO"),
    ]
    # transaction 42 ended: its TxProfile should be gone; the SO profile is the grid operator's business
    assert kinds(rows, found) == {("differs", 0, 7), ("stale", 1, 8), ("missing", 0, 9), ("unknown", 3, 50)}
    # while transaction 42 runs its TxProfile is expected, and there
    assert ("stale", 1, 8) not in kinds(rows, found, active={"42"})


def test_a_refused_profile_is_not_expected_and_units_count() -> None:
    refused = SentRecord(0, "TxDefaultProfile", 7, 16.0, "A", "Rejected")
    assert kinds([refused], []) == set()
    assert kinds(
        [sent(0, "TxDefaultProfile", 7, 16.0)], [installed(0, 7, "TxDefaultProfile", 16.0, "W")]
    ) == {("differs", 0, 7)}


def test_the_reported_profile_is_read_from_its_first_schedule_period() -> None:
    periods = [{"startPeriod": 600, "limit": 8}, {"startPeriod": 0, "limit": 16}]
    wire = {
        "id": 4, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [{"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": periods}],
    }  # fmt: skip
    assert installed_from_wire(2, "CSO", wire) == installed(2, 4, "TxDefaultProfile", 16.0)
