"""reasons and events as data

The reasons the tracker gives itself when a rule closes an item, and the events of the audit
trail that said something in words ("26 items from catalogue version 1"), were stored as
English sentences and parsed back to be translated. They become data: a code and its
parameters (checklist_items.reason_code, reason_params; events.params), written out in each
reader's language (tracker/wording.py). Existing rows are converted; downgrading writes the
English sentences back.

Revision ID: 1c9354dbc1cc
Revises: d73e1ccb9404
Create Date: 2026-12-05 17:47:57.675217

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1c9354dbc1cc'
down_revision = 'd73e1ccb9404'
branch_labels = None
depends_on = None

# The words the earlier code wrote, and the codes they stand for (written out here: a
# migration does not follow later changes of the application's enums).
NO_LONGER = "No longer applies: "
ASSIGNED = "now assigned to "
CONDITIONS = {
    "multi-tenant deployments only": "multi_tenant",
    "not for pre-prod environments": "not_pre_prod",
    "only with an ims contract": "ims_contract",
    "only with a data migration (dmf)": "data_migration",
    "only when a vpn is required": "vpn_required",
}
PARTIES = {"Infor": "infor", "Client": "client", "IMS": "ims", "Partner": "partner"}
CREATED = re.compile(r"^(\d+) items from catalogue version (\d+)$")
ADDED = re.compile(r"^(\d+) items$")

items = sa.table(
    "checklist_items",
    sa.column("id", sa.Integer),
    sa.column("reason", sa.Text),
    sa.column("reason_code", sa.String),
    sa.column("reason_params", sa.JSON(none_as_null=True)),
    sa.column("not_applicable_by_rule", sa.Boolean),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("new_value", sa.Text),
    sa.column("params", sa.JSON(none_as_null=True)),
)


def upgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), nullable=True))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))

    connection = op.get_bind()
    closed = connection.execute(
        sa.select(items.c.id, items.c.reason).where(
            items.c.not_applicable_by_rule.is_(True), items.c.reason.like(NO_LONGER + "%")
        )
    ).all()
    for item_id, reason in closed:
        coded = _code(reason)
        if coded is not None:
            connection.execute(
                items.update()
                .where(items.c.id == item_id)
                .values(reason=None, reason_code=coded[0], reason_params=coded[1])
            )
    worded = connection.execute(
        sa.select(events.c.id, events.c.action, events.c.new_value).where(
            events.c.action.in_(("project.checklist_created", "project.items_added"))
        )
    ).all()
    for event_id, action, text in worded:
        params = _params(action, text or "")
        if params is not None:
            connection.execute(
                events.update()
                .where(events.c.id == event_id)
                .values(new_value=None, params=params)
            )


def _code(reason: str):
    what = reason.removeprefix(NO_LONGER).removesuffix(".")
    if what in CONDITIONS:
        return "condition_unmet", {"condition": CONDITIONS[what]}
    if not what.startswith(ASSIGNED):
        return None
    names = what.removeprefix(ASSIGNED)
    if names == "nobody":
        return "reassigned", {"parties": []}
    parties = names.split(", ")
    if not all(name in PARTIES for name in parties):
        return None
    return "reassigned", {"parties": [PARTIES[name] for name in parties]}


def _params(action: str, text: str):
    created = CREATED.match(text)
    if action == "project.checklist_created" and created:
        return {"items": int(created[1]), "catalogue_version": int(created[2])}
    added = ADDED.match(text)
    if action == "project.items_added" and added:
        return {"items": int(added[1])}
    return None


def downgrade():
    connection = op.get_bind()
    conditions = {code: words for words, code in CONDITIONS.items()}
    parties = {code: name for name, code in PARTIES.items()}
    coded = connection.execute(
        sa.select(items.c.id, items.c.reason_code, items.c.reason_params).where(
            items.c.reason_code.is_not(None)
        )
    ).all()
    for item_id, code, params in coded:
        params = params or {}
        if code == "condition_unmet":
            words = conditions.get(params.get("condition"), params.get("condition"))
        else:
            names = [parties.get(p, p) for p in params.get("parties") or ()]
            words = ASSIGNED + (", ".join(names) or "nobody")
        connection.execute(
            items.update().where(items.c.id == item_id).values(reason=f"{NO_LONGER}{words}.")
        )
    worded = connection.execute(
        sa.select(events.c.id, events.c.action, events.c.params).where(
            events.c.action.in_(("project.checklist_created", "project.items_added"))
        )
    ).all()
    for event_id, action, params in worded:
        if not params or "items" not in params:
            continue
        if action == "project.checklist_created":
            text = f"{params['items']} items from catalogue version {params['catalogue_version']}"
        else:
            text = f"{params['items']} items"
        connection.execute(events.update().where(events.c.id == event_id).values(new_value=text))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('params')

    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_code')
