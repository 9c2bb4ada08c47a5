"""Bilingual (zh-CN / en) explanations of verdicts: what the rule asks, how it was counted, what is missing.

Pure string building; reports and the CLI call these for every verdict they print.
"""

from __future__ import annotations

from functools import cache

from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.labels import label
from compliance.rules import ALL_TRUE, MINIMUM, PILE_COUNTED_FIELDS, RATIO, Rule

LANGS = ("zh", "en")

STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.COMPLIANT: ("符合", "compliant"),
    Status.NON_COMPLIANT: ("不符合", "non-compliant"),
    Status.INSUFFICIENT_DATA: ("资料不足", "insufficient data"),
    Status.NOT_APPLICABLE: ("不适用", "not applicable"),
}

_ROUNDING = {"ceil": ("向上取整", "ceil"), "floor": ("向下取整", "floor"), "half_up": ("四舍五入", "round")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def status_label(status: Status, lang: str = "en") -> str:
    return _pick(STATUS_LABELS[status], lang)


def rounding_label(rounding: str, lang: str = "en") -> str:
    """``ceil`` / ``向上取整`` and the like."""
    return _pick(_ROUNDING[rounding], lang)


def formula(v: Verdict, lang: str = "en") -> str:
    """The required count with its rounding, e.g. ``ceil(30% x total spaces 10) = 3``.

    Examples
    --------
    >>> from compliance.packs import get_pack
    >>> from compliance.evaluate import evaluate_rule
    >>> from compliance.categories import Category
    >>> from compliance.model import CarPark
    >>> cp = CarPark(id="a", name="a", category=Category.SOCIAL_PUBLIC, is_public=True, total_spaces=10,
    ...              spaces_with_chargers=1, spaces_reserved=2)
    >>> v = evaluate_rule(cp, get_pack("xiangjiang-2023").rule("XJ-PUBLIC-30"))
    >>> formula(v)
    'ceil(30% × total spaces 10) = 3'
    >>> formula(v, "zh")
    '向上取整(30% × 总车位数 10) = 3'
    """
    req = v.rule.requirement
    if req.kind == RATIO:
        if v.base is None or (req.base_cap and v.cap is None):
            return ""
        base = f"{label(req.base, lang)} {v.base}"
        if req.base_cap:
            base = f"min({base}, {label(req.base_cap, lang)} {v.cap})"
        return f"{_pick(_ROUNDING[req.rounding], lang)}({req.ratio_text()} × {base}) = {v.required}"
    if req.kind == MINIMUM:
        return f"{label(req.field, lang)} >= {req.minimum}"
    assert req.kind == ALL_TRUE
    joiner = "、" if lang == "zh" else ", "
    return ("全部具备:" if lang == "zh" else "all of: ") + joiner.join(label(f, lang) for f in req.fields)


def provided_text(v: Verdict, lang: str = "en") -> str:
    """How the provided count was summed, e.g. ``spaces with chargers 1 + reserved spaces 2 = 3``."""
    req = v.rule.requirement
    if req.kind == RATIO:
        terms = [
            f"{label(n, lang)} {'?' if x is None else x}" for n, x in zip(req.counts, v.values, strict=False)
        ]
        return f"{' + '.join(terms)} = {v.provided}" if terms else ""
    if req.kind == MINIMUM:
        text = f"{label(req.field, lang)} {'?' if v.provided is None else v.provided}"
        if v.self_declared:
            text += (
                "(台账自报,未经充电桩清单核实)"
                if lang == "zh"
                else " (self-declared, not verified by a pile list)"
            )
        elif req.field in PILE_COUNTED_FIELDS and v.provided is not None:
            text += "(据充电桩清单核计)" if lang == "zh" else " (counted from the pile list)"
        return text
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    shown = [
        f"{label(n, lang)} {'?' if x is None else yes if x else no}"
        for n, x in zip(req.fields, v.values, strict=False)
    ]
    return ("; " if lang == "en" else ";").join(shown)


def _head(rule: Rule, lang: str) -> str:
    return f"{rule.id}({rule.citation}):" if lang == "zh" else f"{rule.id} ({rule.citation}): "


@cache
def _without_counts(
    rule: Rule, status: Status, missing: tuple[str, ...], lang: str, approved_before: bool = False
) -> str:
    # Cached: these depend only on the rule and the missing fields, and fill most rows of a big report.
    zh = lang == "zh"
    if status is Status.NOT_APPLICABLE and approved_before:
        day = rule.effective.isoformat()
        return _head(rule, lang) + (
            f"不适用:本停车场规划审批早于本文件施行日期 {day},不属本条所称新建;请按审批时施行的文件核查。"
            if zh
            else f"not applicable: the car park was approved before this document took effect ({day}), so it "
            "is not new under this rule; check it under the documents in force when it was approved."
        )
    if status is Status.NOT_APPLICABLE:
        scope = rule.applies_to.describe(lang, rule.effective)
        return _head(rule, lang) + (
            f"不适用:本条仅适用于{scope}的停车场,本停车场不在此列。"
            if zh
            else f"not applicable: the rule covers only car parks with {scope}; this one is not among them."
        )
    fields = ("、" if zh else ", ").join(label(m, lang) for m in missing)
    return _head(rule, lang) + (
        f"资料不足,请补充:{fields}。" if zh else f"insufficient data; please supply: {fields}."
    )


def explain(v: Verdict, lang: str = "en") -> str:
    """One sentence for an inspector or an owner, in ``lang`` (``zh`` or ``en``)."""
    rule = v.rule
    zh = lang == "zh"
    if v.status is Status.NOT_APPLICABLE or v.status is Status.INSUFFICIENT_DATA:
        return _without_counts(rule, v.status, v.missing, lang, v.approved_before)
    text = _head(rule, lang) + (rule.summary_zh if zh else f"{rule.summary_en} ")
    if zh:
        text += f"应为 {v.required}({formula(v, lang)}),现有 {v.provided}({provided_text(v, lang)})"
        text += f",缺 {v.shortfall}。" if v.status is Status.NON_COMPLIANT else ",符合。"
    else:
        text += (
            f"Required {v.required} ({formula(v, lang)}), provided {v.provided} ({provided_text(v, lang)})"
        )
        text += f", short by {v.shortfall}." if v.status is Status.NON_COMPLIANT else ": compliant."
    if v.reserved_unverified:
        n = v.reserved_unverified
        if zh:
            text += f"其中 {n} 个预留车位缺少佐证(管线到位、预留供电容量、电表箱位置、土建),按未核实计入。"
        else:
            text += f" {n} reserved spaces lack evidence (conduit, reserved kVA, meter box, civil works)"
            text += " and are counted as unverified."
    return text


def summary(result: CarParkResult, lang: str = "en") -> str:
    """The car park's overall verdict in one line, led by the strictest failing rule."""
    cp = result.car_park
    status = status_label(result.status, lang)
    if result.leading is None:
        return f"{cp.id} {cp.name}:{status}" if lang == "zh" else f"{cp.id} {cp.name}: {status}"
    return (f"{cp.id} {cp.name}:{status}。" if lang == "zh" else f"{cp.id} {cp.name}: {status}. ") + explain(
        result.leading, lang
    )
