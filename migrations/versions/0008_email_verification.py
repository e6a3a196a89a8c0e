"""e-mail verification of accounts, and the once-a-day warning about password guessing

Revision ID: 0008_email_verification
Revises: 0007_rendered_html
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_email_verification'
down_revision = '0007_rendered_html'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('login_warning_sent_at', sa.DateTime(timezone=True), nullable=True))

    # Accounts that exist already were made when registering was enough: they count as confirmed,
    # from the moment they were made.
    op.execute('UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('login_warning_sent_at')
        batch_op.drop_column('email_verified_at')
