"""text rendered once when saved (clean HTML stored beside the source)

Revision ID: 0007_rendered_html
Revises: 0006_covenants
Create Date: 2026-12-07 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rendered_html'
down_revision = '0006_covenants'
branch_labels = None
depends_on = None

# table -> its Markdown columns, with whether headings stay (app/rendered.py declares the same on the models)
MARKDOWN = {
    'issues': {'description': False, 'feedback': False},
    'issue_revisions': {'description': False},
    'issue_status_changes': {'reason': False},
    'comments': {'body': False},
    'processes': {'description': False, 'plan': False},
    'council_positions': {'summary': False},
    'moderation_actions': {'reason': False},
    'consent_answers': {'reason': False},
    'covenant_versions': {'text': True},
}
BATCH = 200


def _render_existing(table_name, columns):
    """Render the rows that are already there, a batch at a time (app.text is the one renderer)."""
    from app.text import RENDER_RULES, render_markdown

    bind = op.get_bind()
    table = sa.table(
        table_name,
        sa.column('id', sa.Integer),
        sa.column('html_rules', sa.Integer),
        *[sa.column(name, sa.Text) for name in columns],
        *[sa.column(f'{name}_html', sa.Text) for name in columns],
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam('row_id'))
        .values(html_rules=RENDER_RULES, **{f'{name}_html': sa.bindparam(f'new_{name}') for name in columns})
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, *[table.c[name] for name in columns])
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            update,
            [
                {
                    'row_id': row.id,
                    **{f'new_{name}': str(render_markdown(row._mapping[name], headings)) for name, headings in columns.items()},
                }
                for row in rows
            ],
        )
        after = rows[-1].id


def upgrade():
    for table_name, columns in MARKDOWN.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name in columns:
                batch_op.add_column(sa.Column(f'{name}_html', sa.Text(), server_default='', nullable=False))
            batch_op.add_column(sa.Column('html_rules', sa.Integer(), server_default='0', nullable=False))
        _render_existing(table_name, columns)
        # the default only served the rows already there; new rows get their HTML from the app
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name in columns:
                batch_op.alter_column(f'{name}_html', server_default=None, existing_type=sa.Text(), existing_nullable=False)


def downgrade():
    for table_name, columns in reversed(list(MARKDOWN.items())):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('html_rules')
            for name in reversed(list(columns)):
                batch_op.drop_column(f'{name}_html')
