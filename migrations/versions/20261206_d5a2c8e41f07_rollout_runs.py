"""rollout runs

rollout_runs: a bulk move of chosen projects to one catalogue version, who started it and
when, with the filters that chose them. rollout_run_projects: each project of a run and where
it stands (pending, done, failed with its error, skipped), so that a run that stopped can be
resumed. Both start empty; downgrading drops them.

Revision ID: d5a2c8e41f07
Revises: 5b8e0c2d7f41
Create Date: 2026-12-06 02:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a2c8e41f07"
down_revision = "5b8e0c2d7f41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollout_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["catalogue_versions.id"],
            name="fk_rollout_runs_target_id_catalogue_versions",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name="fk_rollout_runs_started_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rollout_runs"),
    )
    op.create_index(
        "ix_rollout_runs_started_by_id", "rollout_runs", ["started_by_id"], unique=False
    )
    op.create_table(
        "rollout_run_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["rollout_runs.id"], name="fk_rollout_run_projects_run_id_rollout_runs"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_rollout_run_projects_project_id_projects",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rollout_run_projects"),
        sa.UniqueConstraint(
            "run_id", "project_id", name="uq_rollout_run_projects_run_id_project_id"
        ),
    )
    op.create_index(
        "ix_rollout_run_projects_project_id", "rollout_run_projects", ["project_id"], unique=False
    )
    op.create_index(
        "ix_rollout_run_projects_run_state",
        "rollout_run_projects",
        ["run_id", "state"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_rollout_run_projects_run_state", table_name="rollout_run_projects")
    op.drop_index("ix_rollout_run_projects_project_id", table_name="rollout_run_projects")
    op.drop_table("rollout_run_projects")
    op.drop_index("ix_rollout_runs_started_by_id", table_name="rollout_runs")
    op.drop_table("rollout_runs")
