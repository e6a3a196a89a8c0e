"""processes start unpublished, phase changes carry a reason

Revision ID: 0010_phase_guard
Revises: 0009_submissions_and_edits
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_phase_guard'
down_revision = '0009_submissions_and_edits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_processes_published_by_id_users'), 'users', ['published_by_id'], ['id'], ondelete='SET NULL')

    # Processes that exist already were public: they count as published since they were made.
    op.execute("UPDATE processes SET published_at = created_at WHERE published_at IS NULL")


def downgrade():
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_processes_published_by_id_users'), type_='foreignkey')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('published_at')
