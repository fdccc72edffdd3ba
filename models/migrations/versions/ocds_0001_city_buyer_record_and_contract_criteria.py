"""city buyer record (language, country and region codes, organisation identifier)
and planned contracts' award and selection criteria

Revision ID: ocds_0001
Revises: load_0002
Create Date: 2026-12-04 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'ocds_0001'
down_revision = 'load_0002'  # chained after main's head (load_0002) to keep one head
branch_labels = None
depends_on = None

CITY_COLUMNS = (
    ('language', 35, 'en'),
    ('country_code', 2, ''),
    ('region_code', 3, ''),
    ('buyer_id_scheme', 40, ''),
    ('buyer_id', 100, ''),
)


def upgrade() -> None:
    with op.batch_alter_table('cities', schema=None) as batch_op:
        for name, length, default in CITY_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), server_default=default, nullable=False)
            )
    with op.batch_alter_table('planned_contracts', schema=None) as batch_op:
        for name in ('award_criteria', 'selection_criteria'):
            batch_op.add_column(sa.Column(name, sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('planned_contracts', schema=None) as batch_op:
        batch_op.drop_column('selection_criteria')
        batch_op.drop_column('award_criteria')
    with op.batch_alter_table('cities', schema=None) as batch_op:
        for name, _length, _default in reversed(CITY_COLUMNS):
            batch_op.drop_column(name)
