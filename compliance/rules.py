"""Rule-pack schema: typed, immutable values built by :mod:`compliance.packs` from data files.

A rule says *to what* it applies (a :class:`Condition`) and *what* it requires (a :class:`Requirement`).
The vocabulary is deliberately small so that a Chinese provincial notice and the UK Approved Document S
fit the same schema:

- ``ratio``: ``required = rounding(ratio x base)`` spaces, ``provided = sum(counts)``; the ratio is kept
  as an exact fraction, so ``ceil(0.3 x 10)`` is 3, never 4 through floating-point error.
- ``minimum``: ``required = minimum``, ``provided = field`` (for example DC fast chargers of >= 60 kW).
- ``all_true``: every listed precondition must hold (for example fire safety underground).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache

from compliance.errors import UnknownRuleError
from compliance.labels import label
from compliance.model import Category

RATIO = "ratio"
MINIMUM = "minimum"
ALL_TRUE = "all_true"
REQUIREMENT_KINDS = (RATIO, MINIMUM, ALL_TRUE)
ROUNDINGS = ("ceil", "floor", "half_up")

#: Record fields a rule may read as a count (base, counts, minimum, at_least).
COUNT_FIELDS = (
    "total_spaces",
    "dedicated_spaces",
    "dwellings",
    "spaces_with_chargers",
    "spaces_reserved",
    "dc_fast_chargers_60kw",
    "underground_levels",
)
#: Record fields a rule may read as a yes/no.
FLAG_FIELDS = (
    "is_public",
    "is_new",
    "on_trunk_road",
    "conduit_to_each_space",
    "civil_works_done",
    "fire_alarm",
    "smoke_extraction",
    "sprinklers",
    "emergency_lighting",
)


@dataclass(frozen=True, slots=True)
class Condition:
    """Applicability: every set clause must hold (AND); ``any_of`` holds when one sub-condition does.

    ``flags`` maps a yes/no field to its required value; ``at_least`` maps a count field to its
    minimum. Unknown record values make the condition unknown (three-valued logic), never false.
    """

    categories: frozenset[Category] | None = None
    not_categories: frozenset[Category] = frozenset()
    flags: tuple[tuple[str, bool], ...] = ()
    at_least: tuple[tuple[str, int], ...] = ()
    any_of: tuple[Condition, ...] = ()

    def describe(self, lang: str = "en") -> str:
        """A short human description, for ``compliance rules show`` and not-applicable explanations."""
        return _describe(self, lang)


@cache
def _describe(condition: Condition, lang: str) -> str:
    # Cached: a 100,000-row report explains the same few conditions over and over.
    zh = lang == "zh"
    parts: list[str] = []
    if condition.categories is not None:
        names = sorted(c.label_zh if zh else c.value for c in condition.categories)
        parts.append("类别属于 " + "、".join(names) if zh else "category in " + ", ".join(names))
    if condition.not_categories:
        names = sorted(c.label_zh if zh else c.value for c in condition.not_categories)
        parts.append("类别不属于 " + "、".join(names) if zh else "category not in " + ", ".join(names))
    for name, value in condition.flags:
        shown = ("是" if value else "否") if zh else str(value).lower()
        parts.append(f"{label(name, lang)} = {shown}")
    for name, minimum in condition.at_least:
        parts.append(f"{label(name, lang)} >= {minimum}")
    if condition.any_of:
        inner = [f"({c.describe(lang)})" for c in condition.any_of]
        parts.append((" 或 " if zh else " or ").join(inner))
    return (" 且 " if zh else " and ").join(parts) if parts else ("全部" if zh else "all car parks")


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a rule demands; see the module docstring for the three kinds."""

    kind: str
    ratio: Fraction = Fraction(0)
    base: str = ""
    base_cap: str | None = None
    counts: tuple[str, ...] = ()
    rounding: str = "ceil"
    field: str = ""
    minimum: int = 0
    fields: tuple[str, ...] = ()

    def required_count(self, base: int) -> int:
        """Required spaces for ``base`` spaces, exact integer arithmetic.

        Examples
        --------
        >>> r = Requirement(kind="ratio", ratio=Fraction(3, 10), base="total_spaces")
        >>> [r.required_count(n) for n in (0, 1, 10, 11)]
        [0, 1, 3, 4]
        >>> Requirement(kind="ratio", ratio=Fraction(1, 5), rounding="half_up").required_count(12)
        2
        """
        num, den = self.ratio.numerator * base, self.ratio.denominator
        if self.rounding == "ceil":
            return -(-num // den)
        if self.rounding == "floor":
            return num // den
        return (2 * num + den) // (2 * den)  # half_up

    def ratio_text(self) -> str:
        """The ratio as a percentage, e.g. ``30%`` or ``33.33%``."""
        return _percent(self.ratio)


@cache
def _percent(ratio: Fraction) -> str:
    percent = ratio * 100
    return f"{int(percent)}%" if percent.denominator == 1 else f"{float(percent):.2f}%"


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """One clause of one document, encoded; ``unverified`` lists keys not checked against the document.

    Compared and hashed by identity: a loaded rule is a singleton of its pack, and explanations are cached
    per rule.
    """

    id: str
    pack_id: str
    jurisdiction: str
    document_number: str
    document_title: str
    clause: str
    quote: str
    quote_lang: str
    summary_en: str
    summary_zh: str
    effective: date
    applies_to: Condition
    requirement: Requirement
    unverified: tuple[str, ...] = ()
    notes: str = ""
    #: ``document number, clause`` with a ``[U]`` mark when any part is unverified (derived).
    citation: str = field(init=False, default="", compare=False)

    def __post_init__(self) -> None:
        mark = " [U]" if self.unverified else ""
        object.__setattr__(self, "citation", f"{self.document_number} {self.clause}{mark}".strip())


@dataclass(frozen=True, slots=True)
class RulePack:
    """A versioned set of rules from one document family, loaded from one data file."""

    id: str
    version: str
    title_zh: str
    title_en: str
    jurisdiction: str
    source: str
    rules: tuple[Rule, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UnknownRuleError(f"unknown rule {rule_id!r} in pack {self.id!r}")
