"""dr_events.cancelled_at: when an event was cancelled, so its report covers the window actually in force

A cancelled event used to be judged over its whole original window (and a cancelled flag alone cannot say
from when the stations were back on their normal limits). Events cancelled before this migration keep a NULL
time: their reports stay over the original window, as before.

Revision ID: 0008_dr_cancelled_at
Revises: 0007_repair_poisoned_values
Create Date: 2026-12-02 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0008_dr_cancelled_at"
down_revision = "0007_repair_poisoned_values"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dr_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dr_events", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
