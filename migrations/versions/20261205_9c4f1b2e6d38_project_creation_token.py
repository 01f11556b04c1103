"""project creation token

projects.creation_token: the new-project form's own random token, unique, so that the
same form posted twice (a double click, a reload) creates one project.

Revision ID: 9c4f1b2e6d38
Revises: 7a1d3e9c2b55
Create Date: 2026-12-05 21:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4f1b2e6d38'
down_revision = '7a1d3e9c2b55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creation_token', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_projects_creation_token', ['creation_token'])


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint('uq_projects_creation_token', type_='unique')
        batch_op.drop_column('creation_token')
