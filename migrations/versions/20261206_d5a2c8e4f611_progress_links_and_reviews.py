"""progress links and standing reviews

progress_links: read-only links to one project's progress for people without an account
(only the token's hash is kept), and progress_link_views: one row per view of such a link.
responsibilities.review_every: how often an operations row's items are reviewed after
go-live (NULL for every existing row: never), and standing_reviews: the dated reviews.
The new tables come empty; downgrading drops them and the column.

Revision ID: d5a2c8e4f611
Revises: 5d2b8e41c7a9
Create Date: 2026-12-06 01:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a2c8e4f611"
down_revision = "5d2b8e41c7a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "progress_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("progress_links") as batch_op:
        batch_op.create_index("ix_progress_links_project_id", ["project_id"], unique=False)
    op.create_table(
        "progress_link_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("viewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["progress_links.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("progress_link_views") as batch_op:
        batch_op.create_index(
            "ix_progress_link_views_link_id_viewed_at", ["link_id", "viewed_at"], unique=False
        )


    with op.batch_alter_table("responsibilities") as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_every",
                sa.Enum(
                    "monthly",
                    "quarterly",
                    "yearly",
                    name="review_every",
                    native_enum=False,
                    create_constraint=True,
                    length=9,
                ),
                nullable=True,
            )
        )
    op.create_table(
        "standing_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["checklist_items.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "due_on"),
    )
    with op.batch_alter_table("standing_reviews") as batch_op:
        batch_op.create_index("ix_standing_reviews_project_id", ["project_id"], unique=False)


def downgrade():
    op.drop_table("standing_reviews")
    with op.batch_alter_table("responsibilities") as batch_op:
        batch_op.drop_constraint(op.f("ck_responsibilities_review_every"), type_="check")
        batch_op.drop_column("review_every")
    op.drop_table("progress_link_views")
    op.drop_table("progress_links")
