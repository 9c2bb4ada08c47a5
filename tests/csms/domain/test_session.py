"""The charging session model (csms/domain/session.py): status transitions and the register window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from csms.domain.session import (
    OPEN_STATUSES,
    ChargingSession,
    RegisterReading,
    RegisterWindow,
    SessionStatus,
    register_window,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def r(minutes: float, wh: float) -> RegisterReading:
    return RegisterReading(T0 + timedelta(minutes=minutes), wh)


# -- status ----------------------------------------------------------------------------------------------
def test_status_strings_are_the_stored_ones() -> None:
    assert [s.value for s in SessionStatus] == ["Pending", "Active", "Suspended", "Completed"]
    assert SessionStatus.ENDED not in OPEN_STATUSES and len(OPEN_STATUSES) == 3


def test_v201_charging_states_map_to_statuses() -> None:
    session = ChargingSession.opened_v201("EVConnected")
    assert session.status is SessionStatus.PENDING
    assert session.charging_state("Idle").status is SessionStatus.PENDING
    session = session.charging_state("Charging")
    assert session.status is SessionStatus.ACTIVE
    assert session.charging_state("SuspendedEV").status is SessionStatus.SUSPENDED
    assert session.charging_state("SuspendedEVSE").status is SessionStatus.SUSPENDED
    # connected but no longer charging after it has charged: suspended, not pending again
    assert session.charging_state("EVConnected").status is SessionStatus.SUSPENDED
    assert session.charging_state(None) is session
    assert ChargingSession.opened_v201(None).status is SessionStatus.ACTIVE


def test_ended_is_terminal() -> None:
    session = ChargingSession.started_v16(r(0, 1000.0)).metered([r(10, 2000.0)]).end([r(20, 3000.0)])
    assert (session.status, session.energy_wh) == (SessionStatus.ENDED, 2000.0)
    assert session.metered([r(21, 3040.0)]) is session
    assert session.charging_state("Charging") is session
    assert session.end([r(30, 9000.0)]) is session


def test_v16_start_knows_only_the_start_reading() -> None:
    session = ChargingSession.started_v16(r(0, 1000.0))
    assert session.window == RegisterWindow(r(0, 1000.0), None) and session.energy_wh is None


def test_a_zero_glitch_is_ignored_incrementally_and_at_the_end() -> None:
    session = ChargingSession.started_v16(r(0, 1_000_000.0))
    session = session.metered([r(10, 0.0)]).metered([r(20, 1_005_000.0)])
    assert session.window == RegisterWindow(r(0, 1_000_000.0), r(20, 1_005_000.0))
    history = [r(10, 0.0), r(20, 1_005_000.0)]
    assert session.end([r(20, 1_005_000.0)], history).energy_wh == 5000.0


def test_a_high_glitch_is_outvoted_by_the_readings_after_it() -> None:
    series = [r(0, 1000.0), r(10, 99_999_999.0), r(20, 1500.0), r(30, 2000.0)]
    assert register_window(series) == RegisterWindow(r(0, 1000.0), r(30, 2000.0))
    running = ChargingSession.started_v16(series[0])
    for reading in series[1:]:
        running = running.metered([reading])
    assert running.energy_wh == 1000.0


def test_out_of_order_reading_moves_the_start_earlier() -> None:
    session = ChargingSession.opened_v201("Charging").metered([r(10, 1500.0), r(20, 1800.0)])
    assert session.metered([r(0, 1200.0)]).window == RegisterWindow(r(0, 1200.0), r(20, 1800.0))
    assert session.metered([r(15, 1600.0)]) == session  # inside the window: nothing changes


def test_no_register_readings_give_no_window() -> None:
    assert register_window([]) == RegisterWindow()
    assert ChargingSession.opened_v201("Charging").end().energy_wh is None


# -- properties ------------------------------------------------------------------------------------------
@st.composite
def monotonic_series(draw: st.DrawFn) -> list[RegisterReading]:
    """A register read at increasing times, never going backwards (flat stretches allowed)."""
    steps = draw(st.lists(st.tuples(st.integers(1, 600), st.integers(0, 5000)), min_size=1, max_size=30))
    minutes, wh, series = 0, draw(st.integers(0, 10**7)), []
    for gap, delta in steps:
        minutes, wh = minutes + gap, wh + delta
        series.append(r(minutes, float(wh)))
    return series


@given(monotonic_series(), st.data())
def test_any_order_and_repeats_of_a_monotonic_series_give_last_minus_first(
    series: list[RegisterReading], data: st.DataObject
) -> None:
    repeated = series + data.draw(st.lists(st.sampled_from(series), max_size=10))
    arrival = data.draw(st.permutations(repeated))
    expected = series[-1].value_wh - series[0].value_wh
    assert register_window(arrival).energy_wh == expected
    # the same, message by message, as the running session sees it, and then at its end
    running = ChargingSession.opened_v201("Charging")
    for reading in arrival:
        running = running.metered([reading])
    assert running.energy_wh == expected
    assert running.end((), arrival).energy_wh == expected


@given(monotonic_series(), st.data())
def test_a_glitch_never_increases_the_energy(series: list[RegisterReading], data: st.DataObject) -> None:
    """One reading off the series (any value at any time inside or around it), any arrival order."""
    true_energy = series[-1].value_wh - series[0].value_wh
    minute = data.draw(st.integers(-600, int((series[-1].at - T0).total_seconds() // 60) + 600))
    glitch = r(minute + 0.5, float(data.draw(st.integers(0, 2 * 10**7))))
    arrival = data.draw(st.permutations([*series, glitch]))
    final = ChargingSession.opened_v201("Charging").end((), arrival)
    energy = final.energy_wh
    assert energy is not None
    before, after = [s for s in series if s.at < glitch.at], [s for s in series if s.at > glitch.at]
    consistent = (not before or before[-1].value_wh <= glitch.value_wh) and (
        not after or glitch.value_wh <= after[0].value_wh
    )
    if consistent and (not before or not after):
        return  # a reading before the first or after the last that fits the series extends it: not a glitch
    assert energy <= true_energy


@given(monotonic_series(), st.integers(1, 5), st.data())
def test_zero_readings_from_a_resetting_meter_never_increase_the_energy(
    series: list[RegisterReading], zeros: int, data: st.DataObject
) -> None:
    """The issue's meter: now and then a 0 Wh reading, between true readings, arriving in any order."""
    if len(series) < zeros + 2 or series[0].value_wh == 0:
        return
    gaps = data.draw(st.lists(st.integers(0, len(series) - 2), min_size=zeros, max_size=zeros, unique=True))
    glitches = [RegisterReading(series[i].at + (series[i + 1].at - series[i].at) / 2, 0.0) for i in gaps]
    arrival = data.draw(st.permutations([*series, *glitches]))
    final = ChargingSession.opened_v201("Charging").end((), arrival)
    assert final.energy_wh == series[-1].value_wh - series[0].value_wh


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=12))
def test_each_reading_is_decided_as_the_general_rule_decides_it(steps: list[tuple[int, int]]) -> None:
    """Message by message, the running window (fast path included: same instant, same value, repeats) is
    the rule's window over the previous window's readings and the new one; a repeat changes nothing."""
    running = ChargingSession.started_v16(r(0, 0.0))
    for minutes, wh in steps:
        reading = r(minutes, float(wh))
        before = running.window
        running = running.metered([reading])
        if reading in before.readings():
            assert running.window == before
        else:
            assert running.window == register_window((*before.readings(), reading))
