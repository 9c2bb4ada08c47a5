"""Rectification notices (整改通知书): what a notice says, decided from a car park's verdicts (no I/O).

A notice has the issuing authority, a document number from a configurable pattern
(e.g. ``湘新住建改〔{year}〕第{n}号``), the addressee (the car park's 产权/管理单位), what was inspected,
one line per gap (gaps that several packs find alike are merged, each citation listed once), the legal
basis quoted, the deadline, the objection notice (如有异议…), the inspectors, and the signature, seal and
receipt block.
Internal rule codes never appear. Only verified clauses are cited: a gap found only under a clause marked
unverified ([U]) in the sources is left to the inspector's report, and no notice is issued for it alone
(:func:`issuable`). :mod:`compliance.reports.notice` renders the text as PDF or HTML.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from compliance.errors import NoticeError
from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.labels import label
from compliance.rules import ALL_TRUE, MINIMUM, RATIO, Citation

BLANK = "__________"


@dataclass(frozen=True, slots=True)
class NoticeConfig:
    """What the issuing office sets once: its name, its numbering, the deadline and objection period.

    ``number_pattern`` is a :meth:`str.format` pattern over ``year``, ``n`` (the running number) and
    ``id`` (the car park's id). ``inspectors`` are the inspectors' names printed on the notice.
    """

    authority: str = ""
    number_pattern: str = "〔{year}〕第{n}号"
    first_number: int = 1
    deadline_days: int = 90
    objection_days: int = 15
    inspectors: tuple[str, ...] = ()
    contact: str = ""

    def number(self, issued: date, n: int, car_park_id: str) -> str:
        """The document number, e.g. ``湘新住建改〔2026〕第12号``; NoticeError for a bad pattern."""
        try:
            return self.number_pattern.format(year=issued.year, n=n, id=car_park_id)
        except (KeyError, IndexError, ValueError) as exc:
            raise NoticeError(
                f"notice number pattern {self.number_pattern!r}: use only {{year}}, {{n}} and {{id}} ({exc})"
            ) from None


@dataclass(frozen=True, slots=True)
class Gap:
    """One shortfall as the notice states it; ``citations`` are every verified clause that demands it."""

    item: str
    required: str
    provided: str
    shortfall: int
    citations: tuple[Citation, ...]
    lesser: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class NoticeText:
    """The notice's content, language-resolved, shared by the PDF and HTML renderers."""

    authority: str
    title: str
    number: str
    addressee: str
    intro: str
    table_head: list[str]
    table_rows: list[list[str]]
    basis: list[str]
    paragraphs: list[str]
    objection: str
    inspectors: str
    signature: list[str]
    receipt: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        """Every word of the notice (for checks such as "no internal code, no English")."""
        parts = [self.authority, self.title, self.number, self.addressee, self.intro, *self.table_head]
        parts += [c for row in self.table_rows for c in row]
        parts += [
            *self.basis,
            *self.paragraphs,
            self.objection,
            self.inspectors,
            *self.signature,
            *self.receipt,
        ]
        return "\n".join(parts)


# Words -----------------------------------------------------------------------------------------------

_NOUN = {
    "spaces_with_chargers": ("已建充电设施", "with chargers built"),
    "spaces_reserved": ("预留安装条件", "with installation conditions reserved"),
}
_BASE = {"total_spaces": ("总车位", "all spaces"), "dedicated_spaces": ("专属停车位", "dedicated spaces")}
_ROUND = {
    "ceil": ("向上取整", "rounded up"),
    "floor": ("向下取整", "rounded down"),
    "half_up": ("四舍五入", "rounded"),
}
_MINIMUM_ITEM = {
    "dc_fast_chargers_60kw": (
        "单桩功率不低于60千瓦的直流快速充电桩不少于{n}台",
        "at least {n} DC fast charger(s) of at least 60 kW per pile",
    ),
}
_NUMERAL = re.compile(r"^[0-9一二三四五六七八九十第§(]")


_FULL_WIDTH = str.maketrans({",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "(": "\uff08", ")": "\uff09"})


def _zh_units(text: str) -> str:
    """Units in Chinese words, for a Chinese notice: ``60kW`` -> ``60千瓦``."""
    return text.replace("kVA", "千伏安").replace("kW", "千瓦")


def _zh_form(text: str) -> str:
    """A Chinese notice's own words in official form: full-width punctuation, units in words.

    Quoted clauses are not passed through this: they stay exactly as the document has them.
    """
    return _zh_units(text).translate(_FULL_WIDTH)


def _pair(pair: tuple[str, str], zh: bool) -> str:
    return pair[0] if zh else pair[1]


def _field_zh(name: str) -> str:
    return _zh_units(label(name, "zh"))


def _gap(v: Verdict, zh: bool) -> tuple[str, str, str]:
    """``(item, required, provided)`` of a failing verdict, in words, without rule codes."""
    req = v.rule.requirement
    if req.kind == RATIO:
        nouns = [_pair(_NOUN.get(c, (_field_zh(c), label(c, "en"))), zh) for c in req.counts]
        base = _pair(_BASE.get(req.base, (_field_zh(req.base), label(req.base, "en"))), zh)
        ratio, rounding = req.ratio_text(), _pair(_ROUND[req.rounding], zh)
        values = [0 if x is None else x for x in v.values]
        if zh:
            item = f"{'或'.join(nouns)}的车位不低于{base}的{ratio}"
            required = f"{v.required}个({base}{v.base}个×{ratio},{rounding})"
            provided = (
                f"{v.provided}个(" + "+".join(f"{n}{x}" for n, x in zip(nouns, values, strict=False)) + ")"
            )
        else:
            item = f"spaces {' or '.join(nouns)}: at least {ratio} of {base}"
            required = f"{v.required} ({ratio} of {v.base} {base}, {rounding})"
            provided = (
                f"{v.provided} (" + " + ".join(f"{x} {n}" for n, x in zip(nouns, values, strict=False)) + ")"
            )
        return item, required, provided
    if req.kind == MINIMUM:
        zh_item, en_item = _MINIMUM_ITEM.get(
            req.field, (f"{_field_zh(req.field)}不少于{{n}}", f"{label(req.field, 'en')}: at least {{n}}")
        )
        item = (zh_item if zh else en_item).format(n=req.minimum)
        note = ("(台账自报)" if zh else " (self-declared)") if v.self_declared else ""
        unit = "台" if zh else ""
        return item, f"{req.minimum}{unit}", f"{v.provided}{unit}{note}"
    assert req.kind == ALL_TRUE
    names = [label(f, "zh" if zh else "en") for f in req.fields]
    lacking = [n for n, x in zip(names, v.values, strict=False) if not x]
    if zh:
        return "应具备:" + "、".join(names), f"{len(names)}项", f"{v.provided}项(缺:{'、'.join(lacking)})"
    return "must have: " + ", ".join(names), str(len(names)), f"{v.provided} (lacking: {', '.join(lacking)})"


def _measure(v: Verdict) -> tuple[object, ...]:
    """What a verdict measures: rules with the same measure and the same provided count state one gap."""
    req = v.rule.requirement
    return (req.kind, req.base, req.base_cap, req.counts, req.field, req.fields, v.provided)


def _add(citations: list[Citation], new: Iterable[Citation]) -> None:
    for c in new:
        if c.verified and all(
            (c.document_number, c.clause) != (o.document_number, o.clause) for o in citations
        ):
            citations.append(c)


def notice_gaps(result: CarParkResult, lang: str = "zh") -> list[Gap]:
    """One gap per distinct shortfall under a verified clause, the leading one first.

    Rules of several packs measuring the same counts give one gap. Those demanding the most (e.g. 100% of
    dedicated spaces under the Xiangjiang plan, 湘政办发〔2021〕4号 and 国办发〔2015〕73号) are its
    ``citations``; a laxer one breached by the same shortfall (国办发〔2015〕73号's 10% beside the plan's
    30%) is listed in ``lesser`` only, for the legal basis, and gets no line of its own.
    """
    zh = lang == "zh"
    failing = sorted(
        (v for v in result.verdicts if v.status is Status.NON_COMPLIANT and v.rule.official),
        key=lambda v: v is not result.leading,
    )
    groups: dict[tuple[object, ...], list[Verdict]] = {}
    for v in failing:
        groups.setdefault(_measure(v), []).append(v)
    gaps = []
    for group in groups.values():
        most = max(v.required or 0 for v in group)
        strict = [v for v in group if (v.required or 0) == most]
        # The most recent provision first (e.g. the Xiangjiang plan, then the provincial and national texts).
        by_date = sorted(group, key=lambda v: v.rule.effective, reverse=True)
        citations: list[Citation] = []
        _add(citations, (c for v in by_date if v in strict for c in v.rule.citations))
        lesser: list[Citation] = list(citations)
        _add(lesser, (c for v in by_date if v not in strict for c in v.rule.citations))
        item, required, provided = _gap(strict[0], zh)
        gaps.append(
            Gap(
                item,
                required,
                provided,
                strict[0].shortfall or 0,
                tuple(citations),
                tuple(lesser[len(citations) :]),
            )
        )
    return gaps


def cite(c: Citation, lang: str = "zh") -> str:
    """A citation as an official text names it.

    For example ``《…实施意见》(湘政办发〔2021〕4号)关于干线公路的规定``.
    """
    title = c.document_title
    if lang == "zh":
        if "《" not in title:
            title = f"《{title}》"
        if c.document_number not in title:
            title += f"({c.document_number})"
        return title + (c.clause if _NUMERAL.match(c.clause) else f"关于{c.clause}的规定")
    if c.document_number not in title:
        title += f" ({c.document_number})"
    return f"{title}, {c.clause}"


def _date(day: date, zh: bool) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if zh else day.isoformat()


def notice_text(
    result: CarParkResult,
    lang: str,
    issued: date,
    config: NoticeConfig | None = None,
    *,
    number: int | None = None,
    inspected_on: date | None = None,
) -> NoticeText:
    """What the notice says for ``result``; NoticeError when no verified clause is failed."""
    config = config or NoticeConfig()
    cp = result.car_park
    zh = lang == "zh"
    if result.status is not Status.NON_COMPLIANT:
        raise NoticeError(f"{cp.id}: a rectification notice is only for non-compliant car parks")
    gaps = notice_gaps(result, lang)
    if not gaps:
        raise NoticeError(
            f"{cp.id}: fails only clauses not verified against their documents ([U]); no official notice"
        )
    deadline = issued + timedelta(days=config.deadline_days)
    authority = config.authority or (BLANK if zh else "(issuing authority)")
    where = " ".join(x for x in (cp.district, cp.street, cp.address) if x)
    # The legal basis: each clause once (a clause quoted for two gaps shows both sentences).
    basis_quotes: dict[tuple[str, str], tuple[Citation, list[str]]] = {}
    for g in gaps:
        for c in (*g.citations, *g.lesser):
            _, quotes = basis_quotes.setdefault((c.document_number, c.clause), (c, []))
            if c.quote not in quotes:
                quotes.append(c.quote)
    rows = [
        [
            str(i),
            g.item,
            g.required,
            g.provided,
            str(g.shortfall),
            ";".join(c.document_number for c in g.citations),
        ]
        for i, g in enumerate(gaps, start=1)
    ]
    basis = [  # zh: see the end
        f"{cite(c, 'en')}: " + " ".join(f"\u201c{q}\u201d" for q in quotes)
        for c, quotes in basis_quotes.values()
    ]
    paragraphs = []
    unverified = max(
        (v.reserved_unverified for v in result.verdicts if v.status is Status.NON_COMPLIANT), default=0
    )
    if unverified:
        paragraphs.append(
            f"你单位申报的 {unverified} 个预留安装条件车位缺少佐证材料"
            "(管线桥架到每个车位、预留供电容量、电表箱位置、土建到位),"
            "本次按未核实计入,请在整改报告中一并提交。"
            if zh
            else f"The {unverified} reserved spaces declared lack evidence (conduit or tray to each "
            "space, reserved supply capacity, meter-box position, civil works); they were counted as "
            "unverified: submit it with your report."
        )
    missing = sorted({m for v in result.verdicts if v.status is Status.INSUFFICIENT_DATA for m in v.missing})
    if missing:
        names = "、".join(_field_zh(m) for m in missing) if zh else ", ".join(label(m, "en") for m in missing)
        paragraphs.append(f"另请补充以下资料:{names}。" if zh else f"Please also supply: {names}.")
    inspected = _date(inspected_on or issued, zh)
    name = cp.name + (f"(编号 {cp.id})" if zh else f" (id {cp.id})")
    if zh:
        intro = (
            f"{inspected},{authority}对你单位产权或管理的{name}"
            + (f"(地址:{where})" if where else "")
            + "电动汽车充电设施配建情况进行了检查。经查,该停车场存在下列问题:"
        )
        demand = (
            f"上述情形不符合下列规定。现责令你单位于{_date(deadline, True)}前完成整改,"
            f"并将整改情况书面报送{authority}。逾期未整改的,将依法依规处理。"
        )
        objection = (
            f"如对本通知书内容有异议,可自收到本通知书之日起{config.objection_days}日内向{authority}"
            "书面提出陈述、申辩意见,并提供相关证明材料。"
        )
    else:
        intro = (
            f"On {inspected} {authority} inspected the provision of EV charging at {name}"
            + (f", {where}" if where else "")
            + ", owned or managed by you, and found:"
        )
        demand = (
            "This does not meet the provisions below. You are required to rectify it by "
            f"{_date(deadline, False)} and to report the rectification in writing to {authority}."
        )
        objection = (
            f"If you object to this notice, you may submit a written statement and evidence to {authority} "
            f"within {config.objection_days} days of receiving it."
        )
    paragraphs.insert(0, demand)
    if config.contact:
        paragraphs.append(f"联系人及电话:{config.contact}" if zh else f"Contact: {config.contact}")
    inspectors = "、".join(config.inspectors) if zh else ", ".join(config.inspectors)
    n = config.first_number if number is None else number
    text = NoticeText(
        authority=authority,
        title="整改通知书" if zh else "Rectification notice",
        number=config.number(issued, n, cp.id),
        addressee=(cp.owner or BLANK) + (":" if zh else ":"),
        intro=intro,
        table_head=(
            ["序号", "整改事项", "应配建", "现有", "缺口", "依据"]
            if zh
            else ["No.", "Item", "Required", "Provided", "Shortfall", "Basis"]
        ),
        table_rows=rows,
        basis=basis,
        paragraphs=paragraphs,
        objection=objection,
        inspectors=(f"检查人员:{inspectors or BLANK}" if zh else f"Inspectors: {inspectors or BLANK}"),
        signature=[f"{authority}(盖章)" if zh else f"{authority} (seal)", _date(issued, zh)],
        receipt=(
            [f"被检查单位签收:{BLANK}", "签收日期:______年____月____日"]
            if zh
            else [f"Received by: {BLANK}", f"Date: {BLANK}"]
        ),
    )
    if not zh:
        return text
    f = _zh_form
    return dataclasses.replace(
        text,
        addressee=f(text.addressee),
        intro=f(text.intro),
        table_rows=[[f(c) for c in row] for row in text.table_rows],
        basis=[
            f"{f(cite(c))}\uff1a" + "".join(f"「{q}」" for q in quotes) for c, quotes in basis_quotes.values()
        ],
        paragraphs=[f(p) for p in text.paragraphs],
        objection=f(text.objection),
        inspectors=f(text.inspectors),
        signature=[f(line) for line in text.signature],
        receipt=[f(line) for line in text.receipt],
    )


def issuable(result: CarParkResult) -> bool:
    """Non-compliant under at least one verified clause, so an official notice can be issued."""
    return result.status is Status.NON_COMPLIANT and any(
        v.status is Status.NON_COMPLIANT and v.rule.official for v in result.verdicts
    )


def notices_withheld(results: Sequence[CarParkResult]) -> list[str]:
    """Ids of non-compliant car parks that fail only unverified clauses: no official notice for them."""
    return [r.car_park.id for r in results if r.status is Status.NON_COMPLIANT and not issuable(r)]
