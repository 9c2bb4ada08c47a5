"""site_lease_fences: the highest lease token that has sent charging profiles for each site

With several CSMS nodes, each site's energy-management cycle runs on the node holding the site's lease in
Redis; a cycle records its lease's fencing token here before sending, so a node that stalled past its lease
cannot send after another took the site over (csms.services.leases).

Revision ID: 0009_site_lease_fences
Revises: 0008_dr_cancelled_at
Create Date: 2026-12-02 20:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_site_lease_fences"
down_revision = "0008_dr_cancelled_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_lease_fences",
        sa.Column("site_id", sa.String(length=48), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("site_id"),
    )


def downgrade() -> None:
    op.drop_table("site_lease_fences")
