"""Reads about checklist items that several pages share, aggregated in SQL.

The overdue and due-soon predicates live here only, so the dashboard, the portfolio and
the project page count the same items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, load_only

from tracker.catalogue.rules import applies_to, rule_reason
from tracker.enums import CLOSED_STATUSES, OPEN_STATUSES, Anchor, Party, Phase, Role
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Project, Responsibility, User
from tracker.permissions import assignable_parties


def is_open() -> sa.ColumnElement[bool]:
    # The values are rendered into the SQL (not bound) so that the planner can use the
    # partial index on open items (see ChecklistItem.__table_args__).
    return ChecklistItem.status.in_(
        sa.bindparam(
            "open_statuses", [s.value for s in OPEN_STATUSES], expanding=True, literal_execute=True
        )
    )


def is_standing() -> sa.ColumnElement[bool]:
    """An item that is a standing responsibility: an operations row's item on a project that
    has gone live (``went_live_on`` set). It is an ongoing duty (watching the monitoring,
    applying the updates), not a task: its due date never makes it overdue or due soon, and
    it counts in no late or due figure. (Its review, when its row has a rhythm, is dated:
    tracker.reviews.) Uncorrelated subqueries, so that it reads the same in any statement on
    items, joined to their project and row or not."""
    went_live = sa.select(Project.id).where(Project.went_live_on.is_not(None)).correlate(None)
    operations = (
        sa.select(Responsibility.id).where(Responsibility.phase == Phase.OPERATIONS).correlate(None)
    )
    return sa.and_(
        ChecklistItem.project_id.in_(went_live), ChecklistItem.responsibility_id.in_(operations)
    )


def is_dated() -> sa.ColumnElement[bool]:
    """An item whose due date counts: every item but a standing responsibility."""
    return sa.not_(is_standing())


def is_overdue(today: date | sa.ColumnElement[date]) -> sa.ColumnElement[bool]:
    return sa.and_(is_open(), ChecklistItem.due_date < today, is_dated())


def is_due_soon(today: date, days: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        is_open(),
        ChecklistItem.due_date.between(today, today + timedelta(days=days)),
        is_dated(),
    )


def is_work() -> sa.ColumnElement[bool]:
    """An item that counts in progress and health: every item but those a rule retired (not
    applicable because their row no longer applies to the project), which are neither done
    nor due. An item a person marked not applicable, with a reason, counts as closed. Every
    count of closed, total and due items (progress, health, the heatmap, the burn-down)
    reads this predicate; open and overdue items are never retired ones."""
    return ChecklistItem.not_applicable_by_rule.is_(False)


def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """How many rows of a GROUP BY satisfy ``condition`` (0, never NULL, for none)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


@dataclass
class Tally:
    total: int = 0
    closed: int = 0
    overdue: int = 0
    open: int = 0
    first_due: date | None = None  # the earliest and latest due dates of the items counted
    last_due: date | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0

    def add(self, total: int, closed: int, overdue: int, first: date, last: date) -> None:
        self.total += total
        self.closed += closed
        self.overdue += overdue
        self.open += total - closed
        self.first_due = min(self.first_due or first, first)
        self.last_due = max(self.last_due or last, last)


@dataclass
class Progress:
    """A project's progress: closed (done or not applicable) over all items, per phase; the
    items a rule retired left out (``is_work``)."""

    phases: dict[Phase, Tally] = field(default_factory=lambda: {p: Tally() for p in Phase})
    parties: dict[Party, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)

    @property
    def overdue(self) -> int:
        return self.overall.overdue

    @property
    def current_phase(self) -> Phase | None:
        """The first phase that still has open items."""
        return next((p for p, tally in self.phases.items() if tally.open), None)

    def add(self, phase: Phase, party: Party, *counts) -> None:
        """One group of ``progress_columns``: a phase's items of one party."""
        self.phases[phase].add(*counts)
        self.parties.setdefault(party, Tally()).add(*counts)
        self.overall.add(*counts)


def progress_columns(today: date | sa.ColumnElement[date]) -> list[sa.ColumnElement]:
    """What a ``Tally`` adds up for a group of items: how many, closed, overdue, the first
    and the last due date (``today``: a day, or a bound parameter)."""
    return [
        sa.func.count(),
        count_where(ChecklistItem.status.in_(CLOSED_STATUSES)),
        count_where(is_overdue(today)),
        sa.func.min(ChecklistItem.due_date),
        sa.func.max(ChecklistItem.due_date),
    ]


def progress_by_project(project_ids: Iterable[int] | sa.Select, today: date) -> dict[int, Progress]:
    """Progress of each project, per phase and per party, in one grouped query.

    ``project_ids`` is a list of ids (a page of projects), or a ``SELECT`` of project ids
    (an export of every project: no list of thousands of bound parameters).
    """
    if isinstance(project_ids, sa.Select):
        result: dict[int, Progress] = defaultdict(Progress)
        scope = ChecklistItem.project_id.in_(project_ids)
    else:
        ids = list(project_ids)
        result = {pid: Progress() for pid in ids}
        if not ids:
            return result
        scope = ChecklistItem.project_id.in_(ids)
    rows = db.session.execute(
        sa.select(
            ChecklistItem.project_id,
            Responsibility.phase,
            ChecklistItem.party,
            *progress_columns(today),
        )
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(scope, is_work())
        .group_by(ChecklistItem.project_id, Responsibility.phase, ChecklistItem.party)
    )
    for project_id, phase, party, *counts in rows:
        result[project_id].add(phase, party, *counts)
    return result


def items_of_project(project_id: int) -> sa.Select[tuple[ChecklistItem]]:
    """A project's items, by id."""
    return (
        sa.select(ChecklistItem)
        .where(ChecklistItem.project_id == project_id)
        .order_by(ChecklistItem.id)
    )


def project_items_by_row(project_id: int) -> dict[tuple[int, Party], ChecklistItem]:
    """A project's items by (catalogue row id, party): what the catalogue rules plan. An item
    closed against an older catalogue version, that kept its row when the project moved to a
    newer one (tracker.rollout), counts as the item of the project's row with the same key."""
    item_row = aliased(Responsibility)
    current = aliased(Responsibility)
    rows = db.session.execute(
        items_of_project(project_id)
        .add_columns(current.id)
        .join(item_row, ChecklistItem.responsibility_id == item_row.id)
        .join(Project, ChecklistItem.project_id == Project.id)
        .outerjoin(
            current,
            sa.and_(
                current.key == item_row.key, current.version_id == Project.catalogue_version_id
            ),
        )
    )
    found: dict[tuple[int, Party], ChecklistItem] = {}
    for item, row_id in rows:
        key = (row_id or item.responsibility_id, item.party)
        if key not in found or item.responsibility_id == key[0]:
            found[key] = item
    return found


@dataclass(frozen=True)
class ToDecide:
    """An open item whose row no longer applies to its project, and why (a reason of
    tracker.wording, as a code and its parameters): for the project's CSM to decide."""

    item: ChecklistItem
    reason_code: str
    reason_params: dict
    reason: None = None  # no reason typed by a person: ``item_reason`` reads the code


def items_to_decide(project: Project) -> list[ToDecide]:
    """The project's open items that the rules no longer give it (reopened by hand after a
    rule retired them, or otherwise left open against the rules), but for those its CSM
    decided to keep open; each with the rule's reason. One statement (the items with their
    rows, which the page shows): whether an item applies depends on its own row alone."""
    rows = db.session.execute(
        sa.select(ChecklistItem, Responsibility)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(
            ChecklistItem.project_id == project.id,
            ChecklistItem.status.in_(OPEN_STATUSES),
            ChecklistItem.kept_open.is_(False),
        )
        .order_by(Responsibility.position, ChecklistItem.party)
    )
    found = []
    for item, row in rows:
        if not applies_to(row, item.party, project):
            found.append(ToDecide(item, *rule_reason(row, item.party, project)))
    return found


def open_items_with_anchor(project_id: int) -> list[tuple[ChecklistItem, Anchor, int | None]]:
    """A project's open items, each with the milestone its due date counts from and the row
    its row follows (None for most)."""
    return [
        (item, anchor, follows_id)
        for item, anchor, follows_id in db.session.execute(
            sa.select(ChecklistItem, Responsibility.due_anchor, Responsibility.follows_id)
            .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
            .where(ChecklistItem.project_id == project_id, ChecklistItem.status.in_(OPEN_STATUSES))
        )
    ]


def followed_item(item: ChecklistItem) -> ChecklistItem | None:
    """For an item of a row that follows another (paired rows): the followed row's item on
    the same project that its due date counts from (one that counts first, if the row
    passed between parties)."""
    follows_id = item.responsibility.follows_id
    if follows_id is None:
        return None
    return db.session.scalars(
        sa.select(ChecklistItem)
        .where(
            ChecklistItem.project_id == item.project_id,
            ChecklistItem.responsibility_id == follows_id,
        )
        .order_by(ChecklistItem.not_applicable_by_rule, ChecklistItem.id.desc())
        .limit(1)
    ).first()


def rows_with_work(project_id: int) -> set[int]:
    """The catalogue rows that have an item on the project that counts (``is_work``)."""
    return set(
        db.session.scalars(
            sa.select(ChecklistItem.responsibility_id)
            .where(ChecklistItem.project_id == project_id, is_work())
            .distinct()
        )
    )


def open_followers(project_id: int, row_ids: set[int]) -> list[tuple[ChecklistItem, int]]:
    """A project's open items of the rows that follow one of ``row_ids``, each with the row
    it follows."""
    return [
        (item, follows_id)
        for item, follows_id in db.session.execute(
            sa.select(ChecklistItem, Responsibility.follows_id)
            .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
            .where(
                ChecklistItem.project_id == project_id,
                ChecklistItem.status.in_(OPEN_STATUSES),
                Responsibility.follows_id.in_(row_ids),
            )
        )
    ]


def assignable_users_select(project: Project) -> sa.Select[tuple[User]]:
    """The active users who could be assigned some of ``project``'s items: every Infor user
    (admins, CSMs, IMS engineers) and the project's client and partner users. Only what the
    menus and the permissions read of them is loaded: reading another attribute of one of
    them (their e-mail) in the same session costs a statement for each."""
    return (
        sa.select(User)
        .options(load_only(User.name, User.role, User.organisation_id, User.active))
        .where(
            # Not "active IS 1": SQLite takes that equality for a selective term and scans
            # the whole table instead of searching the three indexes of the OR (0.04 ms
            # against 2 ms at 11,000 users).
            User.active.is_not(False),
            sa.or_(
                User.role.in_((Role.ADMIN, Role.CSM, Role.IMS)),
                sa.and_(User.role == Role.CLIENT, User.organisation_id == project.customer_id),
                sa.and_(User.role == Role.PARTNER, User.organisation_id == project.partner_id),
            ),
        )
        .order_by(User.name)
    )


def assignable_users(project: Project) -> dict[Party, list[User]]:
    """Active users who could work each party's items on ``project``, by party."""
    by_party: dict[Party, list[User]] = {party: [] for party in Party}
    for user in db.session.scalars(assignable_users_select(project)):
        for party in assignable_parties(user, project):
            by_party[party].append(user)
    return by_party


def _comments_shown(internal: bool) -> sa.ColumnElement[bool]:
    return sa.true() if internal else Comment.internal.is_(False)


def item_comments(item_id: int, *, internal: bool) -> list[Comment]:
    """An item's comments, oldest first, each with its author; the internal ones only when
    ``internal`` (tracker.permissions.sees_internal_comments)."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .options(joinedload(Comment.author))
            .where(Comment.item_id == item_id, _comments_shown(internal))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def replacement_of(item_id: int) -> ChecklistItem | None:
    """The item that took over from item ``item_id`` (its row passed to another party),
    the latest if several did."""
    return db.session.scalars(
        sa.select(ChecklistItem)
        .where(ChecklistItem.replaces_id == item_id)
        .order_by(ChecklistItem.id.desc())
        .limit(1)
    ).first()


def comment_count(item_id: int, *, internal: bool) -> int:
    """How many comments one item has, as the reader may see them."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.item_id == item_id, _comments_shown(internal))
    )


def comment_counts(project_id: int, *, internal: bool) -> dict[int, int]:
    """How many comments each item of a project has, as the reader may see them (one
    statement): item id -> count, items without any left out."""
    return dict(
        db.session.execute(
            sa.select(Comment.item_id, sa.func.count())
            .join(ChecklistItem, Comment.item_id == ChecklistItem.id)
            .where(ChecklistItem.project_id == project_id, _comments_shown(internal))
            .group_by(Comment.item_id)
        ).all()
    )
