"""The bare SQL of each benchmarked page: the data the page shows, fetched by hand-written
SQL on the app's own connection, with nothing else (no ORM, no Flask, no template).

Each function takes the connection and the subjects of the run (``Subjects``) and runs its
statements in order, reading every row, as a page must; a few use the rows of a statement
before (the progress of the projects on the first page). The page/bare ratio is a page's
median server time over its function's median time.
"""

# The SQL is built from this file's constants and integer ids only.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

OPEN = "('todo', 'in_progress', 'blocked')"
CLOSED = "('done', 'not_applicable')"
DATES = ("today", "soon")


@dataclass
class Subjects:
    """Who and what the benchmark asks for, in one data set."""

    today: date
    days: int
    csm_id: int  # a CSM who manages 1/25 of the projects (and sees every project)
    client_id: int  # a client user of the biggest customer
    customer_id: int  # that customer
    project_id: int  # a project the CSM manages
    partner_id: int | None  # its partner, if any
    item_id: int  # an open Infor item of that project (the status change)
    page_size: int = 25


def _run(connection, sql: str, **params) -> list:
    statement = sa.text(sql).bindparams(
        *(sa.bindparam(name, type_=sa.Date) for name in DATES if f":{name}" in sql)
    )
    return connection.execute(statement, params).all()


def _user(connection, user_id: int) -> None:
    _run(
        connection,
        "SELECT u.id, u.email, u.name, u.role, u.organisation_id, u.active, u.language,"
        " o.name FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"
        " WHERE u.id = :id",
        id=user_id,
    )


def _progress(connection, projects: list[int] | str, today: date) -> None:
    """Progress per project, phase and party, with each group's first and last due date, of
    ``projects``: ids, or a SELECT of them."""
    if not projects:
        return
    if not isinstance(projects, str):
        projects = ", ".join(str(int(i)) for i in projects)
    _run(
        connection,
        "SELECT ci.project_id, r.phase, ci.party, count(*),"
        f" sum(CASE WHEN ci.status IN {CLOSED} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN ci.status IN {OPEN} AND ci.due_date < :today THEN 1 ELSE 0 END),"
        " min(ci.due_date), max(ci.due_date)"
        " FROM checklist_items ci JOIN responsibilities r ON r.id = ci.responsibility_id"
        f" WHERE ci.project_id IN ({projects})"
        " GROUP BY ci.project_id, r.phase, ci.party",
        today=today,
    )


def _days_late(connection, column: str) -> str:
    if connection.dialect.name == "sqlite":
        return f"CAST(julianday(:today) - julianday({column}) AS INTEGER)"
    return f"(:today - {column})"


def _day(connection, column: str) -> str:
    return f"date({column})" if connection.dialect.name == "sqlite" else f"CAST({column} AS DATE)"


def _progress_and_health(connection, ids: list[int], today: date) -> None:
    """Progress per project, phase and party (as _progress) with the health and "waiting on"
    counts of each group (tracker/insights: the portfolio's health column, the project page's
    "waiting on"), in one statement as the app's."""
    if not ids:
        return
    overdue = f"ci.status IN {OPEN} AND ci.due_date < :today"
    late = _days_late(connection, "ci.due_date")
    _run(
        connection,
        "SELECT ci.project_id, r.phase, ci.party, count(*),"
        f" sum(CASE WHEN ci.status IN {CLOSED} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN {overdue} THEN 1 ELSE 0 END),"
        " min(ci.due_date), max(ci.due_date),"
        f" sum(CASE WHEN ci.status IN {OPEN} THEN 1 ELSE 0 END),"
        " sum(CASE WHEN ci.due_date < :today THEN 1 ELSE 0 END),"
        " sum(CASE WHEN ci.due_date <= p.go_live_date THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN ci.status IN {OPEN} AND ci.due_date <= p.go_live_date"
        " THEN 1 ELSE 0 END),"
        f" coalesce(sum(CASE WHEN {overdue} THEN {late} ELSE 0 END), 0),"
        f" coalesce(max(CASE WHEN {overdue} THEN {late} ELSE 0 END), 0)"
        " FROM checklist_items ci JOIN responsibilities r ON r.id = ci.responsibility_id"
        " JOIN projects p ON p.id = ci.project_id"
        f" WHERE p.id IN ({', '.join(str(int(i)) for i in ids)})"
        " GROUP BY ci.project_id, r.phase, ci.party",
        today=today,
    )


def _charts(connection, project_id: int) -> None:
    """The project page's burn-down (tracker/insights; its timeline comes from _progress)."""
    day = _day(connection, "created_at")  # the items' and the events' column alike
    _run(
        connection,
        f"SELECT {day}, count(*) FROM checklist_items WHERE project_id = :p GROUP BY {day}",
        p=project_id,
    )
    _run(
        connection,
        "SELECT due_date, count(*) FROM checklist_items WHERE project_id = :p GROUP BY due_date",
        p=project_id,
    )
    _run(
        connection,
        f"SELECT {day},"
        f" sum(CASE WHEN old_value IN {OPEN} AND new_value IN {CLOSED} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN old_value IN {CLOSED} AND new_value IN {OPEN} THEN 1 ELSE 0 END)"
        " FROM events WHERE project_id = :p AND item_id IS NOT NULL AND field = 'status'"
        f" GROUP BY {day}",
        p=project_id,
    )


def _filter_options(connection, limit: int = 100) -> None:
    """The CSM and customer filters of a CSM (who sees every project)."""
    _run(
        connection,
        "SELECT id, name FROM users WHERE id IN (SELECT csm_id FROM projects) ORDER BY name",
    )
    _run(
        connection,
        "SELECT o.id, o.name FROM organisations o"
        " WHERE EXISTS (SELECT 1 FROM projects p WHERE p.customer_id = o.id)"
        " ORDER BY o.name LIMIT :n",
        n=limit + 1,
    )


def portfolio(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    rows = _run(
        connection,
        "SELECT p.id, p.name, p.deployment, p.environment, p.ims_contract, p.kickoff_date,"
        " p.go_live_date, p.customer_id, c.name, u.name FROM projects p"
        " JOIN organisations c ON c.id = p.customer_id JOIN users u ON u.id = p.csm_id"
        " WHERE p.archived_at IS NULL ORDER BY p.go_live_date, p.id LIMIT :n",
        n=s.page_size,
    )
    _run(connection, "SELECT count(*) FROM projects WHERE archived_at IS NULL")
    _progress_and_health(connection, [row[0] for row in rows], s.today)
    _filter_options(connection)


def project_page(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    _run(
        connection,
        "SELECT p.*, c.name, u.name, pa.name, v.number FROM projects p"
        " JOIN organisations c ON c.id = p.customer_id JOIN users u ON u.id = p.csm_id"
        " LEFT JOIN organisations pa ON pa.id = p.partner_id"
        " JOIN catalogue_versions v ON v.id = p.catalogue_version_id WHERE p.id = :p",
        p=s.project_id,
    )
    _run(connection, "SELECT count(*) FROM project_ims_scope WHERE project_id = :p", p=s.project_id)
    _run(
        connection,
        "SELECT ci.id, ci.party, ci.status, ci.due_date, ci.reason, ci.assignee_id, ci.version,"
        " r.id, r.key, r.text_en, r.text_fr, r.phase, a.id, a.title_en, a.title_fr, u.name"
        " FROM checklist_items ci JOIN responsibilities r ON r.id = ci.responsibility_id"
        " JOIN catalogue_areas a ON a.id = r.area_id"
        " LEFT JOIN users u ON u.id = ci.assignee_id"
        " WHERE ci.project_id = :p ORDER BY r.position, ci.party",
        p=s.project_id,
    )
    _progress_and_health(connection, [s.project_id], s.today)
    _charts(connection, s.project_id)
    _run(
        connection,
        "SELECT e.id, e.created_at, e.action, e.field, e.old_value, e.new_value, u.name"
        " FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.project_id = :p"
        " ORDER BY e.id DESC LIMIT 10",
        p=s.project_id,
    )
    _run(
        connection,
        "SELECT id, name, role, organisation_id FROM users WHERE active AND ("
        "role IN ('admin', 'csm', 'ims')"
        " OR (role = 'client' AND organisation_id = (SELECT customer_id FROM projects"
        " WHERE id = :p))"
        " OR (role = 'partner' AND organisation_id = (SELECT partner_id FROM projects"
        " WHERE id = :p))) ORDER BY name",
        p=s.project_id,
    )
    _run(
        connection,
        "SELECT id, name FROM users WHERE id IN (SELECT assignee_id FROM checklist_items"
        " WHERE project_id = :p) ORDER BY name",
        p=s.project_id,
    )
    _run(
        connection,
        "SELECT a.key, a.title_en, a.title_fr FROM catalogue_areas a WHERE a.id IN"
        " (SELECT r.area_id FROM responsibilities r JOIN checklist_items ci"
        " ON ci.responsibility_id = r.id WHERE ci.project_id = :p) ORDER BY a.position",
        p=s.project_id,
    )


ITEM_COLUMNS = (
    "SELECT ci.id, ci.party, ci.status, ci.due_date, ci.reason, p.id, p.name, c.name, csm.name,"
    " u.name, r.text_en, r.text_fr, r.phase, a.title_en FROM checklist_items ci"
    " JOIN projects p ON p.id = ci.project_id JOIN organisations c ON c.id = p.customer_id"
    " JOIN users csm ON csm.id = p.csm_id"
    " JOIN responsibilities r ON r.id = ci.responsibility_id"
    " JOIN catalogue_areas a ON a.id = r.area_id LEFT JOIN users u ON u.id = ci.assignee_id"
)


def my_tasks_csm(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    _run(
        connection,
        f"{ITEM_COLUMNS} WHERE p.archived_at IS NULL AND ci.status IN {OPEN}"
        " AND (ci.assignee_id = :u OR (ci.party = 'infor' AND ci.assignee_id IS NULL"
        " AND p.csm_id = :u)) ORDER BY ci.due_date, ci.id LIMIT :n",
        u=s.csm_id,
        n=s.page_size,
    )
    _run(
        connection,
        "SELECT (SELECT count(*) FROM checklist_items WHERE assignee_id = :u"
        f" AND status IN {OPEN} AND project_id NOT IN"
        " (SELECT id FROM projects WHERE archived_at IS NOT NULL))"
        " + (SELECT count(*) FROM checklist_items WHERE party = 'infor'"
        f" AND assignee_id IS NULL AND status IN {OPEN} AND project_id IN"
        " (SELECT id FROM projects WHERE csm_id = :u AND archived_at IS NULL))",
        u=s.csm_id,
    )


def my_tasks_client(connection, s: Subjects) -> None:
    _user(connection, s.client_id)
    _run(
        connection,
        f"{ITEM_COLUMNS} WHERE p.archived_at IS NULL AND ci.status IN {OPEN}"
        " AND ci.party = 'client' AND p.customer_id = :c ORDER BY ci.due_date, ci.id LIMIT :n",
        c=s.customer_id,
        n=s.page_size,
    )
    _run(
        connection,
        f"SELECT count(*) FROM checklist_items WHERE status IN {OPEN} AND party = 'client'"
        " AND project_id IN (SELECT id FROM projects WHERE customer_id = :c"
        " AND archived_at IS NULL)",
        c=s.customer_id,
    )


def _item_lists(connection, s: Subjects, where: str, count_where: str | None, **params) -> None:
    """The overdue list and the due-soon list (a page and a count each). ``count_where``
    None: every project's items less the archived ones'."""
    for when in ("ci.due_date < :today", "ci.due_date BETWEEN :today AND :soon"):
        _run(
            connection,
            f"{ITEM_COLUMNS} WHERE p.archived_at IS NULL AND ci.status IN {OPEN}"
            f" AND {when}{where} ORDER BY ci.due_date, ci.id LIMIT :n",
            n=s.page_size,
            **params,
        )
        party = " AND ci.party = :party" if "party" in params else ""
        count = f"SELECT count(*) FROM checklist_items ci WHERE ci.status IN {OPEN} AND {when}"
        if count_where is None:
            _run(
                connection,
                f"SELECT ({count}{party}) - ({count}{party} AND ci.project_id IN"
                " (SELECT id FROM projects WHERE archived_at IS NOT NULL))",
                **params,
            )
        else:
            _run(connection, f"{count}{party}{count_where}", **params)


def overdue(connection, s: Subjects, *, party=None, csm=None, customer=None) -> None:
    _user(connection, s.csm_id)
    params = {"today": s.today, "soon": s.today + timedelta(days=s.days)}
    where = ""
    projects = "archived_at IS NULL"
    if party:
        where += " AND ci.party = :party"
        params["party"] = party
    if csm:
        where += " AND p.csm_id = :csm"
        projects += " AND csm_id = :csm"
        params["csm"] = csm
    if customer:
        where += " AND p.customer_id = :customer"
        projects += " AND customer_id = :customer"
        params["customer"] = customer
    count_where = None
    if csm or customer:
        count_where = f" AND ci.project_id IN (SELECT id FROM projects WHERE {projects})"
    _item_lists(connection, s, where, count_where, **params)
    _filter_options(connection)


def status_change(connection, s: Subjects) -> None:
    """Read the user, the project and the item, change the status, record the event, commit
    (the assignee posted is the one the item has: no user to check)."""
    _user(connection, s.csm_id)
    _run(connection, "SELECT * FROM projects WHERE id = :p", p=s.project_id)
    item = _run(
        connection,
        "SELECT id, status, version FROM checklist_items WHERE id = :i",
        i=s.item_id,
    )[0]
    new = "in_progress" if item.status == "todo" else "todo"
    connection.execute(
        sa.text(
            "UPDATE checklist_items SET status = :s, version = version + 1"
            " WHERE id = :i AND version = :v"
        ),
        {"s": new, "i": s.item_id, "v": item.version},
    )
    connection.execute(
        sa.text(
            "INSERT INTO events (project_id, item_id, actor_id, created_at, action, field,"
            " old_value, new_value) VALUES (:p, :i, :u, :now, 'item.status', 'status',"
            " :old, :new)"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime)),
        {
            "p": s.project_id,
            "i": s.item_id,
            "u": s.csm_id,
            "now": datetime.now(UTC).replace(tzinfo=None),
            "old": item.status,
            "new": new,
        },
    )
    connection.commit()


def export_portfolio(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    _run(
        connection,
        "SELECT p.*, c.name, u.name, pa.name FROM projects p"
        " JOIN organisations c ON c.id = p.customer_id JOIN users u ON u.id = p.csm_id"
        " LEFT JOIN organisations pa ON pa.id = p.partner_id"
        " WHERE p.archived_at IS NULL ORDER BY p.go_live_date, p.id",
    )
    _progress(connection, "SELECT id FROM projects WHERE archived_at IS NULL", s.today)


def export_checklist(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    _run(connection, "SELECT * FROM projects WHERE id = :p", p=s.project_id)
    _run(
        connection,
        "SELECT ci.*, r.key, r.text_en, r.text_fr, r.phase, a.title_en, u.name, cb.name"
        " FROM checklist_items ci JOIN responsibilities r ON r.id = ci.responsibility_id"
        " JOIN catalogue_areas a ON a.id = r.area_id"
        " LEFT JOIN users u ON u.id = ci.assignee_id"
        " LEFT JOIN users cb ON cb.id = ci.completed_by_id"
        " WHERE ci.project_id = :p ORDER BY r.position, ci.party",
        p=s.project_id,
    )


def export_overdue(connection, s: Subjects) -> None:
    _user(connection, s.csm_id)
    for when in ("ci.due_date < :today", "ci.due_date BETWEEN :today AND :soon"):
        _run(
            connection,
            f"{ITEM_COLUMNS} WHERE p.archived_at IS NULL AND ci.status IN {OPEN} AND {when}"
            " ORDER BY ci.due_date, ci.id",
            today=s.today,
            soon=s.today + timedelta(days=s.days),
        )
