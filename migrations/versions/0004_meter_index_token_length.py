"""meter values: drop the unused (station, time) index; id tokens up to 255 characters (OCPP 2.1)

Every read of meter values goes by transaction (``ix_meter_values_tx``); the (station, time) index served
none, and it cost the busiest write in the system a second random B-tree insert per sample (measured: 9 %
more MeterValues/s in ``bench.csms_load``). Deleting a station, which no API does, now scans meter values
for its cascade.

OCPP 2.1 allows an ``idToken`` of 255 characters (2.0.1: 36, 1.6: 20).

Revision ID: 0004_meter_index_token_length
Revises: 0003_compliance
Create Date: 2026-11-24 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_meter_index_token_length"
down_revision = "0003_compliance"
branch_labels = None
depends_on = None

TOKEN_COLUMNS = (("id_tokens", "id_token"), ("id_tokens", "group_id_token"), ("transactions", "id_token"))


def upgrade() -> None:
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_values_station_ts")
    for table, column in TOKEN_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=36), type_=sa.String(length=255))


def downgrade() -> None:
    for table, column in TOKEN_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=255), type_=sa.String(length=36))
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.create_index("ix_meter_values_station_ts", ["station_id", "timestamp"], unique=False)
