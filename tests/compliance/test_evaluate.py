"""Every pack against hand-computed cases, rounding boundaries included."""

from __future__ import annotations

import pytest
from cp_builders import make_car_park

from compliance.evaluate import Status, evaluate, evaluate_rule
from compliance.explain import explain, formula, provided_text, summary
from compliance.packs import get_pack, shipped_packs


def _rule(rule_id: str):
    for pack in shipped_packs().values():
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    raise AssertionError(rule_id)


def _verdict(rule_id: str, **fields):
    v = evaluate_rule(make_car_park(**fields), _rule(rule_id))
    return v.status.value, v.required, v.provided, v.shortfall


# ceil(0.3 x n): 0 -> 0, 1 -> 1, 3 -> 1, 4 -> 2, 10 -> 3, 11 -> 4, 20 -> 6, 21 -> 7, 100 -> 30, 101 -> 31
@pytest.mark.parametrize(
    ("total", "required"),
    [(0, 0), (1, 1), (3, 1), (4, 2), (10, 3), (11, 4), (20, 6), (21, 7), (100, 30), (101, 31)],
)
def test_xj_public_30_rounds_up_exactly(total, required):
    status, req, provided, shortfall = _verdict(
        "XJ-PUBLIC-30",
        category="cultural_tourism",
        total_spaces=total,
        spaces_with_chargers=0,
        spaces_reserved=0,
    )
    assert req == required
    assert (status, provided, shortfall) == (("compliant" if required == 0 else "non_compliant"), 0, required)


def test_xj_public_30_counts_built_plus_reserved():
    assert _verdict(
        "XJ-PUBLIC-30", is_public=True, total_spaces=10, spaces_with_chargers=1, spaces_reserved=2
    ) == ("compliant", 3, 3, 0)
    assert _verdict(
        "XJ-PUBLIC-30", is_public=True, total_spaces=11, spaces_with_chargers=1, spaces_reserved=2
    ) == ("non_compliant", 4, 3, 1)


def test_xj_public_30_applicability():
    # Listed categories apply whatever is_public says; other categories only when open to the public.
    assert _verdict("XJ-PUBLIC-30", category="expressway_service_area", is_public=False, total_spaces=10)[
        0
    ] == ("non_compliant")
    assert _verdict("XJ-PUBLIC-30", category="commercial", is_public=False)[0] == "not_applicable"
    assert _verdict("XJ-PUBLIC-30", category="commercial", is_public=None)[0] == "insufficient_data"
    v = evaluate_rule(make_car_park(category="commercial", is_public=None), _rule("XJ-PUBLIC-30"))
    assert v.missing == ("is_public",)


def test_xj_residential_100_counts_dedicated_spaces():
    assert _verdict(
        "XJ-RESIDENTIAL-100",
        category="residential",
        is_new=True,
        total_spaces=120,
        dedicated_spaces=80,
        spaces_with_chargers=10,
        spaces_reserved=70,
    ) == ("compliant", 80, 80, 0)
    assert _verdict(
        "XJ-RESIDENTIAL-100",
        category="residential",
        is_new=True,
        dedicated_spaces=80,
        spaces_with_chargers=10,
        spaces_reserved=60,
    ) == ("non_compliant", 80, 70, 10)
    assert _verdict("XJ-RESIDENTIAL-100", category="residential", is_new=False)[0] == "not_applicable"
    assert _verdict("XJ-RESIDENTIAL-100", category="residential", is_new=True, dedicated_spaces=0) == (
        "compliant",
        0,
        0,
        0,
    )
    assert _verdict("XJ-RESIDENTIAL-100", category="residential", is_new=True, dedicated_spaces=None)[0] == (
        "insufficient_data"
    )


def test_unknown_count_is_insufficient_only_when_it_could_matter():
    # Built spaces alone meet the 30%: the unknown reserved count cannot change the verdict.
    assert _verdict(
        "XJ-PUBLIC-30", is_public=True, total_spaces=10, spaces_with_chargers=3, spaces_reserved=None
    ) == ("compliant", 3, 3, 0)
    v = evaluate_rule(
        make_car_park(is_public=True, total_spaces=10, spaces_with_chargers=2, spaces_reserved=None),
        _rule("XJ-PUBLIC-30"),
    )
    assert (v.status, v.required, v.provided, v.missing) == (
        Status.INSUFFICIENT_DATA,
        3,
        2,
        ("spaces_reserved",),
    )


def test_xj_trunk_fast_needs_one_dc_60kw():
    assert _verdict("XJ-TRUNK-FAST", on_trunk_road=True, dc_fast_chargers_60kw=0) == (
        "non_compliant",
        1,
        0,
        1,
    )
    assert _verdict("XJ-TRUNK-FAST", on_trunk_road=True, dc_fast_chargers_60kw=2) == ("compliant", 1, 2, 0)
    assert _verdict(
        "XJ-TRUNK-FAST", category="expressway_service_area", on_trunk_road=None, dc_fast_chargers_60kw=1
    ) == ("compliant", 1, 1, 0)
    assert _verdict("XJ-TRUNK-FAST", on_trunk_road=True, dc_fast_chargers_60kw=None)[0] == "insufficient_data"
    assert _verdict("XJ-TRUNK-FAST", on_trunk_road=False)[0] == "not_applicable"


def test_hunan_2021():
    assert _verdict(
        "HN21-EXPRESSWAY-30",
        category="expressway_service_area",
        is_new=True,
        total_spaces=11,
        spaces_with_chargers=2,
        spaces_reserved=2,
    ) == ("compliant", 4, 4, 0)
    assert (
        _verdict("HN21-EXPRESSWAY-30", category="expressway_service_area", is_new=False)[0]
        == "not_applicable"
    )
    # 建设 only: reserved spaces do not count.
    assert _verdict(
        "HN21-PUBLIC-BUILT-30",
        category="social_public",
        is_new=True,
        total_spaces=10,
        spaces_with_chargers=2,
        spaces_reserved=5,
    ) == ("non_compliant", 3, 2, 1)
    assert _verdict(
        "HN21-RESIDENTIAL-100", category="residential", is_new=True, dedicated_spaces=7, spaces_reserved=7
    ) == ("compliant", 7, 7, 0)
    assert _verdict("HN21-TRUNK-FAST-60KW", on_trunk_road=True, dc_fast_chargers_60kw=0) == (
        "non_compliant",
        1,
        0,
        1,
    )


@pytest.mark.parametrize(("total", "required"), [(0, 0), (4, 1), (5, 1), (6, 2), (10, 2), (11, 3)])
def test_hunan_2023_urban_ground_20(total, required):
    assert _verdict(
        "HN23-URBAN-GROUND-20",
        category="urban_ground_public",
        total_spaces=total,
        spaces_with_chargers=1,
        spaces_reserved=3,
    )[1:3] == (required, 1)


def test_hunan_2023_institution_and_soe_30_built_only():
    assert _verdict(
        "HN23-INSTITUTION-SOE-30",
        category="soe_internal",
        total_spaces=10,
        spaces_with_chargers=3,
        spaces_reserved=0,
    ) == ("compliant", 3, 3, 0)
    assert _verdict(
        "HN23-INSTITUTION-SOE-30",
        category="public_institution",
        total_spaces=11,
        spaces_with_chargers=3,
        spaces_reserved=9,
    ) == ("non_compliant", 4, 3, 1)


def test_changsha_2023_new_public_30():
    assert _verdict(
        "CS23-PUBLIC-30", category="public_building", is_new=True, total_spaces=200, spaces_with_chargers=59
    ) == ("non_compliant", 60, 59, 1)
    assert _verdict("CS23-PUBLIC-30", category="public_building", is_new=False)[0] == "not_applicable"


@pytest.mark.parametrize(
    ("total", "required"), [(0, 0), (1, 1), (10, 1), (11, 2), (99, 10), (100, 10), (101, 11)]
)
def test_national_2015_public_10(total, required):
    assert _verdict("NAT15-PUBLIC-10", category="social_public", total_spaces=total)[1] == required


def test_national_2015_residential_100():
    assert _verdict(
        "NAT15-RESIDENTIAL-100",
        category="residential",
        is_new=True,
        dedicated_spaces=50,
        spaces_with_chargers=0,
        spaces_reserved=49,
    ) == ("non_compliant", 50, 49, 1)


def test_gbt51313_fire_safety_underground():
    rule = "GBT51313-6.1.6"
    base = {"underground_levels": 2, "spaces_with_chargers": 5}
    ok = {"fire_alarm": True, "smoke_extraction": True, "sprinklers": True, "emergency_lighting": True}
    assert _verdict(rule, **base, **ok) == ("compliant", 4, 4, 0)
    assert _verdict(rule, **base, **{**ok, "sprinklers": False}) == ("non_compliant", 4, 3, 1)
    assert _verdict(rule, **base, **{**ok, "sprinklers": None})[0] == "insufficient_data"
    assert _verdict(rule, underground_levels=0, spaces_with_chargers=5)[0] == "not_applicable"
    assert _verdict(rule, underground_levels=1, spaces_with_chargers=0)[0] == "not_applicable"


def test_uk_approved_document_s():
    # 12 associated spaces, 8 dwellings: 8 charge points, and every space has a charge point or a cable route.
    home = {"category": "residential", "is_new": True, "dedicated_spaces": 12, "dwellings": 8}
    assert _verdict("UK-44B-CHARGE-POINTS", **home, spaces_with_chargers=8) == ("compliant", 8, 8, 0)
    assert _verdict("UK-44B-CABLE-ROUTES", **home, spaces_with_chargers=8, spaces_reserved=3) == (
        "non_compliant",
        12,
        11,
        1,
    )
    assert _verdict("UK-44B-CABLE-ROUTES", **{**home, "dedicated_spaces": 10})[0] == "not_applicable"
    assert _verdict("UK-44B-CHARGE-POINTS", **{**home, "dwellings": None})[0] == "insufficient_data"
    office = {"category": "commercial", "is_new": True}
    assert _verdict(
        "UK-44C-CABLE-ROUTES", **office, total_spaces=11, spaces_with_chargers=1, spaces_reserved=1
    ) == ("non_compliant", 3, 2, 1)
    assert _verdict("UK-44C-CHARGE-POINT", **office, total_spaces=11, spaces_with_chargers=0) == (
        "non_compliant",
        1,
        0,
        1,
    )
    assert _verdict("UK-44C-CHARGE-POINT", **office, total_spaces=10)[0] == "not_applicable"


def test_reserved_without_evidence_counts_but_is_unverified():
    rule = _rule("XJ-PUBLIC-30")
    bare = make_car_park(is_public=True, total_spaces=10, spaces_with_chargers=1, spaces_reserved=2)
    v = evaluate_rule(bare, rule)
    assert (v.status, v.provided, v.reserved_unverified) == (Status.COMPLIANT, 3, 2)
    proven = make_car_park(
        is_public=True,
        total_spaces=10,
        spaces_with_chargers=1,
        spaces_reserved=2,
        conduit_to_each_space=True,
        reserved_capacity_kva=80.0,
        meter_box_position="B1 配电间",
        civil_works_done=True,
    )
    assert evaluate_rule(proven, rule).reserved_unverified == 0
    # A built-only rule never credits reserved spaces, so nothing is unverified there.
    built_only = evaluate_rule(
        make_car_park(category="soe_internal", spaces_reserved=5), _rule("HN23-INSTITUTION-SOE-30")
    )
    assert built_only.reserved_unverified == 0


def test_strictest_failing_rule_leads():
    # Social public, new, 100 spaces, 12 built, 0 reserved:
    #   NAT15-PUBLIC-10 needs 10 (ok), XJ-PUBLIC-30 needs 30 (short 18), CS23-PUBLIC-30 needs 30 (short 18).
    cp = make_car_park(
        category="social_public", is_public=True, is_new=True, total_spaces=100, spaces_with_chargers=12
    )
    packs = [get_pack("national-2015"), get_pack("changsha-2023"), get_pack("xiangjiang-2023")]
    result = evaluate(cp, packs)
    by_rule = {v.rule_id: (v.status.value, v.required, v.shortfall) for v in result.verdicts}
    assert by_rule["NAT15-PUBLIC-10"] == ("compliant", 10, 0)
    assert by_rule["CS23-PUBLIC-30"] == ("non_compliant", 30, 18)
    assert by_rule["XJ-PUBLIC-30"] == ("non_compliant", 30, 18)
    assert result.status is Status.NON_COMPLIANT
    assert result.leading.rule_id == "CS23-PUBLIC-30"  # tie on shortfall and required: pack order
    # With 25 reserved spaces XJ (built + reserved) passes, CS (built only) still fails and leads.
    result = evaluate(
        make_car_park(
            category="social_public",
            is_public=True,
            is_new=True,
            total_spaces=100,
            spaces_with_chargers=12,
            spaces_reserved=25,
        ),
        packs,
    )
    assert result.leading.rule_id == "CS23-PUBLIC-30"
    assert [(v.rule_id, v.status.value) for v in result.verdicts] == [
        ("NAT15-RESIDENTIAL-100", "not_applicable"),
        ("NAT15-PUBLIC-10", "compliant"),
        ("CS23-PUBLIC-30", "non_compliant"),
        ("XJ-PUBLIC-30", "compliant"),
        ("XJ-RESIDENTIAL-100", "not_applicable"),
        ("XJ-TRUNK-FAST", "not_applicable"),
    ]


def test_overall_status_without_failures():
    packs = [get_pack("xiangjiang-2023")]
    none_apply = evaluate(make_car_park(category="fleet_depot"), packs)
    assert (none_apply.status, none_apply.leading) == (Status.NOT_APPLICABLE, None)
    unknown = evaluate(make_car_park(category="fleet_depot", on_trunk_road=None), packs)
    assert unknown.status is Status.INSUFFICIENT_DATA and unknown.leading.rule_id == "XJ-TRUNK-FAST"
    ok = evaluate(make_car_park(category="cultural_tourism", total_spaces=10, spaces_with_chargers=3), packs)
    assert (ok.status, ok.leading) == (Status.COMPLIANT, None)


def test_explanations_in_both_languages():
    cp = make_car_park(
        id="P-7",
        name="梅溪湖公园停车场",
        category="cultural_tourism",
        total_spaces=11,
        spaces_with_chargers=1,
        spaces_reserved=2,
    )
    v = evaluate_rule(cp, _rule("XJ-PUBLIC-30"))
    assert formula(v, "zh") == "向上取整(30% × 总车位数 11) = 4"
    assert provided_text(v, "en") == "spaces with chargers 1 + reserved spaces 2 = 3"
    zh = explain(v, "zh")
    assert "应为 4" in zh and "现有 3" in zh and "缺 1" in zh and "2 个预留车位缺少佐证" in zh
    en = explain(v, "en")
    assert "Required 4" in en and "short by 1" in en and "2 reserved spaces lack evidence" in en
    assert summary(evaluate(cp, [get_pack("xiangjiang-2023")]), "zh").startswith(
        "P-7 梅溪湖公园停车场:不符合。"
    )
    na = evaluate_rule(make_car_park(category="fleet_depot"), _rule("XJ-RESIDENTIAL-100"))
    assert explain(na, "zh").endswith(
        "不适用:本条仅适用于类别属于 住宅小区 且 新建(规划审批日期在 2023-09-06 及以后)的停车场,"
        "本停车场不在此列。"
    )
