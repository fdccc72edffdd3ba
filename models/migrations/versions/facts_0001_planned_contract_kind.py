"""planned contracts: kind of contract (public contract, concession, framework call-off)

Revision ID: facts_0001
Revises: load_0001
Create Date: 2026-12-04 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'facts_0001'
down_revision = 'load_0001'  # chained after the current head to keep one head
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('planned_contracts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'contract_kind', sa.String(length=20), server_default='contract', nullable=False
            )
        )
        batch_op.create_check_constraint(
            op.f('ck_planned_contracts_contract_kind'), "contract_kind IN ('contract', 'concession', 'call-off')"
        )


def downgrade() -> None:
    with op.batch_alter_table('planned_contracts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_planned_contracts_contract_kind'), type_='check')
        batch_op.drop_column('contract_kind')
