"""Display messages per station (OCPP 2.0.1 block O) and the period a session's driver was last told (I06)

``display_messages`` (what the CSMS set and the station's answer, or what the station reported),
``display_message_requests`` (each GetDisplayMessages and the scope its report replaces), and
``transaction_costs.shown_period``.

Revision ID: 0010_display
Revises: 0010_monitoring
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0010_display"
down_revision = "0010_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "display_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("start_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("transaction_uid", sa.String(length=36), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.String(length=512), nullable=False),
        sa.Column("message_format", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("display", sa.JSON(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("station_answer", sa.String(length=32), nullable=True),
        sa.Column("reported_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_id", "message_id", name="uq_display_messages_station_message"),
    )
    op.create_table(
        "display_message_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("station_answer", sa.String(length=16), nullable=True),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("reported_ids", sa.JSON(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_display_message_requests_station_id", "display_message_requests", ["station_id"])
    with op.batch_alter_table("transaction_costs") as batch:
        batch.add_column(sa.Column("shown_period", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transaction_costs") as batch:
        batch.drop_column("shown_period")
    op.drop_index("ix_display_message_requests_station_id", table_name="display_message_requests")
    op.drop_table("display_message_requests")
    op.drop_table("display_messages")
