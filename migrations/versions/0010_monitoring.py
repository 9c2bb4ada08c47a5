"""variable_monitors, monitoring_requests, monitoring_settings, customer_information_requests/_parts
(issue 13: OCPP 2.0.1 block N, monitoring and customer information)

Revision ID: 0010_monitoring
Revises: 0009_energy
Create Date: 2026-12-03 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from csms.db.base import UtcDateTime

revision = "0010_monitoring"
down_revision = "0009_energy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_information_parts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('seq_no', sa.Integer(), nullable=False),
    sa.Column('tbc', sa.Boolean(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('generated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('received_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_customer_information_parts_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_information_parts')),
    sa.UniqueConstraint('station_id', 'request_id', 'seq_no', name='uq_customer_information_parts_seq')
    )
    op.create_table('customer_information_requests',
    sa.Column('request_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('report', sa.Boolean(), nullable=False),
    sa.Column('clear', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('local_erasure', sa.JSON(), nullable=True),
    sa.Column('requested_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_customer_information_requests_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_customer_information_requests'))
    )
    with op.batch_alter_table('customer_information_requests', schema=None) as batch_op:
        batch_op.create_index('ix_customer_information_requests_station', ['station_id'], unique=False)

    op.create_table('monitoring_requests',
    sa.Column('request_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=True),
    sa.Column('component_variables', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('reports', sa.Integer(), nullable=False),
    sa.Column('requested_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_monitoring_requests_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_monitoring_requests'))
    )
    with op.batch_alter_table('monitoring_requests', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_requests_station', ['station_id'], unique=False)

    op.create_table('monitoring_settings',
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('base', sa.String(length=16), nullable=True),
    sa.Column('base_set_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('level_set_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_monitoring_settings_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', name=op.f('pk_monitoring_settings'))
    )
    op.create_table('variable_monitors',
    sa.Column('station_id', sa.String(length=48), nullable=False),
    sa.Column('monitor_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('component', sa.String(length=50), nullable=False),
    sa.Column('component_instance', sa.String(length=50), nullable=True),
    sa.Column('evse_id', sa.Integer(), nullable=True),
    sa.Column('connector_id', sa.Integer(), nullable=True),
    sa.Column('variable', sa.String(length=50), nullable=False),
    sa.Column('variable_instance', sa.String(length=50), nullable=True),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('transaction', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_variable_monitors_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', 'monitor_id', name=op.f('pk_variable_monitors'))
    )


def downgrade() -> None:
    op.drop_table('variable_monitors')
    op.drop_table('monitoring_settings')
    with op.batch_alter_table('monitoring_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_requests_station')

    op.drop_table('monitoring_requests')
    with op.batch_alter_table('customer_information_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_information_requests_station')

    op.drop_table('customer_information_requests')
    op.drop_table('customer_information_parts')
