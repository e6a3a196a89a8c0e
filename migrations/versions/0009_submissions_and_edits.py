"""forms submitted once, comment edits and withdrawals, edits back to pre-moderation

Revision ID: 0009_submissions_and_edits
Revises: 0008_email_verification
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_submissions_and_edits'
down_revision = '0008_email_verification'
branch_labels = None
depends_on = None

COMMENT_VISIBILITY = "visibility IN ('visible', 'pending', 'auto_hidden', 'hidden', 'withdrawn')"
COMMENT_VISIBILITY_BEFORE = "visibility IN ('visible', 'pending', 'auto_hidden', 'hidden')"
ACTIONS_BEFORE = (
    "'hide', 'restore', 'approve', 'dismiss', 'auto_hide', 'decline', 'merge', 'lock', 'unlock', "
    "'classify', 'feedback', 'warn', 'suspend', 'reinstate', 'reclassify'"
)
ACTION = f"action IN ({ACTIONS_BEFORE}, 'approve_edit', 'reject_edit')"
ACTION_BEFORE = f"action IN ({ACTIONS_BEFORE})"


def upgrade():
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('user_id', 'token', name=op.f('uq_submissions_user_id_token'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_submissions_user_fingerprint', ['user_id', 'fingerprint'], unique=False)

    op.create_table('comment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('html_rules', sa.Integer(), server_default='0', nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_revisions_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_comment_revisions_edited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revisions'))
    )
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revisions_comment_id'), ['comment_id'], unique=False)

    op.create_table('pending_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("target_type IN ('issue', 'comment')", name=op.f('ck_pending_edits_target_type_valid')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_pending_edits_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_pending_edits_issue_id_issues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_edits')),
    sa.UniqueConstraint('target_type', 'target_id', name=op.f('uq_pending_edits_target_type_target_id'))
    )
    with op.batch_alter_table('pending_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_edits_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_edits_issue_id'), ['issue_id'], unique=False)

    # Existing reactions were never changed by their author: no time of change.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_comments_visibility_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_comments_visibility_valid'), COMMENT_VISIBILITY)

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_actions_action_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_moderation_actions_action_valid'), ACTION)


def downgrade():
    # The log of approved and rejected changes, and withdrawn reactions, have no place in the older schema.
    op.execute("DELETE FROM moderation_actions WHERE action IN ('approve_edit', 'reject_edit')")
    op.execute("UPDATE comments SET visibility = 'hidden' WHERE visibility = 'withdrawn'")

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_actions_action_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_moderation_actions_action_valid'), ACTION_BEFORE)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_comments_visibility_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_comments_visibility_valid'), COMMENT_VISIBILITY_BEFORE)
        batch_op.drop_column('edited_at')

    with op.batch_alter_table('pending_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_edits_issue_id'))
        batch_op.drop_index(batch_op.f('ix_pending_edits_created_at'))
    op.drop_table('pending_edits')

    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revisions_comment_id'))
    op.drop_table('comment_revisions')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_user_fingerprint')
        batch_op.drop_index(batch_op.f('ix_submissions_created_at'))
    op.drop_table('submissions')
