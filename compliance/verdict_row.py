"""One verdict as a flat row: the schema of record of the verdict tables and of the REST verdict model.

``verdicts.csv``/``.xlsx`` take the fields whose spec has a ``column`` (in this order); the REST model
:class:`compliance.api.schemas.VerdictPublic` takes the fields marked ``api``. Both read the values
built once here, by :meth:`VerdictRow.of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.evaluate import CarParkResult, Status, Verdict
from compliance.explain import explain, formula, provided_text
from compliance.schema import FieldInfo, Spec, fields_of, spec


def _table_only(zh: str, en: str) -> dict[str, Spec]:
    return spec(zh=zh, en=en, api=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class VerdictRow:
    """A car park judged against one rule, with the words a reader needs; counts as in :class:`Verdict`."""

    id: str = field(metadata=_table_only("停车场编号", "car park id"))
    rule_id: str = field(metadata=spec(zh="规则编号", en="rule id"))
    verdict: Status = field(metadata=spec(zh="判定", en="verdict"))
    required: int | None = field(metadata=spec(zh="应配建数", en="required"))
    provided: int | None = field(metadata=spec(zh="已计入数", en="provided"))
    shortfall: int | None = field(metadata=spec(zh="缺口", en="shortfall"))
    name: str = field(metadata=_table_only("停车场名称", "car park name"))
    district: str = field(metadata=_table_only("区县", "district"))
    pack_id: str = field(metadata=spec(zh="规则包", en="rule pack"))
    leading: bool = field(
        metadata=spec(
            zh="主导判定",
            en="leading",
            api=False,
            help_en="This verdict leads the car park's overall verdict",
            help_zh="决定该停车场总体判定的规则",
        )
    )
    car_park_verdict: Status = field(metadata=_table_only("停车场总体判定", "car park verdict"))
    formula: str = field(
        metadata=spec(zh="计算式", en="formula", help_en="How the required count was reached")
    )
    provided_detail: str = field(metadata=spec(zh="计入明细", en="provided detail"))
    reserved_unverified: int = field(
        metadata=spec(
            zh="未核实预留车位数",
            en="reserved spaces unverified",
            help_en="Reserved spaces credited although their evidence is incomplete",
            help_zh="已计入但佐证材料不全的预留车位",
        )
    )
    missing: tuple[str, ...] = field(metadata=spec(zh="缺失字段", en="missing fields"))
    citation: str = field(metadata=spec(zh="依据", en="citation"))
    explanation: str = field(metadata=_table_only("说明", "explanation"))
    explanation_zh: str = field(metadata=spec(zh="说明(中文)", en="explanation (Chinese)", column=None))
    explanation_en: str = field(metadata=spec(zh="说明(英文)", en="explanation (English)", column=None))

    @classmethod
    def of(cls, result: CarParkResult, v: Verdict, lang: str = "zh") -> VerdictRow:
        """The row of verdict ``v`` of ``result``; ``formula``, ``provided_detail`` and ``explanation``
        are in ``lang``, the two ``explanation_*`` in their own language."""
        cp = result.car_park
        explanation_zh, explanation_en = explain(v, "zh"), explain(v, "en")
        return cls(
            id=cp.id,
            rule_id=v.rule.id,
            verdict=v.status,
            required=v.required,
            provided=v.provided,
            shortfall=v.shortfall,
            name=cp.name,
            district=cp.district,
            pack_id=v.rule.pack_id,
            leading=v is result.leading,
            car_park_verdict=result.status,
            formula=formula(v, lang) if v.required is not None else "",
            provided_detail=provided_text(v, lang) if v.provided is not None else "",
            reserved_unverified=v.reserved_unverified,
            missing=v.missing,
            citation=v.rule.citation,
            explanation=explanation_zh if lang == "zh" else explanation_en,
            explanation_zh=explanation_zh,
            explanation_en=explanation_en,
        )


#: The fields of a verdict table, in column order.
TABLE_FIELDS: tuple[FieldInfo, ...] = tuple(f for f in fields_of(VerdictRow) if f.column is not None)

#: Column names of ``verdicts.csv``/``.xlsx`` (the first six are the ones the issue requires).
VERDICT_COLUMNS: tuple[str, ...] = tuple(f.name for f in TABLE_FIELDS)
