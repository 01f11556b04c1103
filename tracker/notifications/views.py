"""The notifications page, the bell's count, watching an item, and the people a comment
may mention (the picker's candidates)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.errors import NotFound, Refusal
from tracker.extensions import db
from tracker.loaders import load_item, load_project
from tracker.models import Notification
from tracker.notifications.forms import MarkReadForm, WatchForm
from tracker.notifications.queries import (
    mention_candidates,
    notifications_count,
    notifications_of,
    unread_count,
)
from tracker.notifications.services import mark_all_read, mark_read, set_watching
from tracker.notifications.texts import describe, excerpt, link_endpoint
from tracker.pagination import paginate
from tracker.permissions import can_view_project, can_watch, sees_internal_comments
from tracker.queryargs import page_arg
from tracker.text import has_control_characters
from tracker.urls import safe_next

bp = Blueprint("notifications", __name__)

PER_PAGE = 50
MAX_CANDIDATES = 20


@bp.app_context_processor
def _bell() -> dict:
    """``unread_notifications()``: the bell's count, read only where the header shows it."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return db.session.scalar(unread_count(current_user)) or 0

    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index():
    pagination = paginate(
        notifications_of(current_user),
        page=page_arg(),
        per_page=PER_PAGE,
        count=notifications_count(current_user),
    )
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        describe=describe,
        excerpt=excerpt,
        link_endpoint=link_endpoint,
        form=MarkReadForm(formdata=None),
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != current_user.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    back = url_for("notifications.index", page=page_arg())
    refusals_shown_by(lambda refusal: _flashed(refusal, back))
    MarkReadForm().check()
    mark_read(notification, actor=current_user)
    return redirect(back)


@bp.post("/notifications/read-all")
@login_required
def read_all():
    back = url_for("notifications.index")
    refusals_shown_by(lambda refusal: _flashed(refusal, back))
    MarkReadForm().check()
    count = mark_all_read(actor=current_user)
    flash(_("All notifications marked read.") if count else _("Nothing was unread."), "success")
    return redirect(back)


@bp.post("/projects/<int:project_id>/items/<int:item_id>/watch")
@login_required
def watch(project_id: int, item_id: int):
    project = load_project(project_id, shown=False)
    item = load_item(project, item_id, may=can_watch, shown=False)
    page = url_for("checklist.item", project_id=project.id, item_id=item.id)
    back = safe_next(request.form.get("next")) or page
    refusals_shown_by(lambda refusal: _flashed(refusal, back))
    form = WatchForm()
    form.check()
    watching = form.watching.data == "1"
    set_watching(item, actor=current_user, watching=watching)
    flash(
        _("You are watching this item.") if watching else _("You no longer watch this item."),
        "success",
    )
    return redirect(back)


@bp.get("/projects/<int:project_id>/items/<int:item_id>/mention-candidates")
@login_required
def candidates(project_id: int, item_id: int):
    """The people a comment on the item may mention, whose name starts with ``q``: only
    people who may see the item (and, for an internal comment, ``internal=1``, no client
    users). JSON: ``[{"id", "name", "mention"}]``."""
    project = load_project(project_id, shown=False)
    load_item(project, item_id, shown=False)
    internal = request.args.get("internal") == "1" and sees_internal_comments(current_user)
    prefix = (request.args.get("q") or "").strip()[:120]
    if has_control_characters(prefix):
        return jsonify([])  # no name holds one (and PostgreSQL refuses NUL in text)
    users = db.session.scalars(
        mention_candidates(project, clients=not internal, prefix=prefix).limit(MAX_CANDIDATES)
    )
    return jsonify(
        [
            {"id": user.id, "name": user.name, "mention": f"@[{user.name}]"}
            for user in users
            if can_view_project(user, project)
        ]
    )


def _flashed(refusal: Refusal, back: str):
    flash(refusal.message, "error")
    return redirect(back)
