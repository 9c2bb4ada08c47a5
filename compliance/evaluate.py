"""The evaluator: car park x rule -> verdict. Pure: plain values in, plain values out, no I/O.

Every applicable rule is evaluated and reported. The car park's overall verdict is led by the
*strictest failing* rule: the non-compliant verdict with the largest shortfall (ties: the larger
required count, then pack order). For rules over the same base and counts the larger required count
always has the larger shortfall, so "largest shortfall" is "strictest requirement" where the two can be
compared at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from compliance.categories import Category
from compliance.model import CarPark
from compliance.rules import (
    ALL_TRUE,
    FLAGS_BLANK_MEANS_NO,
    MINIMUM,
    PILE_COUNTED_FIELDS,
    RATIO,
    Condition,
    Rule,
    RulePack,
)


class Status(StrEnum):
    """A verdict; also the overall verdict of a car park."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One car park judged against one rule.

    ``required``/``provided``/``shortfall`` are counts (spaces for ratio rules, piles or preconditions
    otherwise) and ``None`` when not computable. ``values`` holds the record values the rule read, in
    the order of the requirement's ``counts`` (ratio), ``field`` (minimum) or ``fields`` (all_true);
    ``base``/``cap`` are the ratio's base and cap values. ``reserved_unverified`` counts reserved spaces
    that were credited although their evidence is incomplete. ``missing`` names unknown fields.
    """

    car_park_id: str
    rule: Rule
    status: Status
    required: int | None = None
    provided: int | None = None
    shortfall: int | None = None
    base: int | None = None
    cap: int | None = None
    values: tuple[int | bool | None, ...] = ()
    reserved_unverified: int = 0
    missing: tuple[str, ...] = ()
    #: The count the rule read is the register's own figure, not counted from a pile list.
    self_declared: bool = False
    #: Not applicable only because the car park was approved before the rule's effective date.
    approved_before: bool = False

    @property
    def rule_id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class CarParkResult:
    """Every verdict of one car park, its overall status and the verdict that leads it."""

    car_park: CarPark
    verdicts: tuple[Verdict, ...]
    status: Status
    leading: Verdict | None


def _flag(cp: CarPark, name: str, effective: date, assume_new: bool = False) -> bool | None:
    # "New" is judged per rule, against the rule's own effective date (CarPark.is_new_under).
    if name == "is_new":
        return True if assume_new else cp.is_new_under(effective)
    value: bool | None = getattr(cp, name)
    if value is None and name in FLAGS_BLANK_MEANS_NO:
        return False
    return value


def _check(
    condition: Condition, cp: CarPark, missing: list[str], effective: date, assume_new: bool = False
) -> bool | None:
    """Three-valued: True, False, or None when an unknown field decides it (its name goes to missing)."""
    result: bool | None = True
    if cp.category is Category.UNKNOWN and (condition.categories is not None or condition.not_categories):
        missing.append("category")  # blank or unreadable in the register: the rule may or may not apply
        result = None
    elif condition.categories is not None and cp.category not in condition.categories:
        return False
    elif cp.category in condition.not_categories:
        return False
    for name, wanted in condition.flags:
        value = _flag(cp, name, effective, assume_new)
        if value is None:
            missing.append(name)
            result = None
        elif value is not wanted:
            return False
    for name, minimum in condition.at_least:
        value = getattr(cp, name)
        if value is None:
            missing.append(name)
            result = None
        elif value < minimum:
            return False
    if condition.any_of:
        branch_missing: list[str] = []
        outcomes = [_check(sub, cp, branch_missing, effective, assume_new) for sub in condition.any_of]
        if True in outcomes:
            return result
        if None in outcomes:
            missing.extend(branch_missing)
            return None
        return False
    return result


def _approved_before(cp: CarPark, rule: Rule) -> bool:
    """The rule would apply but for the car park's approval before the rule's effective date."""
    if cp.approval_date is None or cp.approval_date >= rule.effective or not _asks_new(rule.applies_to):
        return False
    return _check(rule.applies_to, cp, [], rule.effective, assume_new=True) is not False


@cache
def _asks_new(condition: Condition) -> bool:
    return any(name == "is_new" and wanted for name, wanted in condition.flags) or any(
        _asks_new(c) for c in condition.any_of
    )


def evaluate_rule(cp: CarPark, rule: Rule) -> Verdict:
    """Judge one car park against one rule.

    Examples
    --------
    >>> from compliance.packs import get_pack
    >>> from compliance.categories import Category
    >>> rule = get_pack("xiangjiang-2023").rule("XJ-PUBLIC-30")
    >>> cp = CarPark(id="P1", name="p", category=Category.SOCIAL_PUBLIC, is_public=True,
    ...              total_spaces=11, spaces_with_chargers=2, spaces_reserved=1)
    >>> v = evaluate_rule(cp, rule)
    >>> v.status.value, v.required, v.provided, v.shortfall
    ('non_compliant', 4, 3, 1)
    """
    missing: list[str] = []
    applies = _check(rule.applies_to, cp, missing, rule.effective)
    if applies is False:
        return Verdict(cp.id, rule, Status.NOT_APPLICABLE, approved_before=_approved_before(cp, rule))
    if applies is None:
        return Verdict(cp.id, rule, Status.INSUFFICIENT_DATA, missing=tuple(dict.fromkeys(missing)))
    req = rule.requirement
    if req.kind == RATIO:
        return _ratio(cp, rule)
    if req.kind == MINIMUM:
        value = getattr(cp, req.field)
        if value is None:
            return Verdict(cp.id, rule, Status.INSUFFICIENT_DATA, required=req.minimum, missing=(req.field,))
        declared = req.field in PILE_COUNTED_FIELDS and cp.piles_listed is None
        return _judge(cp, rule, req.minimum, value, values=(value,), self_declared=declared)
    assert req.kind == ALL_TRUE
    flags = tuple(getattr(cp, name) for name in req.fields)
    provided = sum(1 for f in flags if f)
    unknown = tuple(name for name, f in zip(req.fields, flags, strict=True) if f is None)
    if unknown and provided + len(unknown) >= len(flags):
        # Only unknowns stand between the car park and compliance: ask for the data.
        return Verdict(
            cp.id, rule, Status.INSUFFICIENT_DATA, required=len(flags), values=flags, missing=unknown
        )
    return _judge(cp, rule, len(flags), provided, values=flags, missing=unknown)


def _ratio(cp: CarPark, rule: Rule) -> Verdict:
    req = rule.requirement
    base = getattr(cp, req.base)
    cap = getattr(cp, req.base_cap) if req.base_cap else None
    missing = [name for name, v in ((req.base, base), (req.base_cap, cap)) if name and v is None]
    if missing:
        return Verdict(cp.id, rule, Status.INSUFFICIENT_DATA, base=base, cap=cap, missing=tuple(missing))
    required = req.required_count(base if cap is None else min(base, cap))
    values = tuple(getattr(cp, name) for name in req.counts)
    provided = sum(v for v in values if v is not None)
    unknown = tuple(name for name, v in zip(req.counts, values, strict=True) if v is None)
    unverified = 0
    if "spaces_reserved" in req.counts and cp.spaces_reserved and not cp.reserved_evidence_complete:
        unverified = cp.spaces_reserved
    if unknown and provided < required:
        # The known counts fall short but an unknown count might make up the difference.
        return Verdict(
            cp.id,
            rule,
            Status.INSUFFICIENT_DATA,
            required=required,
            provided=provided,
            base=base,
            cap=cap,
            values=values,
            reserved_unverified=unverified,
            missing=unknown,
        )
    return _judge(cp, rule, required, provided, values=values, base=base, cap=cap, unverified=unverified)


def _judge(
    cp: CarPark,
    rule: Rule,
    required: int,
    provided: int,
    *,
    values: tuple[int | bool | None, ...],
    base: int | None = None,
    cap: int | None = None,
    unverified: int = 0,
    missing: tuple[str, ...] = (),
    self_declared: bool = False,
) -> Verdict:
    shortfall = max(0, required - provided)
    status = Status.COMPLIANT if shortfall == 0 else Status.NON_COMPLIANT
    return Verdict(
        cp.id,
        rule,
        status,
        required,
        provided,
        shortfall,
        base,
        cap,
        values,
        unverified,
        missing,
        self_declared,
    )


def _lead(verdicts: Sequence[Verdict]) -> tuple[Status, Verdict | None]:
    failing = [v for v in verdicts if v.status is Status.NON_COMPLIANT]
    if failing:
        # max() keeps the first of equals, so pack order breaks the remaining ties.
        return Status.NON_COMPLIANT, max(failing, key=lambda v: (v.shortfall, v.required))
    for v in verdicts:
        if v.status is Status.INSUFFICIENT_DATA:
            return Status.INSUFFICIENT_DATA, v
    if any(v.status is Status.COMPLIANT for v in verdicts):
        return Status.COMPLIANT, None
    return Status.NOT_APPLICABLE, None


def evaluate(cp: CarPark, packs: Iterable[RulePack]) -> CarParkResult:
    """Judge one car park against every rule of ``packs``; see the module docstring for the lead."""
    verdicts = tuple(evaluate_rule(cp, rule) for pack in packs for rule in pack.rules)
    status, leading = _lead(verdicts)
    return CarParkResult(cp, verdicts, status, leading)


def evaluate_all(car_parks: Iterable[CarPark], packs: Sequence[RulePack]) -> Iterator[CarParkResult]:
    """Judge many car parks lazily, so a 100,000-row register streams to its report."""
    for cp in car_parks:
        yield evaluate(cp, packs)
