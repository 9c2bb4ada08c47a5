"""transactions: when the register window's readings were taken; issued_ids: ids the CSMS gives stations

A session's energy is the difference between its first and last energy-register readings *in time*, not the
lowest and highest values ever seen: a glitching meter (one 0 Wh reading) or a late, out-of-order message
must not change the billed energy. The window's two readings keep their timestamps.

``issued_ids``: 2.0.1 ``remoteStartId``, ``requestId`` and reservation ids come from the database, so they
never repeat across restarts or nodes (they came from a per-process counter that restarted at 1).

Revision ID: 0006_register_window_issued_ids
Revises: 0005_meter_readings
Create Date: 2026-12-02 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0006_register_window_issued_ids"
down_revision = "0005_meter_readings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("register_start_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("register_stop_at", UtcDateTime(timezone=True), nullable=True))
    op.create_table(
        "issued_ids",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=True),
        sa.Column("node_id", sa.String(length=64), nullable=True),
        sa.Column("issued_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("issued_ids")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("register_stop_at")
        batch_op.drop_column("register_start_at")
