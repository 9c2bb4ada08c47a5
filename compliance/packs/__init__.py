"""Rule-pack loader: data files (YAML or JSON) -> :class:`compliance.rules.RulePack`.

The shipped packs live next to this module as ``<pack-id>.yaml``. A malformed pack fails at load with
a :class:`compliance.errors.RulePackError` naming the file and the dotted key, so a typo in a ratio
or a category is caught before any car park is judged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from compliance.categories import Category
from compliance.errors import RulePackError, UnknownRuleError
from compliance.rules import (
    ALL_TRUE,
    COUNT_FIELDS,
    FLAG_FIELDS,
    MINIMUM,
    RATIO,
    REQUIREMENT_KINDS,
    ROUNDINGS,
    Citation,
    Condition,
    Requirement,
    Rule,
    RulePack,
)

PACKS_DIR = Path(__file__).parent
SCHEMA = "compliance-rule-pack/1"
_RULE_TEXT_KEYS = ("jurisdiction", "document_number", "document_title")


class _Reader:
    """Typed accessors that name the file and the key on any mistake."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> RulePackError:
        return RulePackError(self.source, key, problem)

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        return value

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{path}{key}", "missing")
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(f"{path}{key}", "expected non-empty text")
        return str(value).strip()

    def choice(
        self, data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str
    ) -> str:
        value = data.get(key, default)
        if value not in allowed:
            raise self.fail(f"{path}{key}", f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date:
        value = data.get(key)
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(f"{path}{key}", f"expected an ISO date YYYY-MM-DD, got {value!r}") from None

    def field_name(self, value: Any, key: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(key, f"unknown field {value!r}; expected one of {', '.join(allowed)}")
        return str(value)

    def categories(self, value: Any, key: str) -> frozenset[Category]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a non-empty list of categories")
        out = set()
        for i, name in enumerate(value):
            try:
                out.add(Category(name))
            except ValueError:
                known = ", ".join(c.value for c in Category)
                raise self.fail(
                    f"{key}[{i}]", f"unknown category {name!r}; expected one of {known}"
                ) from None
        return frozenset(out)

    def unverified(self, data: Mapping[str, Any], path: str) -> tuple[str, ...]:
        value = data.get("unverified", [])
        if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
            raise self.fail(f"{path}unverified", "expected a list of key names")
        return tuple(value)

    def citations(self, value: Any, key: str) -> tuple[Citation, ...]:
        """``also_cites``: further clauses, each with document_number, document_title, clause and quote."""
        if not isinstance(value, list):
            raise self.fail(key, "expected a list of citations")
        out = []
        for i, raw in enumerate(value):
            path = f"{key}[{i}]."
            item = self.mapping(raw, f"{key}[{i}]")
            out.append(
                Citation(
                    document_number=self.text(item, "document_number", path),
                    document_title=self.text(item, "document_title", path),
                    clause=self.text(item, "clause", path),
                    quote=self.text(item, "quote", path),
                    quote_lang=self.choice(item, "quote_lang", path, ("zh", "en"), "zh"),
                    unverified=self.unverified(item, path),
                )
            )
        return tuple(out)

    def condition(self, value: Any, key: str) -> Condition:
        data = self.mapping(value, key)
        allowed = {"categories", "not_categories", "flags", "at_least", "any_of"}
        for name in data:
            if name not in allowed:
                raise self.fail(f"{key}.{name}", f"unknown key; expected one of {', '.join(sorted(allowed))}")
        flags = []
        for name, flag in self.mapping(data.get("flags", {}), f"{key}.flags").items():
            self.field_name(name, f"{key}.flags.{name}", FLAG_FIELDS)
            if not isinstance(flag, bool):
                raise self.fail(f"{key}.flags.{name}", f"expected true or false, got {flag!r}")
            flags.append((name, flag))
        at_least = []
        for name, minimum in self.mapping(data.get("at_least", {}), f"{key}.at_least").items():
            self.field_name(name, f"{key}.at_least.{name}", COUNT_FIELDS)
            if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
                raise self.fail(f"{key}.at_least.{name}", f"expected a whole number >= 0, got {minimum!r}")
            at_least.append((name, minimum))
        any_of_raw = data.get("any_of", [])
        if not isinstance(any_of_raw, list):
            raise self.fail(f"{key}.any_of", "expected a list of conditions")
        return Condition(
            categories=self.categories(data["categories"], f"{key}.categories")
            if "categories" in data
            else None,
            not_categories=(
                self.categories(data["not_categories"], f"{key}.not_categories")
                if "not_categories" in data
                else frozenset()
            ),
            flags=tuple(flags),
            at_least=tuple(at_least),
            any_of=tuple(self.condition(c, f"{key}.any_of[{i}]") for i, c in enumerate(any_of_raw)),
        )

    def requirement(self, value: Any, key: str) -> Requirement:
        data = self.mapping(value, key)
        kind = data.get("kind")
        if kind not in REQUIREMENT_KINDS:
            raise self.fail(f"{key}.kind", f"expected one of {', '.join(REQUIREMENT_KINDS)}, got {kind!r}")
        if kind == RATIO:
            try:
                # str() first so that 0.3 in YAML means exactly 3/10, not the nearest binary float.
                ratio = Fraction(str(data.get("ratio")))
            except (ValueError, ZeroDivisionError):
                raise self.fail(f"{key}.ratio", f"expected a number, got {data.get('ratio')!r}") from None
            if not 0 < ratio <= 1:
                raise self.fail(f"{key}.ratio", f"expected a ratio in (0, 1], got {data.get('ratio')!r}")
            counts = data.get("counts")
            if not isinstance(counts, list) or not counts:
                raise self.fail(f"{key}.counts", "expected a non-empty list of count fields")
            rounding = data.get("rounding")
            if rounding not in ROUNDINGS:
                raise self.fail(
                    f"{key}.rounding", f"expected one of {', '.join(ROUNDINGS)}, got {rounding!r}"
                )
            cap = data.get("base_cap")
            return Requirement(
                kind=RATIO,
                ratio=ratio,
                base=self.field_name(data.get("base"), f"{key}.base", COUNT_FIELDS),
                base_cap=None if cap is None else self.field_name(cap, f"{key}.base_cap", COUNT_FIELDS),
                counts=tuple(
                    self.field_name(c, f"{key}.counts[{i}]", COUNT_FIELDS) for i, c in enumerate(counts)
                ),
                rounding=rounding,
            )
        if kind == MINIMUM:
            minimum = data.get("minimum")
            if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
                raise self.fail(f"{key}.minimum", f"expected a whole number >= 1, got {minimum!r}")
            return Requirement(
                kind=MINIMUM,
                field=self.field_name(data.get("field"), f"{key}.field", COUNT_FIELDS),
                minimum=minimum,
            )
        fields = data.get("fields")
        if not isinstance(fields, list) or not fields:
            raise self.fail(f"{key}.fields", "expected a non-empty list of yes/no fields")
        return Requirement(
            kind=ALL_TRUE,
            fields=tuple(self.field_name(f, f"{key}.fields[{i}]", FLAG_FIELDS) for i, f in enumerate(fields)),
        )


def parse_pack(data: Any, source: str) -> RulePack:
    """Build a :class:`RulePack` from parsed YAML/JSON; ``source`` names the file in errors."""
    r = _Reader(source)
    top = r.mapping(data, "(top level)")
    if top.get("schema") != SCHEMA:
        raise r.fail("schema", f"expected {SCHEMA!r}, got {top.get('schema')!r}")
    pack_id = r.text(top, "id", "")
    defaults = {k: r.text(top, k, "") for k in _RULE_TEXT_KEYS}
    raw_rules = top.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise r.fail("rules", "expected a non-empty list of rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        path = f"rules[{i}]."
        item = r.mapping(raw, f"rules[{i}]")
        rule_id = r.text(item, "id", path)
        if rule_id in seen:
            raise r.fail(f"{path}id", f"duplicate rule id {rule_id!r}")
        seen.add(rule_id)
        unverified = r.unverified(item, path)
        if "applies_to" not in item:
            raise r.fail(f"{path}applies_to", "missing")
        rules.append(
            Rule(
                id=rule_id,
                pack_id=pack_id,
                jurisdiction=r.text(item, "jurisdiction", path, defaults["jurisdiction"]),
                document_number=r.text(item, "document_number", path, defaults["document_number"]),
                document_title=r.text(item, "document_title", path, defaults["document_title"]),
                clause=r.text(item, "clause", path),
                quote=r.text(item, "quote", path),
                quote_lang=r.choice(item, "quote_lang", path, ("zh", "en"), "zh"),
                summary_en=r.text(item, "summary_en", path),
                summary_zh=r.text(item, "summary_zh", path),
                effective=r.day(item, "effective", path),
                applies_to=r.condition(item["applies_to"], f"{path}applies_to"),
                requirement=r.requirement(item.get("requirement"), f"{path}requirement"),
                unverified=unverified,
                notes=str(item.get("notes", "")).strip(),
                also_cites=r.citations(item.get("also_cites", []), f"{path}also_cites"),
                interpretation_zh=str(item.get("interpretation_zh", "")).strip(),
                interpretation_en=str(item.get("interpretation_en", "")).strip(),
            )
        )
    return RulePack(
        id=pack_id,
        version=r.text(top, "version", ""),
        title_zh=r.text(top, "title_zh", ""),
        title_en=r.text(top, "title_en", ""),
        jurisdiction=defaults["jurisdiction"],
        source=r.text(top, "source", ""),
        rules=tuple(rules),
    )


def load_pack_file(path: Path) -> RulePack:
    """Load one pack file (``.yaml``, ``.yml`` or ``.json``); errors name the file and key."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RulePackError(str(path), "(file)", f"cannot be read: {exc}") from exc
    pack = parse_pack(data, str(path))
    if pack.id != path.stem:
        raise RulePackError(str(path), "id", f"pack id {pack.id!r} must match the file name {path.stem!r}")
    return pack


@cache
def shipped_packs() -> dict[str, RulePack]:
    """Every pack shipped under ``compliance/packs``, by id (loaded once)."""
    files = sorted(p for p in PACKS_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    return {pack.id: pack for pack in map(load_pack_file, files)}


def get_pack(pack_id: str) -> RulePack:
    """A shipped pack by id; :class:`UnknownRuleError` lists the known ids."""
    packs = shipped_packs()
    if pack_id not in packs:
        raise UnknownRuleError(f"unknown rule pack {pack_id!r}; known: {', '.join(sorted(packs))}")
    return packs[pack_id]


def find_rule(rule_id: str) -> Rule:
    """A rule of any shipped pack by its id (for ``compliance rules show``)."""
    for pack in shipped_packs().values():
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    raise UnknownRuleError(f"unknown rule {rule_id!r}")


def resolve_packs(spec: str) -> list[RulePack]:
    """Packs from a comma-separated list of ids or paths to pack files."""
    packs = []
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        path = Path(item)
        packs.append(load_pack_file(path) if path.suffix in (".yaml", ".yml", ".json") else get_pack(item))
    return packs
