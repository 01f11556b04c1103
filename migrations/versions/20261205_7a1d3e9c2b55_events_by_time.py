"""events by time

A project's history is ordered by when each change happened (then by id), no longer by id
alone: an index for that order.

Revision ID: 7a1d3e9c2b55
Revises: 5e8b2c7d4a10
Create Date: 2026-12-05 21:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a1d3e9c2b55'
down_revision = '5e8b2c7d4a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_events_project_id_created_at_id', ['project_id', 'created_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_project_id_created_at_id')
