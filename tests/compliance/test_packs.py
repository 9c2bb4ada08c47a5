"""Rule packs load, quote their sources faithfully, and fail loudly (file and key) when malformed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from compliance.errors import RulePackError, UnknownRuleError
from compliance.packs import PACKS_DIR, find_rule, get_pack, load_pack_file, resolve_packs, shipped_packs

EXPECTED = {
    "xiangjiang-2023": ["XJ-PUBLIC-30", "XJ-RESIDENTIAL-100", "XJ-TRUNK-FAST"],
    "hunan-2021": [
        "HN21-RESIDENTIAL-100",
        "HN21-TRUNK-FAST-60KW",
        "HN21-EXPRESSWAY-30",
        "HN21-PUBLIC-BUILT-30",
    ],
    "hunan-2023": ["HN23-URBAN-GROUND-20", "HN23-INSTITUTION-SOE-30"],
    "changsha-2023": ["CS23-PUBLIC-30"],
    "national-2015": ["NAT15-RESIDENTIAL-100", "NAT15-PUBLIC-10"],
    "gbt51313-2018": ["GBT51313-6.1.6"],
    "uk-ads-2021": [
        "UK-44B-CHARGE-POINTS",
        "UK-44B-CABLE-ROUTES",
        "UK-44C-CHARGE-POINT",
        "UK-44C-CABLE-ROUTES",
    ],
}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sources_text() -> str:
    # SOURCES.md wraps long quotes over "> " lines; compare with markers and all whitespace removed.
    text = (PACKS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    return _squeeze("".join(re.sub(r"^[>\-] ?", "", line) for line in text.splitlines()))


def test_every_shipped_pack_loads_with_its_rules():
    assert {pid: [r.id for r in p.rules] for pid, p in shipped_packs().items()} == EXPECTED


def test_every_quote_stands_as_in_the_sources():
    sources = _sources_text()
    for pack in shipped_packs().values():
        for rule in pack.rules:
            assert _squeeze(rule.quote) in sources, rule.id


def test_unverified_items_are_marked_and_cited():
    cs = get_pack("changsha-2023").rule("CS23-PUBLIC-30")
    assert "document_number" in cs.unverified
    assert cs.citation.endswith("[U]")
    assert "quote" in get_pack("gbt51313-2018").rule("GBT51313-6.1.6").unverified
    assert "quote" in get_pack("hunan-2021").rule("HN21-PUBLIC-BUILT-30").unverified
    assert get_pack("xiangjiang-2023").rule("XJ-PUBLIC-30").unverified == ()
    assert (
        get_pack("xiangjiang-2023").rule("XJ-PUBLIC-30").citation
        == "湖南湘江新区碳达峰碳中和工作领导小组〔2023〕1号 三(五)3"
    )


def test_find_rule_and_unknown_ids():
    assert find_rule("NAT15-PUBLIC-10").pack_id == "national-2015"
    with pytest.raises(UnknownRuleError, match="unknown rule pack 'nope'"):
        get_pack("nope")
    with pytest.raises(UnknownRuleError, match="unknown rule 'NOPE-1'"):
        find_rule("NOPE-1")
    assert [p.id for p in resolve_packs("xiangjiang-2023, national-2015")] == [
        "xiangjiang-2023",
        "national-2015",
    ]


def _write_broken(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((PACKS_DIR / "xiangjiang-2023.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "xiangjiang-2023.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "key", "problem"),
    [
        (
            lambda d: d["rules"][0]["requirement"].update(ratio="thirty"),
            "rules[0].requirement.ratio",
            "number",
        ),
        (lambda d: d["rules"][0]["requirement"].update(ratio=1.5), "rules[0].requirement.ratio", "(0, 1]"),
        (
            lambda d: d["rules"][1]["requirement"].update(rounding="up"),
            "rules[1].requirement.rounding",
            "ceil",
        ),
        (
            lambda d: d["rules"][1]["applies_to"].update(categories=["housing"]),
            "rules[1].applies_to.categories[0]",
            "unknown category 'housing'",
        ),
        (lambda d: d["rules"][2].pop("quote"), "rules[2].quote", "missing"),
        (lambda d: d["rules"][2].update(effective="6 Sept 2023"), "rules[2].effective", "ISO date"),
        (
            lambda d: d["rules"][2]["requirement"].update(field="piles"),
            "rules[2].requirement.field",
            "unknown field",
        ),
        (lambda d: d["rules"][1].update(id="XJ-PUBLIC-30"), "rules[1].id", "duplicate"),
        (lambda d: d.update(schema="v0"), "schema", "compliance-rule-pack/1"),
        (
            lambda d: d["rules"][0]["applies_to"].update(flags={"is_public": "yes"}),
            "rules[0].applies_to.flags.is_public",
            "true or false",
        ),
    ],
)
def test_malformed_pack_names_file_and_key(tmp_path, mutate, key, problem):
    path = _write_broken(tmp_path, mutate)
    with pytest.raises(RulePackError) as info:
        load_pack_file(path)
    assert info.value.source == str(path)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value) and key in str(info.value)


def test_unparseable_file_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(RulePackError, match="broken.yaml: key '\\(file\\)'"):
        load_pack_file(path)


def test_pack_id_must_match_file_name(tmp_path):
    data = yaml.safe_load((PACKS_DIR / "national-2015.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulePackError, match="key 'id'"):
        load_pack_file(path)
