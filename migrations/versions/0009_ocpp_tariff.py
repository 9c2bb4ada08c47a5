"""Tariffs and session costs, transaction sync (GetTransactionStatus), per-station boot intervals

Tariffs become data: ``tariffs`` (seeded with the shipped Hunan time-of-use tariff as the default),
``tariff_assignments`` (a station's or a site's tariff), ``transaction_costs`` (each session's pinned tariff
and cost), ``transaction_sync`` (TransactionEvent gaps and the station's answers) and
``station_boot_settings`` (a station's own Pending retry and heartbeat intervals).

Revision ID: 0009_ocpp_tariff
Revises: 0009_ocpp_security
Create Date: 2026-12-02 20:10:00
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0009_ocpp_tariff"
down_revision = "0009_ocpp_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tariffs = op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "tariff_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(["tariff_id"], ["tariffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "target_id", name="uq_tariff_assignments_target"),
    )
    op.create_index("ix_tariff_assignments_tariff_id", "tariff_assignments", ["tariff_id"])
    op.create_table(
        "transaction_costs",
        sa.Column("transaction_pk", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=True),
        sa.Column("tariff", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cost", sa.Float(), nullable=False),
        sa.Column("energy_wh", sa.Float(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("computed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("cost_sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tariff_id"], ["tariffs.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["transaction_pk"], ["transactions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("transaction_pk"),
    )
    op.create_table(
        "transaction_sync",
        sa.Column("transaction_pk", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("missing_seq_nos", sa.JSON(), nullable=False),
        sa.Column("messages_in_queue", sa.Boolean(), nullable=True),
        sa.Column("ongoing", sa.Boolean(), nullable=True),
        sa.Column("asked_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("reconciled_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["transaction_pk"], ["transactions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("transaction_pk"),
    )
    op.create_table(
        "station_boot_settings",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("pending_retry_interval_s", sa.Integer(), nullable=True),
        sa.Column("heartbeat_interval_s", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id"),
    )
    # The shipped Hunan time-of-use tariff becomes the default tariff, as data.
    text = resources.files("csms.domain.data").joinpath("tariff_hunan.json").read_text(encoding="utf-8")
    definition = json.loads(text)
    now = datetime.now(UTC)
    op.bulk_insert(tariffs, [{
        "name": definition["name"], "definition": definition, "is_default": True,
        "created_at": now, "updated_at": now,
    }])


def downgrade() -> None:
    op.drop_table("station_boot_settings")
    op.drop_table("transaction_sync")
    op.drop_table("transaction_costs")
    op.drop_index("ix_tariff_assignments_tariff_id", table_name="tariff_assignments")
    op.drop_table("tariff_assignments")
    op.drop_table("tariffs")
