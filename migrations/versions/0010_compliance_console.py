"""car parks' stored verdicts and coordinates, and the console's register imports (issue 18)

Revision ID: 0010_compliance_console
Revises: 0009_energy
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0010_compliance_console"
down_revision = "0009_energy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("car_parks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdict", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("verdict_rules", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("leading_rule", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("shortfall", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lon_deg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lat_deg", sa.Float(), nullable=True))
        batch_op.create_index("ix_car_parks_category", ["category"], unique=False)
        batch_op.create_index("ix_car_parks_verdict", ["verdict_rules", "verdict"], unique=False)
    op.create_table(
        "car_park_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("car_park_ids", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_car_park_imports")),
    )
    with op.batch_alter_table("car_park_imports", schema=None) as batch_op:
        batch_op.create_index("ix_car_park_imports_at", ["imported_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("car_park_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_car_park_imports_at")
    op.drop_table("car_park_imports")
    with op.batch_alter_table("car_parks", schema=None) as batch_op:
        batch_op.drop_index("ix_car_parks_verdict")
        batch_op.drop_index("ix_car_parks_category")
        for column in ("lat_deg", "lon_deg", "shortfall", "leading_rule", "verdict_rules", "verdict"):
            batch_op.drop_column(column)
