"""station_security: the security profile per station, its upgrade, and password rotation (issue 13)

Revision ID: 0009_ocpp_security
Revises: 0009_ocpp_msgs
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0009_ocpp_security"
down_revision = "0009_ocpp_msgs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_security",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("security_profile", sa.Integer(), nullable=True),
        sa.Column("target_profile", sa.Integer(), nullable=True),
        sa.Column("next_password_hash", sa.String(length=255), nullable=True),
        sa.Column("next_password_accepted_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("password_rotated_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_station_security_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_security")),
    )


def downgrade() -> None:
    op.drop_table("station_security")
