"""ev_charging_needs and signed_meter_values (issue 17: EV needs per session, signed meter data)

Revision ID: 0009_energy
Revises: 0009_ocpp_tariff
Create Date: 2026-12-02 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0009_energy"
down_revision = "0009_ocpp_tariff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ev_charging_needs",
        sa.Column("transaction_pk", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("departure_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("energy_requested_wh", sa.Float(), nullable=True),
        sa.Column("energy_at_request_wh", sa.Float(), nullable=True),
        sa.Column("ev_max_power_w", sa.Float(), nullable=True),
        sa.Column("ev_min_power_w", sa.Float(), nullable=True),
        sa.Column("energy_transfer", sa.String(length=32), nullable=True),
        sa.Column("max_schedule_tuples", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("ev_schedule", sa.JSON(), nullable=True),
        sa.Column("ev_schedule_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_pk"], ["transactions.id"],
            name=op.f("fk_ev_charging_needs_transaction_pk_transactions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("transaction_pk", name=op.f("pk_ev_charging_needs")),
    )
    with op.batch_alter_table("ev_charging_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ev_charging_needs_station_id"), ["station_id"], unique=False)
    op.create_table(
        "signed_meter_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("transaction_pk", sa.Integer(), nullable=True),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", UtcDateTime(timezone=True), nullable=False),
        sa.Column("context", sa.String(length=32), nullable=True),
        sa.Column("measurand", sa.String(length=50), nullable=False),
        sa.Column("signed_meter_data", sa.Text(), nullable=False),
        sa.Column("signing_method", sa.String(length=50), nullable=True),
        sa.Column("encoding_method", sa.String(length=50), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"],
            name=op.f("fk_signed_meter_values_station_id_stations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_pk"], ["transactions.id"],
            name=op.f("fk_signed_meter_values_transaction_pk_transactions"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_meter_values")),
    )
    with op.batch_alter_table("signed_meter_values", schema=None) as batch_op:
        batch_op.create_index("ix_signed_meter_values_tx", ["transaction_pk", "timestamp"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signed_meter_values", schema=None) as batch_op:
        batch_op.drop_index("ix_signed_meter_values_tx")
    op.drop_table("signed_meter_values")
    with op.batch_alter_table("ev_charging_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ev_charging_needs_station_id"))
    op.drop_table("ev_charging_needs")
