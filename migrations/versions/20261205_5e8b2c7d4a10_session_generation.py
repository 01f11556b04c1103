"""session generation

users.session_generation is part of the identity a browser's session and "keep me signed
in" cookie carry (tracker/models/user.py, User.get_id): increasing it (sign-out, a new
password, deactivation) ends every session of that user, copied cookies included. Sessions
opened before this migration carry no generation and must sign in again.

Revision ID: 5e8b2c7d4a10
Revises: 1c9354dbc1cc
Create Date: 2026-12-05 20:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e8b2c7d4a10'
down_revision = '1c9354dbc1cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
