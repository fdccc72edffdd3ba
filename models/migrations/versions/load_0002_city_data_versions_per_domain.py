"""city data versions per data domain (cache keys that a write to another domain leaves valid)

Revision ID: load_0002
Revises: facts_0001
Create Date: 2026-12-04 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'load_0002'
down_revision = 'facts_0001'  # chained after main's head (facts) to keep one head
branch_labels = None
depends_on = None

DOMAINS = ('profile', 'kpis', 'projects', 'finance', 'procurement', 'portfolio')


def upgrade() -> None:
    with op.batch_alter_table('cities', schema=None) as batch_op:
        for domain in DOMAINS:
            batch_op.add_column(
                sa.Column(f'{domain}_version', sa.Integer(), server_default='0', nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table('cities', schema=None) as batch_op:
        for domain in reversed(DOMAINS):
            batch_op.drop_column(f'{domain}_version')
