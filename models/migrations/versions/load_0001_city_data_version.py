"""city data version (cache key of snapshots and charts)

Revision ID: load_0001
Revises: jobs_0001
Create Date: 2026-11-29 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'load_0001'
down_revision = 'jobs_0001'  # chained after the current head to keep one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cities', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('data_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('cities', schema=None) as batch_op:
        batch_op.drop_column('data_version')
