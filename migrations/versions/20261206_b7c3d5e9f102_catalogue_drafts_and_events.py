"""catalogue drafts and events

The catalogue draft administrators edit in the web app before publishing it as a new
version (catalogue_drafts: at most one row, its content in the loader's file format, with
an optimistic lock), and the catalogue's audit trail (catalogue_events: who changed the
draft, which fields, who published which version). Downgrading drops both tables.

Revision ID: b7c3d5e9f102
Revises: a8fdfa080c45
Create Date: 2026-12-06 00:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c3d5e9f102"
down_revision = "a8fdfa080c45"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalogue_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("singleton", sa.Boolean(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("singleton"),
    )
    op.create_table(
        "catalogue_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("catalogue_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalogue_events_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("catalogue_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_events_created_at"))
    op.drop_table("catalogue_events")
    op.drop_table("catalogue_drafts")
