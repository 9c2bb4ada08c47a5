"""car parks' stored verdicts and positions, and the console's register imports (issue 18)

Revision ID: 0010_compliance_console
Revises: 0010_station_location
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0010_compliance_console"
down_revision = "0010_station_location"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "car_park_verdicts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("verdict_rules", sa.String(length=200), nullable=True),
        sa.Column("leading_rule", sa.String(length=60), nullable=True),
        sa.Column("shortfall", sa.Integer(), nullable=True),
        sa.Column("lon_deg", sa.Float(), nullable=True),
        sa.Column("lat_deg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["car_parks.id"], name=op.f("fk_car_park_verdicts_id_car_parks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_car_park_verdicts")),
    )
    with op.batch_alter_table("car_park_verdicts", schema=None) as batch_op:
        batch_op.create_index("ix_car_park_verdicts_district", ["district"], unique=False)
        batch_op.create_index("ix_car_park_verdicts_category", ["category"], unique=False)
        batch_op.create_index("ix_car_park_verdicts_verdict", ["verdict_rules", "verdict"], unique=False)
    # Car parks stored before: listed, not yet judged (the console judges them on request).
    op.execute(
        "INSERT INTO car_park_verdicts (id, name, district, category) "
        "SELECT id, name, district, category FROM car_parks"
    )
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
    with op.batch_alter_table("car_park_verdicts", schema=None) as batch_op:
        batch_op.drop_index("ix_car_park_verdicts_verdict")
        batch_op.drop_index("ix_car_park_verdicts_category")
        batch_op.drop_index("ix_car_park_verdicts_district")
    op.drop_table("car_park_verdicts")
