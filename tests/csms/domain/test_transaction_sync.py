"""TransactionEvent sequence gaps (E14) and the TriggerMessage rules (F06)."""

from __future__ import annotations

import pytest

from csms.domain.transaction_sync import SyncState, after_answer, after_event, missing_seq_nos, should_ask
from csms.domain.trigger import check_trigger
from csms.errors import Conflict, InvalidInput


def test_gaps_and_when_to_ask() -> None:
    assert missing_seq_nos([]) == [] and missing_seq_nos({0, 1, 2}) == []
    assert missing_seq_nos({3}) == [0, 1, 2]
    assert not should_ask({0, 1, 2}, event_type="Updated", offline=True)  # offline alone is not a reason
    assert should_ask({0, 1, 2}, event_type="Ended", offline=True)


def test_states_follow_the_answers_and_the_events() -> None:
    assert after_answer({0, 2}, messages_in_queue=True) is SyncState.AWAITING
    assert after_answer({0, 2}, messages_in_queue=False) is SyncState.GAP
    assert after_answer({0, 1}, messages_in_queue=False) is SyncState.COMPLETE
    assert after_event(SyncState.AWAITING, {0, 1, 2}) is SyncState.RECONCILED
    assert after_event(SyncState.GAP, {0, 2}) is SyncState.GAP
    assert after_event(None, {0, 2}) is None


@pytest.mark.parametrize(
    ("version", "action", "requested", "evse", "accepted", "error"),
    [
        ("2.0.1", "TriggerMessage", "StatusNotification", 1, True, None),
        ("2.1", "TriggerMessage", "BootNotification", None, False, None),
        ("2.0.1", "TriggerMessage", "BootNotification", None, True, Conflict),
        ("2.0.1", "TriggerMessage", "Heartbeat", 2, True, InvalidInput),
        ("2.0.1", "TriggerMessage", "DiagnosticsStatusNotification", None, True, InvalidInput),
        ("1.6", "TriggerMessage", "BootNotification", None, True, None),  # 1.6 has no F06.FR.17
        ("1.6", "TriggerMessage", "SignChargePointCertificate", None, True, InvalidInput),
        ("1.6", "ExtendedTriggerMessage", "SignChargePointCertificate", None, True, None),
        ("1.6", "TriggerMessage", "MeterValues", 0, True, None),  # connector 0 is the station
        ("2.0.1", "ExtendedTriggerMessage", "Heartbeat", None, True, InvalidInput),
    ],
)
def test_trigger_rules(
    version: str, action: str, requested: str, evse: int | None, accepted: bool, error: type | None
) -> None:
    if error is None:
        check_trigger(version, requested, evse_id=evse, boot_accepted=accepted, action=action)
    else:
        with pytest.raises(error):
            check_trigger(version, requested, evse_id=evse, boot_accepted=accepted, action=action)
