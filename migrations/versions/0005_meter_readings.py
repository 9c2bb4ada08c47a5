"""meter values: one row per reading (its samples a JSON list) instead of one row per sample

A station samples 4 to 20 values at one instant and they are always read together (a transaction's meter
values, its energy register). With a row and an index entry per sample, the per-transaction index was most
of the cost of storing MeterValues. At 1,000 closed-loop stations (``bench.csms_load``'s load, the server's
CPU per message read from /proc): 12,000 messages/s with the index, 16,500 with it dropped, 15,900 with one
row and one index entry per reading, against 21,000 for the bare reference server in the same runs.

Every stored sample is carried over: the samples of one reading (same station, EVSE, transaction and
timestamp, stored one after the other) become one row, in their order. The downgrade splits them again.

Revision ID: 0005_meter_readings
Revises: 0004_meter_index_token_length
Create Date: 2026-11-25 00:20:00
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

import csms.db.base

revision = "0005_meter_readings"
down_revision = "0004_meter_index_token_length"
branch_labels = None
depends_on = None

CHUNK = 5_000
HEAD = ("station_id", "transaction_pk", "evse_id", "timestamp")
SAMPLE = ("measurand", "value", "unit", "phase", "location", "context")
OPTIONAL = ("phase", "location", "context")


def _typed(name: str, *rest: sa.ColumnClause) -> sa.TableClause:
    """A table to read and write rows with: the head's columns with their types, then ``rest``."""
    return sa.table(
        name,
        sa.column("id", sa.Integer()),
        sa.column("station_id", sa.String()),
        sa.column("transaction_pk", sa.Integer()),
        sa.column("evse_id", sa.Integer()),
        sa.column("timestamp", csms.db.base.UtcDateTime(timezone=True)),
        *rest,
    )


samples_table = _typed(
    "meter_values", *(sa.column(name, sa.Float() if name == "value" else sa.String()) for name in SAMPLE)
)
readings_table = _typed("meter_readings", sa.column("samples", sa.JSON()))


def upgrade() -> None:
    op.create_table("meter_readings", *_head("meter_readings"), sa.Column("samples", sa.JSON(), nullable=False))
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.create_index("ix_meter_readings_tx", ["transaction_pk"], unique=False)
    bind = op.get_bind()
    for chunk in _chunks(_readings(bind)):
        bind.execute(sa.insert(readings_table), chunk)
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_values_tx")
    op.drop_table("meter_values")


def downgrade() -> None:
    op.create_table(
        "meter_values",
        *_head("meter_values"),
        sa.Column("measurand", sa.String(length=40), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("location", sa.String(length=8), nullable=True),
        sa.Column("context", sa.String(length=24), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
    )
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.create_index("ix_meter_values_tx", ["transaction_pk", "timestamp"], unique=False)
    bind = op.get_bind()
    for chunk in _chunks(_samples(bind)):
        bind.execute(sa.insert(samples_table), chunk)
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_readings_tx")
    op.drop_table("meter_readings")


def _head(name: str) -> list[sa.SchemaItem]:
    """The columns and constraints both forms share: the station, transaction, EVSE and instant."""
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("transaction_pk", sa.Integer(), nullable=True),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f(f"fk_{name}_station_id_stations"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["transaction_pk"], ["transactions.id"], name=op.f(f"fk_{name}_transaction_pk_transactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def _readings(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    """The stored samples, one reading per run of samples with the same head (they were stored together)."""
    for head, run in groupby(_pages(bind, samples_table), key=lambda row: tuple(row[k] for k in HEAD)):
        samples = [
            {k: row[k] for k in SAMPLE if k not in OPTIONAL or row[k] is not None} for row in run
        ]
        yield {**dict(zip(HEAD, head, strict=True)), "samples": samples}


def _samples(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    for row in _pages(bind, readings_table):
        for sample in row["samples"]:
            yield {**{k: row[k] for k in HEAD}, **{k: sample.get(k) for k in SAMPLE}}


def _pages(bind: sa.Connection, table: sa.TableClause) -> Iterator[sa.RowMapping]:
    """``table``'s rows in id order, read a page at a time (a server-side cursor would stay open on
    PostgreSQL and block the table's drop)."""
    last = None
    while True:
        query = sa.select(table).order_by(table.c.id).limit(CHUNK)
        if last is not None:
            query = query.where(table.c.id > last)
        page = bind.execute(query).mappings().all()
        yield from page
        if len(page) < CHUNK:
            return
        last = page[-1]["id"]


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
