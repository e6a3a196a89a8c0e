"""moderation: the log, visibility of issues and comments, feedback, settings, and the 3P balance

Revision ID: 0005_moderation
Revises: 0004_council
Create Date: 2026-11-23 19:33:02.839270

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_moderation'
down_revision = '0004_council'
branch_labels = None
depends_on = None

VISIBILITY = "visibility IN ('visible', 'pending', 'auto_hidden', 'hidden')"


def upgrade():
    op.create_table('balance_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=15), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('puzzling', 'powering', 'participation')", name=op.f('ck_balance_overrides_category_valid')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_balance_overrides_changed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_overrides')),
    sa.UniqueConstraint('source', 'target_id', name=op.f('uq_balance_overrides_source_target_id'))
    )
    op.create_table('moderation_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'restore', 'approve', 'dismiss', 'auto_hide', 'decline', 'merge', 'lock', 'unlock', 'classify', 'feedback', 'warn', 'suspend', 'reinstate', 'reclassify')", name=op.f('ck_moderation_actions_action_valid')),
    sa.CheckConstraint("target_type IN ('issue', 'comment', 'user')", name=op.f('ck_moderation_actions_target_type_valid')),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_moderation_actions_issue_id_issues'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_actions_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_moderation_actions_process_id_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_actions'))
    )
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_actions_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_actions_process_id'), ['process_id'], unique=False)
        batch_op.create_index('ix_moderation_actions_target', ['target_type', 'target_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=12), server_default='visible', nullable=False))
        batch_op.add_column(sa.Column('moderation_note', sa.Text(), server_default='', nullable=False))
        batch_op.create_check_constraint(op.f('ck_comments_visibility_valid'), VISIBILITY)

    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=12), server_default='visible', nullable=False))
        batch_op.add_column(sa.Column('moderation_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('discussion_locked', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('feedback', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_issues_visibility_valid'), VISIBILITY)

    # The empty defaults only fill existing rows; the application always writes these columns.
    for table, column in (('comments', 'moderation_note'), ('issues', 'moderation_note'), ('issues', 'feedback')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None, existing_type=sa.Text(), existing_nullable=False)

    with op.batch_alter_table('process_phases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_puzzling', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('target_powering', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('target_participation', sa.Integer(), nullable=True))

    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premoderate_first', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('auto_hide_after', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_processes_moderation_settings_valid'), 'premoderate_first >= 0 AND auto_hide_after >= 0'
        )



def downgrade():
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_processes_moderation_settings_valid'), type_='check')
        batch_op.drop_column('auto_hide_after')
        batch_op.drop_column('premoderate_first')

    with op.batch_alter_table('process_phases', schema=None) as batch_op:
        batch_op.drop_column('target_participation')
        batch_op.drop_column('target_powering')
        batch_op.drop_column('target_puzzling')

    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_issues_visibility_valid'), type_='check')
        batch_op.drop_column('feedback_at')
        batch_op.drop_column('feedback')
        batch_op.drop_column('discussion_locked')
        batch_op.drop_column('moderation_note')
        batch_op.drop_column('visibility')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_comments_visibility_valid'), type_='check')
        batch_op.drop_column('moderation_note')
        batch_op.drop_column('visibility')

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_actions_target')
        batch_op.drop_index(batch_op.f('ix_moderation_actions_process_id'))
        batch_op.drop_index('ix_moderation_actions_created')

    op.drop_table('moderation_actions')
    op.drop_table('balance_overrides')
