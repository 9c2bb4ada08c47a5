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

from compliance.categories import Category
from compliance.errors import UnknownRuleError
from compliance.labels import label

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
#: Yes/no fields whose blank means "no": the register must mark them (a public car park in its own right).
FLAGS_BLANK_MEANS_NO = frozenset({"public_car_park"})
#: Count fields a pile list can verify (:mod:`compliance.piles`); otherwise they are self-declared.
PILE_COUNTED_FIELDS = frozenset({"dc_fast_chargers_60kw"})
#: Record fields a rule may read as a yes/no.
FLAG_FIELDS = (
    "is_public",
    "public_car_park",
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

    def describe(self, lang: str = "en", effective: date | None = None) -> str:
        """A short human description, for ``compliance rules show`` and not-applicable explanations.

        With ``effective`` (the rule's effective date) ``is_new`` reads as "approved on or after" it.
        """
        return _describe(self, lang, effective)


def _flag_text(name: str, value: bool, lang: str, effective: date | None) -> str:
    zh = lang == "zh"
    if name == "is_new" and effective is not None:
        day = effective.isoformat()
        if zh:
            return f"新建(规划审批日期在 {day} 及以后)" if value else f"既有(规划审批日期在 {day} 以前)"
        return f"new (approved on or after {day})" if value else f"existing (approved before {day})"
    shown = ("是" if value else "否") if zh else str(value).lower()
    return f"{label(name, lang)} = {shown}"


@cache
def _describe(condition: Condition, lang: str, effective: date | None = None) -> str:
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
        parts.append(_flag_text(name, value, lang, effective))
    for name, minimum in condition.at_least:
        parts.append(f"{label(name, lang)} >= {minimum}")
    if condition.any_of:
        inner = [f"({c.describe(lang, effective)})" for c in condition.any_of]
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


@dataclass(frozen=True, slots=True)
class Citation:
    """One document clause a rule rests on, with its quoted text; ``unverified`` as in :class:`Rule`."""

    document_number: str
    document_title: str
    clause: str
    quote: str
    quote_lang: str = "zh"
    unverified: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """The document and its quoted words were checked against the document itself.

        Only a verified citation may stand in an official notice; an unverified effective date does
        not make the clause itself unverified.
        """
        return not {"quote", "document_number"} & set(self.unverified)

    @property
    def text(self) -> str:
        """``document number clause`` with a ``[U]`` mark when unverified (for inspectors, never notices)."""
        mark = " [U]" if self.unverified else ""
        return f"{self.document_number} {self.clause}{mark}".strip()


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
    #: Further clauses the rule rests on (e.g. the provincial text defining a figure the plan omits).
    also_cites: tuple[Citation, ...] = ()
    #: How the pack reads a clause whose scope the text leaves open (e.g. "等公共场所"), per language.
    interpretation_zh: str = ""
    interpretation_en: str = ""
    #: Every :class:`Citation`, the rule's own first (derived).
    citations: tuple[Citation, ...] = field(init=False, default=(), compare=False)
    #: ``document number clause`` of each citation, ``[U]`` marking the unverified ones (derived).
    citation: str = field(init=False, default="", compare=False)

    def __post_init__(self) -> None:
        own = Citation(
            self.document_number,
            self.document_title,
            self.clause,
            self.quote,
            self.quote_lang,
            self.unverified,
        )
        citations = (own, *self.also_cites)
        object.__setattr__(self, "citations", citations)
        object.__setattr__(self, "citation", "; ".join(c.text for c in citations))

    @property
    def official(self) -> bool:
        """The rule's own clause is verified, so a gap under it may be put in an official notice."""
        return self.citations[0].verified


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
