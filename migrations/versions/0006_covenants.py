"""covenants: drafts from agendas, parties, text revisions, versions with fingerprints, signatures, council links

Revision ID: 0006_covenants
Revises: 0005_moderation
Create Date: 2026-12-03 08:27:57.280979

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_covenants'
down_revision = '0005_moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('covenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('commits_municipality', sa.Boolean(), nullable=False),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_force_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_party', sa.String(length=20), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'open', 'in_force', 'ended')", name=op.f('ck_covenants_status_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_covenants_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_covenants_ended_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_covenants_process_id_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenants'))
    )
    with op.batch_alter_table('covenants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenants_process_id'), ['process_id'], unique=False)

    op.create_table('council_position_covenants',
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_council_position_covenants_covenant_id_covenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['position_id'], ['council_positions.id'], name=op.f('fk_council_position_covenants_position_id_council_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('position_id', 'covenant_id', name=op.f('pk_council_position_covenants'))
    )
    with op.batch_alter_table('council_position_covenants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_position_covenants_covenant_id'), ['covenant_id'], unique=False)

    op.create_table('covenant_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('base_revision', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_drafts_covenant_id_covenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_covenant_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_drafts')),
    sa.UniqueConstraint('covenant_id', 'user_id', name=op.f('uq_covenant_drafts_covenant_id_user_id'))
    )
    with op.batch_alter_table('covenant_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_drafts_user_id'), ['user_id'], unique=False)

    op.create_table('covenant_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('from_agendas', sa.Boolean(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_covenant_parties_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_parties_covenant_id_covenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_covenant_parties_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_parties')),
    sa.UniqueConstraint('covenant_id', 'party', name=op.f('uq_covenant_parties_covenant_id_party'))
    )
    with op.batch_alter_table('covenant_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_parties_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('covenant_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('merged', sa.Boolean(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('event_args', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_covenant_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_revisions_covenant_id_covenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_revisions')),
    sa.UniqueConstraint('covenant_id', 'number', name=op.f('uq_covenant_revisions_covenant_id_number'))
    )
    op.create_table('covenant_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_force_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_versions_covenant_id_covenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_covenant_versions_opened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_versions')),
    sa.UniqueConstraint('covenant_id', 'number', name=op.f('uq_covenant_versions_covenant_id_number'))
    )
    with op.batch_alter_table('covenant_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_versions_content_hash'), ['content_hash'], unique=False)

    op.create_table('covenant_agendas',
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('agenda_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_id'], ['agendas.id'], name=op.f('fk_covenant_agendas_agenda_id_agendas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_agendas_covenant_id_covenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('covenant_id', 'agenda_id', name=op.f('pk_covenant_agendas'))
    )
    with op.batch_alter_table('covenant_agendas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_agendas_agenda_id'), ['agenda_id'], unique=False)

    op.create_table('covenant_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('covenant_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=20), nullable=False),
    sa.Column('party_name', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_role', sa.String(length=20), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['covenant_id'], ['covenants.id'], name=op.f('fk_covenant_signatures_covenant_id_covenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_covenant_signatures_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['covenant_versions.id'], name=op.f('fk_covenant_signatures_version_id_covenant_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covenant_signatures')),
    sa.UniqueConstraint('version_id', 'party', name=op.f('uq_covenant_signatures_version_id_party'))
    )
    with op.batch_alter_table('covenant_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covenant_signatures_covenant_id'), ['covenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covenant_signatures_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('covenant_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_signatures_user_id'))
        batch_op.drop_index(batch_op.f('ix_covenant_signatures_covenant_id'))

    op.drop_table('covenant_signatures')
    with op.batch_alter_table('covenant_agendas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_agendas_agenda_id'))

    op.drop_table('covenant_agendas')
    with op.batch_alter_table('covenant_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_versions_content_hash'))

    op.drop_table('covenant_versions')
    op.drop_table('covenant_revisions')
    with op.batch_alter_table('covenant_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_parties_organisation_id'))

    op.drop_table('covenant_parties')
    with op.batch_alter_table('covenant_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenant_drafts_user_id'))

    op.drop_table('covenant_drafts')
    with op.batch_alter_table('council_position_covenants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_position_covenants_covenant_id'))

    op.drop_table('council_position_covenants')
    with op.batch_alter_table('covenants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covenants_process_id'))

    op.drop_table('covenants')
