"""council: positions and decisions of the council, linked to issues

Revision ID: 0004_council
Revises: 0003_agendas
Create Date: 2026-11-23 19:24:17.174772

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_council'
down_revision = '0003_agendas'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('faction', sa.String(length=120), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind <> 'faction_position' OR faction <> ''", name=op.f('ck_council_positions_faction_named')),
    sa.CheckConstraint("kind IN ('council_decision', 'motion', 'commitment', 'faction_position')", name=op.f('ck_council_positions_kind_valid')),
    sa.CheckConstraint("outcome IN ('approved', 'rejected', 'postponed', 'noted')", name=op.f('ck_council_positions_outcome_valid')),
    sa.CheckConstraint("phase IN ('approach', 'participants', 'issues', 'interim', 'agendas', 'covenants')", name=op.f('ck_council_positions_phase_valid')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_council_positions_process_id_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_council_positions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_positions'))
    )
    with op.batch_alter_table('council_positions', schema=None) as batch_op:
        batch_op.create_index('ix_council_positions_process_decided', ['process_id', 'decided_on'], unique=False)

    op.create_table('council_position_issues',
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_council_position_issues_issue_id_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['position_id'], ['council_positions.id'], name=op.f('fk_council_position_issues_position_id_council_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('position_id', 'issue_id', name=op.f('pk_council_position_issues'))
    )
    with op.batch_alter_table('council_position_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_position_issues_issue_id'), ['issue_id'], unique=False)


def downgrade():
    with op.batch_alter_table('council_position_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_position_issues_issue_id'))

    op.drop_table('council_position_issues')
    with op.batch_alter_table('council_positions', schema=None) as batch_op:
        batch_op.drop_index('ix_council_positions_process_decided')

    op.drop_table('council_positions')
