"""Many rows in few statements, for the hottest writes: compiled once per dialect, run with plain tuples.

At ten thousand meter samples a second, SQLAlchemy's executemany costs more than the database: for every row
it builds a parameter dict and calls each column's bind processor. A :class:`BulkStatement` lets SQLAlchemy
compile the statement once per dialect (every backend still gets its own SQL and placeholder style), then
hands the driver tuples. Values whose type needs a bind processor (datetimes) go through that processor
once per distinct value rather than once per row: the samples of a meter reading share one timestamp.

On SQLite the rows go in one statement rather than one execution each (``INSERT ... VALUES (..), (..)``;
an update joins a ``WITH v(...) AS (VALUES ...)`` table). The driver runs an executemany row by row in its
own thread and takes the GIL back for every row; with the server's event loop busy, each of those waits
its turn, and a batch of a thousand rows took a second instead of three milliseconds. Other drivers
(asyncpg) pipeline an executemany themselves and get it as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, column, table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine

MAX_ROWS_PER_STATEMENT = 3_000
MAX_PARAMETERS = 32_000  # SQLite allows 32,766 since 3.32


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    """One row's statement; with ``group``: the text before the repeated row group."""
    order: tuple[int, ...] | None
    """Positional dialects: for each placeholder of a row, the index of its value in a caller's row."""
    names: tuple[str, ...]
    """Named dialects: the parameter name of each of the caller's keys."""
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    group: str = ""
    """Multi-row statements: one row's ``(?, ?, ...)``, repeated once per row."""
    tail: str = ""
    chunk: int = 1


class BulkStatement:
    """``statement`` for each of many ``keys``-ordered rows.

    ``statement`` is a Core statement with one bind parameter per key (an INSERT's keys are its columns), or a
    function of the dialect's name returning one (for dialect forms such as an upsert). The values of the
    ``encoded`` keys come already in the driver's form (JSON as its text): their type's bind processor is
    skipped.

    >>> from sqlalchemy import insert
    >>> from sqlalchemy.dialects import postgresql, sqlite
    >>> t = table("t", column("a"), column("b"))
    >>> s = BulkStatement(insert(t), ("b", "a"))
    >>> pg = s.plan(postgresql.asyncpg.dialect())
    >>> pg.sql, pg.order  # the table's column order; each row is permuted to it
    ('INSERT INTO t (a, b) VALUES ($1, $2)', (1, 0))
    >>> lite = s.plan(sqlite.dialect())
    >>> lite.sql + ", ".join([lite.group] * 2) + lite.tail
    'INSERT INTO t (a, b) VALUES (?, ?), (?, ?)'
    """

    def __init__(
        self,
        statement: ClauseElement | Callable[[str], ClauseElement],
        keys: Sequence[str],
        *,
        encoded: Sequence[str] = (),
    ) -> None:
        self._statement = statement
        self.keys = tuple(keys)
        self._encoded = frozenset(encoded)
        self._plans: dict[str, _Plan] = {}

    def execute(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        connection = session.connection()
        plan = self.plan(connection.dialect)
        if not plan.group:
            connection.exec_driver_sql(plan.sql, _convert(plan, rows))  # type: ignore[arg-type]
            return
        for start in range(0, len(rows), plan.chunk):
            chunk = rows[start : start + plan.chunk]
            sql = plan.sql + ", ".join([plan.group] * len(chunk)) + plan.tail
            connection.exec_driver_sql(sql, tuple(_flat(chunk, plan.order, plan.processors)))  # type: ignore[arg-type]

    def plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = self._compile(dialect)
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        statement = self._statement(dialect.name) if callable(self._statement) else self._statement
        insert = getattr(statement, "is_insert", False)  # an INSERT's columns come from the keys
        compiled = statement.compile(dialect=dialect, column_keys=list(self.keys) if insert else None)
        binds = {bind.key: bind for bind in compiled.binds.values()}
        index = {key: i for i, key in enumerate(self.keys)}
        if set(binds) - set(index):
            raise ValueError(f"rows do not supply {sorted(set(binds) - set(index))}")
        processors = tuple(
            (index[key], p)
            for key, bind in binds.items()
            if key not in self._encoded
            and (p := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        names = tuple(compiled.bind_names[binds[k]] if k in binds else k for k in self.keys)
        if not compiled.positional:
            return _Plan(str(compiled), None, names, processors)
        order = tuple(index[compiled.binds[name].key] for name in compiled.positiontup or ())
        sql = str(compiled)
        if insert and dialect.paramstyle == "qmark":
            head, group, tail = _values_group(sql)
            if group and "?" not in tail:
                chunk = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // max(1, len(order))))
                return _Plan(head, order, names, processors, group, tail, chunk)
        return _Plan(sql, order, names, processors)


class RowsUpdate(BulkStatement):
    """An UPDATE of many rows, each with its own values, written against a table ``v`` of those rows.

    ``build(v)`` gets ``v``'s columns (``v.tx_id``...) and returns the UPDATE. On SQLite the rows become
    ``WITH v(...) AS (VALUES ...)`` and one statement joins it (``UPDATE ... FROM v``); elsewhere ``v``'s
    columns are bind parameters and the statement runs once per row.

    >>> from sqlalchemy import Integer, String, update
    >>> from sqlalchemy.dialects import sqlite
    >>> t = table("t", column("id"), column("name"))
    >>> u = RowsUpdate(lambda v: update(t).where(t.c.id == v.key).values(name=v.name),
    ...                {"key": Integer(), "name": String()})
    >>> p = u.plan(sqlite.dialect())
    >>> p.sql + ", ".join([p.group] * 2) + p.tail
    'WITH v(key, name) AS (VALUES (?, ?), (?, ?)) UPDATE t SET name=v.name FROM v WHERE t.id = v."key"'
    """

    def __init__(self, build: Callable[[Any], ClauseElement], columns: Mapping[str, TypeEngine[Any]]) -> None:
        super().__init__(
            lambda _: build(SimpleNamespace(**{k: bindparam(k, type_=t) for k, t in columns.items()})),
            columns,
        )
        self._build, self._columns = build, dict(columns)

    def _compile(self, dialect: Dialect) -> _Plan:
        if dialect.paramstyle != "qmark":
            return super()._compile(dialect)
        rows = table("v", *(column(k, t) for k, t in self._columns.items()))
        sql = str(self._build(rows.c).compile(dialect=dialect))
        if "?" in sql:
            raise ValueError("a RowsUpdate takes its values from v, not from bind parameters")
        processors = tuple(
            (i, p)
            for i, t in enumerate(self._columns.values())
            if (p := t.dialect_impl(dialect).bind_processor(dialect)) is not None
        )
        n = len(self._columns)
        head = f"WITH v({', '.join(self._columns)}) AS (VALUES "
        group = "(" + ", ".join(["?"] * n) + ")"
        chunk = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // n))
        return _Plan(head, tuple(range(n)), self.keys, processors, group, ") " + sql, chunk)


def _values_group(sql: str) -> tuple[str, str, str]:
    """``INSERT ... VALUES (?, ?) tail`` -> (``INSERT ... VALUES ``, ``(?, ?)``, `` tail``)."""
    at = sql.find(" VALUES (")
    if at < 0:
        return sql, "", ""
    start = at + len(" VALUES ")
    end = sql.find(")", start)
    return sql[:start], sql[start : end + 1], sql[end + 1 :]


def _convert(plan: _Plan, rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """One parameter set per row: tuples in placeholder order, or dicts for named dialects."""
    order = plan.order if plan.order is not None else tuple(range(len(plan.names)))
    flat, width = _flat(rows, order, plan.processors), len(order)
    sets = (flat[i : i + width] for i in range(0, len(flat), width))
    if plan.order is not None:
        return [tuple(values) for values in sets]
    return [dict(zip(plan.names, values, strict=True)) for values in sets]


def _flat(
    rows: Sequence[tuple[Any, ...]],
    order: tuple[int, ...],
    processors: tuple[tuple[int, Callable[[Any], Any]], ...],
) -> list[Any]:
    """Every row's values in ``order`` (a row index per placeholder), in one flat list.

    Each column's bind processor runs over its slice of the list, once per distinct value.
    """
    width = len(order)
    if order == tuple(range(len(rows[0]))):
        flat = [v for row in rows for v in row]
    else:
        flat = [row[i] for row in rows for i in order]
    for key_index, processor in processors:
        for position in (p for p, i in enumerate(order) if i == key_index):
            memo: dict[Any, Any] = {}
            flat[position::width] = [
                None if v is None else memo[v] if v in memo else memo.setdefault(v, processor(v))
                for v in flat[position::width]
            ]
    return flat
