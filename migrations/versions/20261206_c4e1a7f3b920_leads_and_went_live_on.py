"""organisation leads and actual go-live

users.is_lead: a client or partner user who invites and deactivates colleagues of their own
organisation and may sign go-live off. projects.went_live_on: the day the project actually
went live (NULL until the CSM confirms it). Existing users are not leads and no project has
gone live; downgrading drops both columns and keeps the rows.

Revision ID: c4e1a7f3b920
Revises: b7c3d5e9f102
Create Date: 2026-12-06 01:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e1a7f3b920"
down_revision = "b7c3d5e9f102"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("is_lead", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("projects") as batch_op:
        batch_op.add_column(sa.Column("went_live_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("projects") as batch_op:
        batch_op.drop_column("went_live_on")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("is_lead")
