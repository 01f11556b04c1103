"""The update controls of checklist items, rendered from one set of choices per page.

The project page shows every item of a project (26 on average) with its status, assignee and
due date controls. A WTForms form per item, each rendering its widgets and repeating the
assignee list (every CSM, IMS engineer and administrator for an Infor item), was three
quarters of the page's time (measured on 2026-11-28, before this design). Here the choices
are translated and escaped once per page and each item's controls only pick from them.
``ItemUpdateForm`` validates what is posted under the same field names, accepting what the
controls offer: the statuses of the menu, and the one assignee posted checked alone
(``accepts_assignee``), without reading the whole menu. A form that failed validation is
shown again through the same controls (its values and errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask import current_app
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

from tracker.checklist.queries import assignable_users
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, User
from tracker.permissions import can_be_assigned, can_edit_project, updatable_parties
from tracker.queryargs import MAX_INT

Choices = list[tuple[str, str]]  # (value, label) of a <select>'s options


def item_prefix(item: ChecklistItem) -> str:
    """The names of ``item``'s controls start with this: a page holds one form per item."""
    return f"item{item.id}-"


def _choice(value, label) -> tuple[str, str]:
    return str(value), str(label)


@dataclass
class ItemFields:
    """One item's controls as the macro in ``checklist/_item_form.html`` writes them."""

    prefix: str
    version: str
    statuses: Choices
    status: str  # the selected value
    assignees: Choices
    assignee: str
    due_date: str | None  # None: the user may not change it (no control)
    reason: str
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field label, message)
    invalid: frozenset[str] = frozenset()


class ItemControls:
    """The controls of the items ``user`` may update, for the items of ``project``.

    The assignee menus (the users who may be assigned each party's items: one query) are
    read when first written; saving an item checks the one assignee posted instead
    (``accepts_assignee``), unless the form has to be shown again.
    """

    def __init__(self, user: User, project: Project) -> None:
        # The user itself, not the current_user proxy: asked about every item.
        self.user = getattr(user, "_get_current_object", lambda: user)()
        self.project = project
        # The permissions below are the project's, the same for each of its items: asked once
        # (can_update_item, can_mark_not_applicable and can_change_due_date for its items).
        self._updatable = updatable_parties(self.user, project)
        self._edits = can_edit_project(self.user, project)

    @cached_property
    def labels(self) -> dict[str, str]:
        """The controls' labels, translated once a page (not read by a save that succeeds)."""
        return {
            "status": _("Status"),
            "assignee_id": _("Assignee"),
            "due_date": _("Due date"),
            "reason": _("Reason (when blocked or not applicable)"),
            "submit": _("Save"),
        }

    @cached_property
    def csrf_token(self) -> str | None:
        csrf = current_app.config.get("WTF_CSRF_ENABLED", True)
        return generate_csrf() if csrf else None

    @cached_property
    def _statuses(self) -> Choices:
        return [_choice(s.value, s.label) for s in Status]

    @cached_property
    def _statuses_without_na(self) -> Choices:
        return [choice for choice in self._statuses if choice[0] != Status.NOT_APPLICABLE.value]

    @cached_property
    def _menus(self) -> tuple[dict[Party, Choices], dict[Party, set[int]]]:
        """Each party's assignee menu, and the ids in it."""
        assignable = assignable_users(self.project)
        unassigned = [_choice(0, _("Unassigned"))]
        choices = {
            party: unassigned + [_choice(u.id, u.name) for u in users]
            for party, users in assignable.items()
        }
        return choices, {party: {u.id for u in users} for party, users in assignable.items()}

    def accepts_assignee(self, item: ChecklistItem, user_id: int) -> bool:
        """Whether ``item``'s assignee menu offers ``user_id``: nobody, the current assignee
        (kept even when deactivated) or an active user who may be assigned it. The menus are
        not read for that (but looked up when they already were)."""
        if user_id == 0 or user_id == item.assignee_id:
            return True
        if "_menus" in self.__dict__:
            return user_id in self._menus[1][item.party]
        if not 0 < user_id <= MAX_INT:
            return False  # no such user; the database would refuse the number itself
        user = db.session.get(User, user_id)
        return user is not None and user.active and can_be_assigned(user, item)

    def statuses(self, item: ChecklistItem) -> Choices:
        """The statuses offered for ``item``: "not applicable" is the project owner's call
        (kept for an item that already is)."""
        self._check(item)
        if item.status is Status.NOT_APPLICABLE or self._edits:
            return self._statuses
        return self._statuses_without_na

    def _check(self, item: ChecklistItem) -> None:
        if item.project_id != self.project.id:
            raise ValueError(f"item {item.id} is not of project {self.project.id}")

    def status_menu(self, item: ChecklistItem) -> Choices | None:
        """The statuses ``item``'s row offers (its status menu), None when the user may not
        update it. Reads no assignee menu: the project page's rows show none."""
        self._check(item)
        return self.statuses(item) if item.party in self._updatable else None

    def may_move(self, item: ChecklistItem) -> bool:
        """Whether ``item`` gets a due date control."""
        return self._edits

    def for_item(self, item: ChecklistItem, form: FlaskForm | None = None) -> ItemFields | None:
        """``item``'s controls, None when the user may not update it; with ``form`` (posted,
        not saved) its values and errors instead of the item's."""
        self._check(item)
        if item.party not in self._updatable:
            return None
        statuses = self.statuses(item)
        menus, offered = self._menus
        assignees = menus[item.party]
        if item.assignee_id and item.assignee_id not in offered[item.party]:
            # Assigned to someone who could not be chosen now (deactivated, moved): kept.
            assignees = [*assignees, _choice(item.assignee_id, item.assignee.name)]
        may_move = self.may_move(item)
        if form is None:
            return ItemFields(
                prefix=item_prefix(item),
                version=str(item.version),
                statuses=statuses,
                status=item.status.value,
                assignees=assignees,
                assignee=str(item.assignee_id or 0),
                due_date=_iso(item.due_date) if may_move else None,
                reason=item.reason or "",
            )
        errors = [(str(f.label.text), str(message)) for f in form for message in f.errors]
        return ItemFields(
            prefix=item_prefix(item),
            version=form.version._value(),
            statuses=statuses,
            status=str(form.status.data),
            assignees=assignees,
            assignee=str(form.assignee_id.data),
            due_date=form.due_date._value() if may_move and "due_date" in form else None,
            reason=form.reason.data or "",
            errors=errors,
            invalid=frozenset(f.short_name for f in form if f.errors),
        )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
