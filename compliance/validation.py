"""Cross-field consistency of a car-park record, shared by the importers and the REST routes.

Each problem names the field to blame, in English and Chinese; the caller adds the row number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from compliance.model import CarPark
from compliance.schema import Kind, fields_of

#: Numbers the schema bounds: counts of spaces, piles, dwellings, levels, kW and kVA at zero and
#: :data:`~compliance.model.MAX_VALUE`, coordinates at their degrees. Each is looked up by the field's name
#: (a record's values) and by its register column's key (a sheet row's: ``lat`` for ``lat_deg``), and blamed
#: under the key it was found by: (keys, lowest, highest).
_BOUNDED = tuple(
    (tuple(dict.fromkeys(k for k in (f.name, f.column) if k is not None)), f.spec.ge, f.spec.le)
    for f in fields_of(CarPark)
    if f.kind in (Kind.INT, Kind.FLOAT) and f.spec.ge is not None and f.spec.le is not None
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
    'must be 0 to 1,000,000, got 1180591620717411303424'
    >>> consistency_problems({"lat": 91.0})[0][:2]
    ('lat', 'must be -90 to 90, got 91.0')
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
    for keys, lowest, highest in _BOUNDED:
        name = next((k for k in keys if values.get(k) is not None), None)
        if name is None:
            continue
        value = values[name]
        if lowest == 0 and value < 0:
            problems.append(Problem(name, f"must not be negative, got {value}", f"不能为负数,实际为 {value}"))
        elif not lowest <= value <= highest:  # NaN too
            low, high = f"{lowest:,.0f}", f"{highest:,.0f}"
            problems.append(
                Problem(name, f"must be {low} to {high}, got {value}", f"应为 {low} 至 {high},实际为 {value}")
            )
    return problems


def car_park_problems(cp: CarPark) -> list[Problem]:
    """:func:`consistency_problems` of a built record (for records that did not come from a sheet)."""
    return consistency_problems({f.name: getattr(cp, f.name) for f in fields_of(CarPark)})
