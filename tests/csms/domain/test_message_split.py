"""ItemsPerMessage / BytesPerMessage splitting (B08, N18), by property; the limits read from a report."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.domain.message_split import (
    limit_queries,
    limits_from_answer,
    limits_from_report,
    merge_status,
    split,
)
from csms.errors import InvalidInput

items = st.lists(st.dictionaries(st.sampled_from("abc"), st.text(max_size=20), max_size=3), max_size=40)


@given(items, st.integers(1, 10) | st.none(), st.integers(60, 400) | st.none(), st.integers(0, 40))
def test_chunks_keep_every_item_in_order_and_respect_both_limits(
    values: list[dict[str, str]], max_items: int | None, max_bytes: int | None, envelope: int
) -> None:
    try:
        chunks = split(values, max_items=max_items, max_bytes=max_bytes, envelope_bytes=envelope)
    except InvalidInput as exc:  # only when one item alone cannot fit
        index = int(str(exc.field)[6:-1])
        assert max_bytes is not None and envelope + len(orjson.dumps([values[index]])) > max_bytes
        return
    assert [x for chunk in chunks for x in chunk] == values
    assert all(chunks) or chunks == [[]]
    for chunk in chunks:
        assert max_items is None or len(chunk) <= max_items
        assert max_bytes is None or envelope + len(orjson.dumps(chunk)) <= max_bytes
    # Greedy: no two neighbouring chunks could have been one.
    for a, b in zip(chunks, chunks[1:], strict=False):
        merged = a + b[:1]
        too_many = max_items is not None and len(merged) > max_items
        too_big = max_bytes is not None and envelope + len(orjson.dumps(merged)) > max_bytes
        assert too_many or too_big


def test_no_limits_is_one_call_and_a_zero_limit_is_refused() -> None:
    assert split(list(range(1000))) == [list(range(1000))]
    with pytest.raises(InvalidInput):
        split([1], max_items=0)


DDC = "DeviceDataCtrlr"


def attr(value: str, kind: str = "Actual") -> list[dict[str, str]]:
    return [{"type": kind, "value": value}]


def test_limits_are_read_from_report_data_in_both_spellings() -> None:
    data = [
        {"component": {"name": DDC}, "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"},
         "variableAttribute": attr("4")},
        {"component": {"name": DDC}, "variable": {"name": "BytesPerMessageSetVariables"},
         "variableAttribute": [{"type": "Target", "value": "9"}, *attr("800")]},
        {"component": {"name": "MonitoringCtrlr"},
         "variable": {"name": "ItemsPerMessage", "instance": "ClearVariableMonitoring"},
         "variableAttribute": attr("2")},
        {"component": {"name": "OCPPCommCtrlr"},
         "variable": {"name": "ItemsPerMessage", "instance": "GetReport"},
         "variableAttribute": attr("7")},  # another component's variable
        {"component": {"name": DDC}, "variable": {"name": "ItemsPerMessage", "instance": "GetReport"},
         "variableAttribute": attr("none")},  # not a number: no limit
    ]
    assert limits_from_report(data) == {
        ("GetVariables", "items"): 4, ("SetVariables", "bytes"): 800, ("ClearVariableMonitoring", "items"): 2,
    }


def test_limits_from_a_get_variables_answer_keep_the_accepted_numbers() -> None:
    asked = limit_queries()
    assert len(asked) == 10
    results = [{**asked[0], "attributeStatus": "Accepted", "attributeValue": "3"},
               {**asked[1], "attributeStatus": "UnknownVariable"}]
    assert limits_from_answer(results) == {("GetVariables", "items"): 3}


def test_statuses_merge_to_accepted_only_when_every_part_was() -> None:
    assert merge_status(["Accepted", "Accepted"]) == "Accepted"
    assert merge_status(["Accepted", "Rejected", "NotSupported"]) == "Rejected"
