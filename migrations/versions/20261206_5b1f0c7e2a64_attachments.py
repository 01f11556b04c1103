"""evidence files attached to items and comments

attachments: one row per file attached to a checklist item (or to one of its comments); the
bytes live in the file store under storage_key (tracker.files.storage), never in the
database. hidden_at/hidden_by_id record a removal, which the CSM can undo. A new table:
existing rows are untouched; downgrading drops it (the stored files stay in the store).

Revision ID: 5b1f0c7e2a64
Revises: d5a2c8e41f07
Create Date: 2026-12-06 01:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1f0c7e2a64"
down_revision = "d5a2c8e41f07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("internal", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["checklist_items.id"]),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"]),
        sa.ForeignKeyConstraint(["uploader_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["hidden_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    op.create_index("ix_attachments_comment_id", "attachments", ["comment_id"])
    op.create_index("ix_attachments_item_id_hidden_at", "attachments", ["item_id", "hidden_at"])


def downgrade():
    op.drop_index("ix_attachments_item_id_hidden_at", table_name="attachments")
    op.drop_index("ix_attachments_comment_id", table_name="attachments")
    op.drop_table("attachments")
