"""The failure budget: back-off doubles past the budget, is capped, is forgotten, and the table is bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.domain.throttle import BudgetPolicy, FailureBudget, Trip

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_back_off_doubles_past_the_budget_up_to_its_cap() -> None:
    budget = FailureBudget(BudgetPolicy(allowed_failures=3, base_backoff_s=2, max_backoff_s=10))
    assert [budget.failure("k", T0) for _ in range(3)] == [None, None, None]
    assert budget.retry_after_s("k", T0) == 0.0
    assert budget.failure("k", T0) == Trip(failures=4, retry_after_s=2.0)
    waits = []
    for _ in range(4):
        assert budget.failure("k", T0) is None  # one alert per trip, not one per failure
        waits.append(budget.retry_after_s("k", T0))
    assert waits == [4.0, 8.0, 10.0, 10.0]
    assert budget.retry_after_s("k", at(9.5)) == 0.5
    assert budget.retry_after_s("other", T0) == 0.0


def test_a_quiet_key_is_forgotten_and_a_success_forgives() -> None:
    budget = FailureBudget(BudgetPolicy(allowed_failures=1, base_backoff_s=5, forget_after_s=60))
    budget.failure("k", T0)
    assert budget.failure("k", T0) == Trip(failures=2, retry_after_s=5.0)
    assert budget.failures("k", at(59)) == 2
    assert budget.failures("k", at(60)) == 0
    assert budget.failure("k", at(60)) is None  # a fresh budget
    budget.success("k")
    assert budget.failures("k", at(60)) == 0


def test_the_table_keeps_at_most_max_keys_forgetting_the_quietest() -> None:
    budget = FailureBudget(BudgetPolicy(max_keys=3))
    for i in range(5):
        budget.failure(f"k{i}", at(i))
    assert [budget.failures(f"k{i}", at(5)) for i in range(5)] == [0, 0, 1, 1, 1]
