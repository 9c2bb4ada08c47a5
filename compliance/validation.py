"""Cross-field consistency of a car-park record, shared by the importers and the REST routes.

Each problem names the field to blame, in English and Chinese; the caller adds the row number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from compliance.model import CarPark
from compliance.schema import Kind, fields_of

#: Numbers the schema bounds at zero and :data:`~compliance.model.MAX_VALUE` (counts of spaces, piles,
#: dwellings, levels; kW, kVA), by the name a register row and a record both use: (name, highest).
_BOUNDED = tuple(
    (f.name, f.spec.le)
    for f in fields_of(CarPark)
    if f.kind in (Kind.INT, Kind.FLOAT) and f.spec.ge == 0 and f.column in (f.name, None)
)


class Problem(NamedTuple):
    column: str
    message_en: str
    message_zh: str


def consistency_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Counts that cannot all be true together, and dates out of order.

    Examples
    --------
    >>> consistency_problems({"total_spaces": 10, "spaces_with_chargers": 12})[0].column
    'spaces_with_chargers'
    >>> consistency_problems({"total_spaces": 10, "spaces_with_chargers": 4, "spaces_reserved": 6})
    []
    >>> consistency_problems({"total_spaces": 2**70})[0].message_en
    'must be at most 1,000,000, got 1180591620717411303424'
    """
    problems: list[Problem] = []
    total = values.get("total_spaces")
    chargers = values.get("spaces_with_chargers")
    reserved = values.get("spaces_reserved")
    dedicated = values.get("dedicated_spaces")
    if total is not None:
        if chargers is not None and chargers > total:
            problems.append(
                Problem(
                    "spaces_with_chargers",
                    f"more spaces with chargers ({chargers}) than spaces ({total})",
                    f"已建充电设施车位数({chargers})大于总车位数({total})",
                )
            )
        elif chargers is not None and reserved is not None and chargers + reserved > total:
            problems.append(
                Problem(
                    "spaces_reserved",
                    f"chargers + reserved ({chargers + reserved}) exceed spaces ({total})",
                    f"已建与预留车位之和({chargers + reserved})大于总车位数({total})",
                )
            )
        if dedicated is not None and dedicated > total:
            problems.append(
                Problem(
                    "dedicated_spaces",
                    f"more dedicated spaces ({dedicated}) than spaces ({total})",
                    f"专属车位数({dedicated})大于总车位数({total})",
                )
            )
    fast = values.get("dc_fast_chargers_60kw")
    if fast is not None and chargers is not None and fast > chargers:
        # Every pile serves at least one space, so fast piles cannot outnumber spaces with chargers.
        problems.append(
            Problem(
                "dc_fast_chargers_60kw",
                f"more DC fast chargers ({fast}) than spaces with chargers ({chargers})",
                f"直流快充桩数({fast})大于已建充电设施车位数({chargers})",
            )
        )
    approval, completion = values.get("approval_date"), values.get("completion_date")
    if approval is not None and completion is not None and completion < approval:
        problems.append(
            Problem(
                "completion_date",
                f"completion {completion} before approval {approval}",
                "竣工日期早于审批日期",
            )
        )
    for name, highest in _BOUNDED:
        value = values.get(name)
        if value is None:
            continue
        if value < 0:
            problems.append(Problem(name, f"must not be negative, got {value}", f"不能为负数,实际为 {value}"))
        elif highest is not None and not value <= highest:  # NaN too
            at_most = f"{highest:,.0f}"
            problems.append(
                Problem(name, f"must be at most {at_most}, got {value}", f"不能大于 {at_most},实际为 {value}")
            )
    return problems


def car_park_problems(cp: CarPark) -> list[Problem]:
    """:func:`consistency_problems` of a built record (for records that did not come from a sheet)."""
    return consistency_problems({f.name: getattr(cp, f.name) for f in fields_of(CarPark)})
