"""The rule packs' scopes, each test quoting the clause it rests on (as it stands in SOURCES.md).

Quotes are checked verbatim against the sources: only the line wrapping of SOURCES.md is undone (a wrap
inside Chinese text joins with nothing, inside English text with one space), nothing else is forgiven.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from cp_builders import make_car_park

from compliance.evaluate import Status, evaluate, evaluate_rule
from compliance.explain import explain
from compliance.packs import PACKS_DIR, get_pack, shipped_packs
from compliance.rules import Citation

SHARED = Path("/work/shared/RULES_SOURCES.md")


def _source_text(path: Path) -> str:
    """SOURCES.md with "> " and "- " markers removed and wrapped lines joined as the text was written."""
    lines = [re.sub(r"^\s*(?:> ?|- )?", "", line) for line in path.read_text(encoding="utf-8").splitlines()]
    text = ""
    for line in lines:
        if not line:
            text += "\n"
            continue
        cjk_join = text[-1:] and (ord(text[-1]) > 0x2E80 or ord(line[0]) > 0x2E80)
        text += ("" if cjk_join or text.endswith("\n") or not text else " ") + line
    return text


def _citations() -> list[tuple[str, Citation]]:
    return [(rule.id, c) for pack in shipped_packs().values() for rule in pack.rules for c in rule.citations]


@pytest.mark.parametrize("rule_id, citation", _citations(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_quote_is_verbatim(rule_id, citation):
    sources = [PACKS_DIR / "SOURCES.md", *([SHARED] if SHARED.exists() else [])]
    for path in sources:
        assert citation.quote in _source_text(path), (rule_id, path)


def test_a_quote_that_is_not_verbatim_is_caught():
    text = _source_text(PACKS_DIR / "SOURCES.md")
    assert "干线公路沿线要配建快速充电桩" in text
    assert "干线公路沿线要配建60千瓦快速充电桩" not in text  # an inserted figure is not the source's wording


XJ = get_pack("xiangjiang-2023")
HN21 = get_pack("hunan-2021")
NAT15 = get_pack("national-2015")


# "高速公路服务区、公共单位、文旅休闲景区等公共场所新建及既有停车场
#  按照不低于30%的车位比例建设充电设施或预留安装条件"
def test_public_30_states_its_reading_of_deng_gonggong_changsuo_in_both_languages():
    rule = XJ.rule("XJ-PUBLIC-30")
    assert "等公共场所" in rule.quote
    assert "「等公共场所」按列举未尽理解" in rule.interpretation_zh
    assert "住宅小区停车场即使对外开放,仍按新建住宅小区条款核查" in rule.interpretation_zh
    assert '"等公共场所" (and other public places) is read as a non-exhaustive list' in rule.interpretation_en
    assert "public car park (公共停车场) in its own right" in rule.interpretation_en


def test_residential_open_to_the_public_stays_under_the_residential_rule():
    compound = make_car_park(
        category="residential", is_public=True, is_new=True, total_spaces=100, dedicated_spaces=80
    )
    assert evaluate_rule(compound, XJ.rule("XJ-PUBLIC-30")).status is Status.NOT_APPLICABLE
    assert evaluate_rule(compound, XJ.rule("XJ-RESIDENTIAL-100")).status is Status.NON_COMPLIANT


def test_residential_car_park_registered_as_a_public_car_park_is_also_a_public_place():
    compound = make_car_park(
        category="residential",
        is_public=True,
        public_car_park=True,
        total_spaces=100,
        spaces_with_chargers=10,
    )
    v = evaluate_rule(compound, XJ.rule("XJ-PUBLIC-30"))
    assert (v.status, v.required, v.shortfall) == (Status.NON_COMPLIANT, 30, 20)


@pytest.mark.parametrize(
    "category, is_public, applies",
    [
        ("expressway_service_area", False, True),  # named: 高速公路服务区
        ("public_institution", False, True),  # named: 公共单位
        ("cultural_tourism", False, True),  # named: 文旅休闲景区
        ("social_public", False, True),  # a public car park by its nature
        ("commercial", True, True),  # 等公共场所: a non-residential car park open to the public
        ("commercial", False, False),
        ("fleet_depot", False, False),
    ],
)
def test_public_30_covers_named_and_like_public_places(category, is_public, applies):
    cp = make_car_park(category=category, is_public=is_public)
    status = evaluate_rule(cp, XJ.rule("XJ-PUBLIC-30")).status
    assert (status is not Status.NOT_APPLICABLE) is applies


# "新建及既有停车场": new and existing alike, so newness plays no part.
def test_public_30_covers_new_and_existing_alike():
    for approved in (date(2010, 1, 1), date(2025, 1, 1)):
        cp = make_car_park(category="social_public", approval_date=approved, is_new=None)
        assert evaluate_rule(cp, XJ.rule("XJ-PUBLIC-30")).status is Status.NON_COMPLIANT


# XJ: "干线公路沿线要配建快速充电桩";
# 湘政办发〔2021〕4号: "干线公路沿线要配建单桩功率不低于60千瓦的快速充电桩。"
def test_trunk_fast_cites_the_provincial_text_for_60_kw():
    rule = XJ.rule("XJ-TRUNK-FAST")
    own, provincial = rule.citations
    assert own.quote == "干线公路沿线要配建快速充电桩"
    assert provincial.document_number == "湘政办发〔2021〕4号"
    assert provincial.quote == "干线公路沿线要配建单桩功率不低于60千瓦的快速充电桩。"
    assert provincial.verified  # only its effective day is unverified
    assert "湘政办发〔2021〕4号" in rule.citation


def test_trunk_fast_pre_counted_column_is_self_declared():
    cp = make_car_park(on_trunk_road=True, dc_fast_chargers_60kw=2)
    v = evaluate_rule(cp, XJ.rule("XJ-TRUNK-FAST"))
    assert v.status is Status.COMPLIANT and v.self_declared
    assert "台账自报,未经充电桩清单核实" in explain(v, "zh")
    assert "self-declared, not verified by a pile list" in explain(v, "en")


# "新建住宅小区专属停车位按100%配建比例预留电动汽车充电桩安装条件" (XJ, 2023-09-06) and
# "新建住宅小区专属停车位,按100%配建比例预留电动汽车充电桩安装条件" (湘政办发〔2021〕4号, 2021).
def test_new_is_judged_per_rule_by_its_own_effective_date():
    compound = make_car_park(
        category="residential",
        is_new=True,  # what a single global cutoff would have said, or what the register says
        approval_date=date(2022, 6, 1),
        total_spaces=100,
        dedicated_spaces=92,
    )
    result = evaluate(compound, [XJ, HN21, NAT15])
    by_rule = {v.rule_id: v for v in result.verdicts}
    assert by_rule["XJ-RESIDENTIAL-100"].status is Status.NOT_APPLICABLE  # approved before 2023-09-06
    assert by_rule["HN21-RESIDENTIAL-100"].status is Status.NON_COMPLIANT  # in force since 2021
    assert by_rule["HN21-RESIDENTIAL-100"].shortfall == 92
    assert by_rule["NAT15-RESIDENTIAL-100"].status is Status.NON_COMPLIANT  # in force since 2015-10-09
    assert by_rule["XJ-RESIDENTIAL-100"].approved_before
    why = explain(by_rule["XJ-RESIDENTIAL-100"], "zh")
    assert "本停车场规划审批早于本文件施行日期 2023-09-06,不属本条所称新建;请按审批时施行的文件核查" in why
    assert "approved before this document took effect (2023-09-06)" in explain(
        by_rule["XJ-RESIDENTIAL-100"], "en"
    )
    # A car park outside the rule's scope for another reason is not told it was approved too early.
    depot = evaluate_rule(
        make_car_park(category="fleet_depot", approval_date=date(2022, 6, 1)), XJ.rule("XJ-RESIDENTIAL-100")
    )
    assert not depot.approved_before and "本停车场不在此列" in explain(depot, "zh")


def test_without_an_approval_date_the_registers_new_flag_stands():
    compound = make_car_park(category="residential", is_new=True, dedicated_spaces=10)
    assert evaluate_rule(compound, XJ.rule("XJ-RESIDENTIAL-100")).status is Status.NON_COMPLIANT


def test_unverified_clauses_are_not_official():
    assert XJ.rule("XJ-PUBLIC-30").official
    assert HN21.rule("HN21-RESIDENTIAL-100").official  # effective day unverified, clause verified
    assert not HN21.rule("HN21-PUBLIC-BUILT-30").official  # newspaper summary ([U] quote)
    assert not get_pack("changsha-2023").rule("CS23-PUBLIC-30").official  # [U] document number
    assert not get_pack("gbt51313-2018").rule("GBT51313-6.1.6").official  # paraphrase


def test_rules_show_gives_the_reading_and_never_calls_a_paraphrase_a_quote(capsys):
    from compliance.cli import main

    def shown() -> str:
        return " ".join(capsys.readouterr().out.split())  # undo the terminal's line wrapping

    assert main(["rules", "show", "XJ-PUBLIC-30", "--lang", "zh"]) == 0
    assert "解读: 「等公共场所」按列举未尽理解" in shown()
    assert main(["rules", "show", "XJ-PUBLIC-30", "--lang", "en"]) == 0
    assert 'Reading: "等公共场所" (and other public places)' in shown()
    assert main(["rules", "show", "GBT51313-6.1.6", "--lang", "zh"]) == 0
    text = shown()
    assert "摘述(未经原文核实): 火灾自动报警系统" in text and "原文: 火灾" not in text
    assert main(["rules", "show", "XJ-TRUNK-FAST", "--lang", "zh"]) == 0
    assert "另据: 湘政办发〔2021〕4号 干线公路" in shown()


def test_html_report_marks_paraphrases_and_states_the_reading():
    from compliance.reports.html import render_html

    packs = [XJ, get_pack("gbt51313-2018")]
    page = render_html([evaluate(make_car_park(), packs)], packs, lang="zh")
    assert "「高速公路服务区、公共单位、文旅休闲景区等公共场所" in page
    assert "摘述,未经原文核实" in page and "「火灾自动报警系统" not in page
    assert "解读:「等公共场所」按列举未尽理解" in page
