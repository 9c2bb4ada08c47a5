"""What each car park lacks for a verdict, per sheet row and column (pure: results in, problems out).

A car park with a blank (or unreadable) value a rule needs stays in the verdicts as insufficient data;
these entries tell the inspector, in ``errors.csv`` next to the rejected rows, which cell to fill in and
which rules wait for it. A value already reported as unreadable is not reported again.
"""

from __future__ import annotations

from collections.abc import Sequence

from compliance.columns import BY_KEY, COLUMNS
from compliance.errors import Effect, RowError
from compliance.evaluate import CarParkResult, Status
from compliance.headers import ColumnMapping

#: Record field -> register column key (``lon_deg`` -> ``lon``).
_KEY_OF_FIELD = {c.field: c.key for c in COLUMNS if c.field is not None}

#: A derived field and the columns it is read from: a bad cell of either already explains the gap.
_DERIVED_FROM = {"is_new": ("is_new", "approval_date")}


def data_gaps(
    results: Sequence[CarParkResult],
    source_rows: Sequence[int],
    mapping: ColumnMapping | None,
    already: Sequence[RowError] = (),
) -> list[RowError]:
    """One entry per car park and missing value: row, column, and the rules that need it.

    ``source_rows[i]`` is the sheet row of ``results[i]``; ``already`` are the import's problems (a cell
    reported there as unreadable is not reported again).
    """
    reported = {(e.row, e.column) for e in already}
    columns = mapping.by_key() if mapping is not None else {}
    out: list[RowError] = []
    for result, row in zip(results, source_rows, strict=True):
        needed: dict[str, list[str]] = {}
        for v in result.verdicts:
            if v.status is Status.INSUFFICIENT_DATA:
                for name in v.missing:
                    needed.setdefault(name, []).append(v.rule.id)
        for name, rules in needed.items():
            key = _KEY_OF_FIELD.get(name, name)
            if any((row, k) in reported for k in _DERIVED_FROM.get(key, (key,))):
                continue
            rule_list = ", ".join(dict.fromkeys(rules))
            column = columns.get(key)
            zh_header = BY_KEY[key].zh if key in BY_KEY else key
            if column is not None:
                header = column.label
                en = f"blank: needed by {rule_list}; verdict insufficient data"
                zh = f"未填写:{rule_list} 需要此项,结论为资料不足"
            else:
                header = f"({zh_header})"
                en = f"the sheet has no column for {key} ({zh_header}): needed by {rule_list}"
                zh = f"表中没有“{zh_header}”列:{rule_list} 需要此项,结论为资料不足"
            if key == "is_new":
                en += "; fill in is_new (是否新建) or the planning approval date"
                zh += ";请填写是否新建或规划审批日期"
            out.append(RowError(row, key, "", en, zh, Effect.INSUFFICIENT_DATA, header))
    return out
