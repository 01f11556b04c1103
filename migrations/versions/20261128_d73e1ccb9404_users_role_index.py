"""users role index

ix_users_role: the users who may be assigned a project's items (the item controls of the
project page, checklist.controls) are the active Infor users (role IN admin, csm, ims) and
the project's client and partner users (by organisation). Without an index on the role,
SQLite and PostgreSQL read every user for that OR: 11,000 users at 20,000 projects, 3.5 ms
on SQLite; with it SQLite reads three index ranges (MULTI-INDEX OR), 0.13 ms, and
PostgreSQL a BitmapOr of the two indexes.

Revision ID: d73e1ccb9404
Revises: d77b3320df3e
Create Date: 2026-11-28 13:32:38.158894

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd73e1ccb9404'
down_revision = 'd77b3320df3e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_role', 'users', ['role'], if_not_exists=True)


def downgrade():
    op.drop_index('ix_users_role', table_name='users', if_exists=True)
