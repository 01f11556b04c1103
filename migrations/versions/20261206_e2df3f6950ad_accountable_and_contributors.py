"""accountable and contributors

Each catalogue row may name the party accountable for its items when it is not the party
the row names (responsibilities.accountable), the parties that contribute to them
(responsibilities.contributors, a JSON list), and how sure that reading of the source is
(raci_confidence, raci_rationale). Each checklist item carries its accountable party
(checklist_items.accountable, with an index of the open items by it) and its contributors.

Existing rows name no accountable party and no contributors. Existing items get theirs by
the catalogue's rules (tracker.catalogue.rules.raci_for): an IMS item of a client row (IMS
doing the client's work under its contract) answers to the client, a partner item (the
implementation row under a partner) to Infor, any other item to its own party; they have
no contributors. Downgrading drops the columns.

Revision ID: e2df3f6950ad
Revises: 3f6a8d2c1b47
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e2df3f6950ad"
down_revision = "3f6a8d2c1b47"
branch_labels = None
depends_on = None

# Written out here: a migration does not follow later changes of the application's enums.
PARTIES = ("infor", "client", "ims", "partner")
CATALOGUE_PARTIES = ("infor", "client", "ims", "implementer")
CONFIDENCES = ("high", "medium", "low")
OPEN_STATUS_SQL = "status IN ('todo', 'in_progress', 'blocked')"


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


items = sa.table(
    "checklist_items",
    sa.column("responsibility_id", sa.Integer),
    sa.column("party", sa.String),
    sa.column("accountable", sa.String),
)
rows = sa.table("responsibilities", sa.column("id", sa.Integer), sa.column("party_ims", sa.Boolean))


def upgrade():
    with op.batch_alter_table("responsibilities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accountable", _enum(CATALOGUE_PARTIES, "accountable_party"), nullable=True)
        )
        batch_op.add_column(
            sa.Column("contributors", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("raci_confidence", _enum(CONFIDENCES, "raci_confidence"), nullable=True)
        )
        batch_op.add_column(sa.Column("raci_rationale", sa.Text(), nullable=True))

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accountable", sa.String(length=7), nullable=True))
        batch_op.add_column(
            sa.Column("contributors", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )

    # IMS items of a row that names no IMS party (the client's rows it took over) answer to
    # the client, partner items (the implementation row) to Infor, the others to their party.
    ims_mark = (
        sa.select(rows.c.party_ims).where(rows.c.id == items.c.responsibility_id).scalar_subquery()
    )
    op.execute(
        items.update().values(
            accountable=sa.case(
                (items.c.party == "partner", "infor"),
                (sa.and_(items.c.party == "ims", sa.not_(ims_mark)), "client"),
                else_=items.c.party,
            )
        )
    )

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.alter_column(
            "accountable",
            existing_type=sa.String(length=7),
            type_=_enum(PARTIES, "accountable_party"),
            nullable=False,
        )
        batch_op.create_index(
            "ix_checklist_items_open_accountable",
            ["accountable", "due_date", "id", "project_id", "status"],
            unique=False,
            sqlite_where=sa.text(OPEN_STATUS_SQL),
            postgresql_where=sa.text(OPEN_STATUS_SQL),
        )


def downgrade():
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_items_open_accountable")
        batch_op.drop_constraint(op.f("ck_checklist_items_accountable_party"), type_="check")
        batch_op.drop_column("contributors")
        batch_op.drop_column("accountable")

    with op.batch_alter_table("responsibilities", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_responsibilities_raci_confidence"), type_="check")
        batch_op.drop_constraint(op.f("ck_responsibilities_accountable_party"), type_="check")
        batch_op.drop_column("raci_rationale")
        batch_op.drop_column("raci_confidence")
        batch_op.drop_column("contributors")
        batch_op.drop_column("accountable")
