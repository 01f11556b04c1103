"""go-live readiness: rows that do not block go-live, approvers, waivers, sign-offs

responsibilities.blocks_go_live: whether a row's items must be closed before go-live (every
existing row does). go_live_approvers: the client users a CSM designated to sign go-live
off. go_live_waivers: open blocking items the CSM let go-live go ahead without, with the
reason. go_live_sign_offs: the client's sign-off (who, when, a note, a 1-5 rating and its
comment). The new tables come empty; downgrading drops them and the column.

Revision ID: f3a9c2d7e164
Revises: 5b1f0c7e2a64
Create Date: 2026-12-06 01:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a9c2d7e164"
down_revision = "5b1f0c7e2a64"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responsibilities") as batch_op:
        batch_op.add_column(
            sa.Column("blocks_go_live", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "go_live_approvers",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("designated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["designated_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("project_id", "user_id"),
    )
    op.create_table(
        "go_live_waivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waived_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["checklist_items.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["waived_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id"),
    )
    op.create_index("ix_go_live_waivers_project_id", "go_live_waivers", ["project_id"])
    op.create_table(
        "go_live_sign_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id"),
    )


def downgrade():
    op.drop_table("go_live_sign_offs")
    op.drop_index("ix_go_live_waivers_project_id", table_name="go_live_waivers")
    op.drop_table("go_live_waivers")
    op.drop_table("go_live_approvers")
    with op.batch_alter_table("responsibilities") as batch_op:
        batch_op.drop_column("blocks_go_live")
