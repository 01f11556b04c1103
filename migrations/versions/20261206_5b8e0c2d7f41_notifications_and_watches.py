"""notifications and watches

notifications: what happened to an item, for one person, as data (kind, payload), read or
not, and whether an e-mail is waiting for it. watches: who chose to hear about an item, or
not to. users.notification_email: "at_once", "digest" or "off" ("at_once" for existing
users); users.notification_emailed_at: when their last batched e-mail was made. Downgrading
drops both tables and both columns.

Revision ID: 5b8e0c2d7f41
Revises: d5a2c8e4f611
Create Date: 2026-12-06 01:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b8e0c2d7f41"
down_revision = "d5a2c8e4f611"  # the outbox, merged in before it
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("email", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_notifications_actor_id_users"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["checklist_items.id"], name="fk_notifications_item_id_checklist_items"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_notifications_project_id_projects"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_notifications_organisation_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name="fk_notifications_recipient_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_item_id", "notifications", ["item_id"])
    op.create_index(
        "ix_notifications_recipient_created", "notifications", ["recipient_id", "created_at"]
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["recipient_id"],
        sqlite_where=sa.text("read_at IS NULL"),
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index(
        "ix_notifications_email_pending",
        "notifications",
        ["recipient_id"],
        sqlite_where=sa.text("email = 'pending'"),
        postgresql_where=sa.text("email = 'pending'"),
    )
    op.create_table(
        "watches",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("watching", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["checklist_items.id"], name="fk_watches_item_id_checklist_items"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_watches_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", "item_id", name="pk_watches"),
    )
    op.create_index("ix_watches_item_id", "watches", ["item_id"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "notification_email",
                sa.String(length=10),
                nullable=False,
                server_default="at_once",
            )
        )
        batch_op.add_column(sa.Column("notification_emailed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("notification_emailed_at")
        batch_op.drop_column("notification_email")
    op.drop_index("ix_watches_item_id", table_name="watches")
    op.drop_table("watches")
    op.drop_index("ix_notifications_email_pending", table_name="notifications")
    op.drop_index("ix_notifications_unread", table_name="notifications")
    op.drop_index("ix_notifications_recipient_created", table_name="notifications")
    op.drop_index("ix_notifications_item_id", table_name="notifications")
    op.drop_table("notifications")
