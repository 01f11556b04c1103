"""takeovers, decisions and paired rows

checklist_items.replaces_id: the item an item took over from when its row passed to another
party (IMS took a client row over, the implementer changed); checklist_items.kept_open: the
project's CSM decided to keep an item open although its row no longer applies.
responsibilities.rationale_fr: the rationale of a row in French; responsibilities.follows_id
and follow_days: a row that follows another falls due that many days after it. Existing rows
replace nothing, are not kept open, and follow no row.

Revision ID: a8fdfa080c45
Revises: e2df3f6950ad
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8fdfa080c45'
down_revision = 'e2df3f6950ad'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('kept_open', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f('ix_checklist_items_replaces_id'), ['replaces_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_checklist_items_replaces_id_checklist_items'),
            'checklist_items',
            ['replaces_id'],
            ['id'],
        )
    with op.batch_alter_table('responsibilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rationale_fr', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('follow_days', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_responsibilities_follows_id_responsibilities'),
            'responsibilities',
            ['follows_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('responsibilities', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_responsibilities_follows_id_responsibilities'), type_='foreignkey'
        )
        batch_op.drop_column('follow_days')
        batch_op.drop_column('follows_id')
        batch_op.drop_column('rationale_fr')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_checklist_items_replaces_id_checklist_items'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_checklist_items_replaces_id'))
        batch_op.drop_column('kept_open')
        batch_op.drop_column('replaces_id')
