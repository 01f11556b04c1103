"""internal comments

comments.internal: a comment for the vendor's people, IMS and partners only, never shown to
the customer's users; events.internal: the event recording such a comment, left out of what
those users read (history, item pages) for the same reason. Existing rows are not internal.

Revision ID: 3f6a8d2c1b47
Revises: 3f6a8d1c5b27
Create Date: 2026-12-05 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f6a8d2c1b47'
down_revision = '3f6a8d1c5b27'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('comments', 'events'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('internal', sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade():
    for table in ('events', 'comments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('internal')
