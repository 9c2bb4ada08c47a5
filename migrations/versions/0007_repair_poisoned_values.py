"""Repair values hostile stations stored before the OCPP edge bounded them; count what stations keep

Issue 14: a 2.0.1 ``evseId`` of 2^64 passed the schema and SQLite stored it as a REAL in an INTEGER column;
a 1.6 sampled value "NaN" or "Infinity" was stored as a non-finite float. Either made every REST read of the
station or transaction answer 500. The edge now refuses them (int32 ids, not negative; finite decimals);
this revision repairs the rows stored before:

- ``connectors`` and ``status_events`` whose ``evse_id`` or ``connector_id`` is negative or over int32 are
  **deleted**: no real hardware has such an id, and a clamped id would invent a connector that does not
  exist (or merge into a real one's history).
- ``meter_readings`` whose ``evse_id`` is out of that range are deleted for the same reason; in the others,
  samples whose value is not a finite number are dropped, and a reading left without samples is deleted.
- ``transactions``: a non-finite ``meter_start_wh``, ``meter_stop_wh`` or ``energy_wh`` becomes NULL (an
  unknown energy, as for a register that went backwards), the rest of the session is kept for billing
  records; an out-of-range ``evse_id`` or ``connector_id`` becomes 0 ("the station as a whole") rather than
  losing the session.

The downgrade cannot restore garbage and does not try; it only drops the new column.

``station_messages.payload_bytes``: the size of each stored payload as JSON [bytes], which the per-station
storage quota counts (backfilled from the length of the stored text).

Revision ID: 0007_repair_poisoned_values
Revises: 0006_register_window_issued_ids
Create Date: 2026-12-02 11:30:00
"""

from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_repair_poisoned_values"
down_revision = "0006_register_window_issued_ids"
branch_labels = None
depends_on = None

INT32_MAX = 2**31 - 1
FLOAT_MAX = 1.7976931348623157e308
"""Anything greater is infinite; PostgreSQL also orders NaN above every number."""


def _out_of_range(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    return sa.or_(column < 0, column > INT32_MAX)


def _not_finite(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    bound = sa.literal(FLOAT_MAX, sa.Float())
    return sa.or_(column > bound, column < -bound)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def upgrade() -> None:
    bind = op.get_bind()
    for name in ("connectors", "status_events"):
        table = sa.table(name, sa.column("evse_id", sa.Float()), sa.column("connector_id", sa.Float()))
        bind.execute(sa.delete(table).where(sa.or_(_out_of_range(table.c.evse_id),
                                                   _out_of_range(table.c.connector_id))))
    transactions = sa.table(
        "transactions", sa.column("evse_id", sa.Float()), sa.column("connector_id", sa.Float()),
        *(sa.column(c, sa.Float()) for c in ("meter_start_wh", "meter_stop_wh", "energy_wh")),
    )
    for column in ("meter_start_wh", "meter_stop_wh", "energy_wh"):
        bind.execute(sa.update(transactions).where(_not_finite(transactions.c[column])).values({column: None}))
    for column in ("evse_id", "connector_id"):
        bind.execute(sa.update(transactions).where(_out_of_range(transactions.c[column])).values({column: 0}))
    _repair_readings(bind)

    with op.batch_alter_table("station_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload_bytes", sa.Integer(), server_default="0", nullable=False))
    messages = sa.table("station_messages", sa.column("id", sa.Integer()), sa.column("payload", sa.Text()),
                        sa.column("payload_bytes", sa.Integer()))
    as_text = sa.cast(messages.c.payload, sa.Text())
    bind.execute(sa.update(messages).values(payload_bytes=sa.func.length(as_text)))


def _repair_readings(bind: sa.Connection) -> None:
    readings = sa.table("meter_readings", sa.column("id", sa.Integer()), sa.column("evse_id", sa.Float()),
                        sa.column("samples", sa.JSON()))
    bind.execute(sa.delete(readings).where(_out_of_range(readings.c.evse_id)))
    as_text = sa.cast(readings.c.samples, sa.Text())
    # Only rows whose JSON could hold a non-finite number are read back (NaN, Infinity, -Infinity; SQLite
    # keeps what Python's json wrote, PostgreSQL's json type keeps the text as given).
    suspects = bind.execute(
        sa.select(readings.c.id, as_text).where(sa.or_(as_text.like("%NaN%"), as_text.like("%Infinity%")))
    ).all()
    for reading_id, text in suspects:
        samples = json.loads(text)  # Python's json reads NaN and Infinity
        kept = [s for s in samples if _finite(s.get("value"))]
        if len(kept) == len(samples):
            continue
        if kept:
            bind.execute(sa.update(readings).where(readings.c.id == reading_id).values(samples=kept))
        else:
            bind.execute(sa.delete(readings).where(readings.c.id == reading_id))


def downgrade() -> None:
    with op.batch_alter_table("station_messages", schema=None) as batch_op:
        batch_op.drop_column("payload_bytes")
