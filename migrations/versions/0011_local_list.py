"""local_lists, local_list_entries: the local authorization list each station holds, as the CSMS believes
(issue 13: OCPP 2.0.1 block D, 1.6 LocalAuthListManagement)

Revision ID: 0011_local_list
Revises: 0010_display
Create Date: 2026-12-03 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0011_local_list"
down_revision = "0010_display"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_lists",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_sent_version", sa.Integer(), nullable=True),
        sa.Column("last_update_type", sa.String(length=16), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_parts", sa.JSON(), nullable=True),
        sa.Column("station_version", sa.Integer(), nullable=True),
        sa.Column("station_version_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("full_resend_advised", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "local_list_entries",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expiry_date", UtcDateTime(timezone=True), nullable=True),
        sa.Column("group_id_token", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["local_lists.station_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "id_token"),
    )


def downgrade() -> None:
    op.drop_table("local_list_entries")
    op.drop_table("local_lists")
