"""OCPP messages (issue 13): installed charging profiles and their requests, external charging limits,
reservations, firmware campaigns and publications

Revision ID: 0009_ocpp_msgs
Revises: 0009_site_lease_fences
Create Date: 2026-12-02 20:01:09.105222
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import csms.db.base

revision = "0009_ocpp_msgs"
down_revision = "0009_site_lease_fences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firmware_campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location", sa.String(length=512), nullable=False),
        sa.Column("retrieve_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("install_at", csms.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("signing_certificate", sa.Text(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("retry_interval_s", sa.Integer(), nullable=True),
        sa.Column("created_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firmware_campaigns")),
    )
    op.create_table(
        "charging_profile_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("requested_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", csms.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_charging_profile_requests_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_charging_profile_requests")),
    )
    with op.batch_alter_table("charging_profile_requests", schema=None) as batch_op:
        batch_op.create_index("ix_charging_profile_requests_station", ["station_id"], unique=False)

    op.create_table(
        "external_charging_limits",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("is_grid_critical", sa.Boolean(), nullable=True),
        sa.Column("schedules", sa.JSON(), nullable=True),
        sa.Column("received_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_external_charging_limits_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", "evse_id", "source", name=op.f("pk_external_charging_limits")),
    )
    op.create_table(
        "firmware_campaign_stations",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=True),
        sa.Column("answer", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("updated_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["firmware_campaigns.id"],
            name=op.f("fk_firmware_campaign_stations_campaign_id_firmware_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_firmware_campaign_stations_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "station_id", name=op.f("pk_firmware_campaign_stations")),
        sa.UniqueConstraint("request_id", name=op.f("uq_firmware_campaign_stations_request_id")),
    )
    op.create_table(
        "firmware_publications",
        sa.Column("request_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("location", sa.String(length=512), nullable=False),
        sa.Column("checksum", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("locations", sa.JSON(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("requested_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("unpublished_at", csms.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_firmware_publications_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_firmware_publications")),
    )
    with op.batch_alter_table("firmware_publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firmware_publications_station_id"), ["station_id"], unique=False)

    op.create_table(
        "installed_charging_profiles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("reported_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_installed_charging_profiles_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installed_charging_profiles")),
        sa.UniqueConstraint("station_id", "evse_id", "profile_id", name="uq_installed_charging_profiles_key"),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("connector_type", sa.String(length=20), nullable=True),
        sa.Column("id_token", sa.String(length=36), nullable=False),
        sa.Column("id_token_type", sa.String(length=20), nullable=True),
        sa.Column("group_id_token", sa.String(length=36), nullable=True),
        sa.Column("expires_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("station_answer", sa.String(length=16), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", csms.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", csms.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_reservations_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index("ix_reservations_station_status", ["station_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_station_status")

    op.drop_table("reservations")
    op.drop_table("installed_charging_profiles")
    with op.batch_alter_table("firmware_publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_firmware_publications_station_id"))

    op.drop_table("firmware_publications")
    op.drop_table("firmware_campaign_stations")
    op.drop_table("external_charging_limits")
    with op.batch_alter_table("charging_profile_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_charging_profile_requests_station")

    op.drop_table("charging_profile_requests")
    op.drop_table("firmware_campaigns")
