"""user time zone

users.time_zone is the IANA name of the zone a user reads times in ("Europe/Paris",
tracker/timezones.py). Existing users get NULL: not known yet, shown in the default zone
(DEFAULT_TIME_ZONE, UTC) until their next sign-in from a browser that tells its zone, or
until they choose one on My account.

Revision ID: 3f6a8d1c5b27
Revises: 9c4f1b2e6d38
Create Date: 2026-12-05 23:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f6a8d1c5b27'
down_revision = '9c4f1b2e6d38'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
