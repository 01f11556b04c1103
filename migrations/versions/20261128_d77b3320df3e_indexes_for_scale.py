"""indexes for scale

Indexes that match the queries of the portfolio, the overdue dashboard and my tasks at
20,000 projects (bench/plans.md has the plans):

- ix_checklist_items_open_due (due_date, id, project_id, party, status) WHERE open replaces
  ix_checklist_items_open_due_date (due_date, id): the lists still walk it in order, and
  their counts now read it alone (no table lookups for the project and party filters;
  SQLite wants the status in the index too to count from it alone).
- ix_checklist_items_open_project (project_id, party, assignee_id, due_date, status)
  WHERE open: the counts of some projects' open items (one CSM's, one customer's, a CSM's unassigned
  Infor items, a client's items) from the index alone, where PostgreSQL read the whole
  table.
- ix_checklist_items_assigned (assignee_id, status, project_id) WHERE assignee_id IS NOT
  NULL replaces ix_checklist_items_assignee_id: half the items are unassigned, and SQLite
  picked the full index for "assignee_id IS NULL", reading every unassigned item for a
  CSM's tasks; someone's open items are counted from the index alone.
- ix_projects_active_go_live (go_live_date, id) WHERE archived_at IS NULL: the portfolio's
  first page and its count without reading or sorting every project.
- ix_projects_archived (id) WHERE archived_at IS NOT NULL: the few archived projects, whose
  items the dashboards' counts subtract.

Plain CREATE INDEX: on PostgreSQL it blocks writes to the table while it builds (a quarter
of a second per index at 500,000 items). IF NOT EXISTS / IF EXISTS let an administrator
build the new indexes beforehand with CREATE INDEX CONCURRENTLY (docs/deployment.md).

Revision ID: d77b3320df3e
Revises: b49ed4711ab4
Create Date: 2026-11-28 10:08:28.451150

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd77b3320df3e'
down_revision = 'b49ed4711ab4'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('todo', 'in_progress', 'blocked')")
ASSIGNED = sa.text('assignee_id IS NOT NULL')
ACTIVE = sa.text('archived_at IS NULL')
ARCHIVED = sa.text('archived_at IS NOT NULL')


def upgrade():
    op.drop_index('ix_checklist_items_assignee_id', table_name='checklist_items', if_exists=True)
    op.drop_index('ix_checklist_items_open_due_date', table_name='checklist_items', if_exists=True)
    op.create_index('ix_checklist_items_assigned', 'checklist_items', ['assignee_id', 'status', 'project_id'], unique=False, sqlite_where=ASSIGNED, postgresql_where=ASSIGNED, if_not_exists=True)
    op.create_index('ix_checklist_items_open_due', 'checklist_items', ['due_date', 'id', 'project_id', 'party', 'status'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN, if_not_exists=True)
    op.create_index('ix_checklist_items_open_project', 'checklist_items', ['project_id', 'party', 'assignee_id', 'due_date', 'status'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN, if_not_exists=True)
    op.create_index('ix_projects_active_go_live', 'projects', ['go_live_date', 'id'], unique=False, sqlite_where=ACTIVE, postgresql_where=ACTIVE, if_not_exists=True)
    op.create_index('ix_projects_archived', 'projects', ['id'], unique=False, sqlite_where=ARCHIVED, postgresql_where=ARCHIVED, if_not_exists=True)


def downgrade():
    op.drop_index('ix_projects_archived', table_name='projects')
    op.drop_index('ix_projects_active_go_live', table_name='projects')
    op.drop_index('ix_checklist_items_open_project', table_name='checklist_items')
    op.drop_index('ix_checklist_items_open_due', table_name='checklist_items')
    op.drop_index('ix_checklist_items_assigned', table_name='checklist_items')
    op.create_index('ix_checklist_items_open_due_date', 'checklist_items', ['due_date', 'id'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_checklist_items_assignee_id', 'checklist_items', ['assignee_id'], unique=False)
