"""photos and files on issues

Revision ID: 0012_issue_attachments
Revises: 0011_notifications
Create Date: 2026-12-07 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_issue_attachments'
down_revision = '0011_notifications'
branch_labels = None
depends_on = None


def upgrade():
    # A new table: no existing rows to fill. The files themselves live in UPLOAD_FOLDER.
    op.create_table('issue_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('mime', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('alt_text', sa.String(length=200), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('photo', 'pdf')", name=op.f('ck_issue_attachments_kind_valid')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_issue_attachments_size_positive')),
    sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_issue_attachments_issue_id_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_issue_attachments_uploader_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_attachments')),
    sa.UniqueConstraint('token', name=op.f('uq_issue_attachments_token'))
    )
    with op.batch_alter_table('issue_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_attachments_issue_id'), ['issue_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issue_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_attachments_issue_id'))

    op.drop_table('issue_attachments')
