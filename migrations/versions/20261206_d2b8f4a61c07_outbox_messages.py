"""outbox messages

outbox_messages: every e-mail the tracker sends, written in the same transaction as the
change that causes it and delivered by `flask outbox deliver` / `flask outbox work`
(tracker/outbox). Downgrading drops the table (and whatever was still waiting in it).

Revision ID: d2b8f4a61c07
Revises: c4e1a7f3b920
Create Date: 2026-12-06 01:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2b8f4a61c07"
down_revision = "c4e1a7f3b920"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("available_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outbox_messages_state_available_at",
        "outbox_messages",
        ["state", "available_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_outbox_messages_state_available_at", table_name="outbox_messages")
    op.drop_table("outbox_messages")
