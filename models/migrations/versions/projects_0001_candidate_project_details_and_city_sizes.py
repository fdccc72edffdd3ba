"""candidate project details and city sizes

Adds what a candidate project instantiated from the library carries (intervention
group, contract structure, cost-overrun and delivery risk, cost level, size
parameters, estimate notes, impact notes), lets durations be fractions of a year, and
stores each city's size parameters (water connections, street lights, ...).

Revision ID: projects_0001
Revises: rules_0001
Create Date: 2026-11-29 05:21:42.347519
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'projects_0001'
down_revision = 'rules_0001'  # chained after the current head to keep one head
branch_labels = None
depends_on = None

# new NOT NULL columns get a server default for existing rows, dropped afterwards
_NEW_PROJECT_COLUMNS = (
    ('cost_overrun_risk', sa.String(length=8), "'medium'"),
    ('delivery_risk', sa.String(length=8), "'medium'"),
    ('contract', sa.Text(), "''"),
    ('cost_level', sa.String(length=8), "'typical'"),
    ('sizes', sa.JSON(), "'{}'"),
    ('notes', sa.JSON(), "'[]'"),
)


def upgrade() -> None:
    op.create_table('city_sizes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_city_sizes_value_non_negative')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_city_sizes_city_id_cities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_sizes')),
    sa.UniqueConstraint('city_id', 'name', name=op.f('uq_city_sizes_city_id_name'))
    )
    with op.batch_alter_table('city_sizes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_city_sizes_city_id'), ['city_id'], unique=False)

    with op.batch_alter_table('project_impacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table('project_impacts', schema=None) as batch_op:
        batch_op.alter_column('note', existing_type=sa.Text(), server_default=None)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, type_, default in _NEW_PROJECT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=sa.text(default)))
        batch_op.add_column(sa.Column('intervention', sa.String(length=80), nullable=True))
        batch_op.alter_column('duration_years',
               existing_type=sa.INTEGER(),
               type_=sa.Float(),
               existing_nullable=False)
        batch_op.alter_column('lifetime_years',
               existing_type=sa.INTEGER(),
               type_=sa.Float(),
               existing_nullable=False)
        batch_op.drop_constraint(op.f('ck_projects_duration_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_projects_duration_positive'), 'duration_years > 0')
        batch_op.create_check_constraint(
            op.f('ck_projects_cost_overrun_risk'), "cost_overrun_risk IN ('low', 'medium', 'high')"
        )
        batch_op.create_check_constraint(
            op.f('ck_projects_delivery_risk'), "delivery_risk IN ('low', 'medium', 'high')"
        )
        batch_op.create_check_constraint(
            op.f('ck_projects_cost_level'), "cost_level IN ('low', 'typical', 'high')"
        )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, type_, _default in _NEW_PROJECT_COLUMNS:
            batch_op.alter_column(name, existing_type=type_, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_cost_level'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_delivery_risk'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_cost_overrun_risk'), type_='check')
        batch_op.drop_constraint(op.f('ck_projects_duration_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_projects_duration_positive'), 'duration_years >= 1')
        batch_op.alter_column('lifetime_years',
               existing_type=sa.Float(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.alter_column('duration_years',
               existing_type=sa.Float(),
               type_=sa.INTEGER(),
               existing_nullable=False)
        batch_op.drop_column('intervention')
        for name, _type, _default in reversed(_NEW_PROJECT_COLUMNS):
            batch_op.drop_column(name)

    with op.batch_alter_table('project_impacts', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('city_sizes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_city_sizes_city_id'))

    op.drop_table('city_sizes')
