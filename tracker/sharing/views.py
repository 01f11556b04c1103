"""Progress links: the project's list of them (create, revoke) for whoever manages it, and
the read-only page a link opens, for anyone who holds it (no sign-in: the link is the
credential)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.auth.ratelimits import client_address
from tracker.boundary import refusals_shown_by
from tracker.checklist.queries import progress_by_project
from tracker.enums import Party, Phase
from tracker.errorpages import no_store
from tracker.errors import NotFound, Refusal
from tracker.extensions import limiter
from tracker.loaders import load_project
from tracker.permissions import can_share_progress
from tracker.sharing.forms import ProgressLinkForm, RevokeLinkForm
from tracker.sharing.queries import link_of_project, owed_items, project_links
from tracker.sharing.services import (
    ProgressLinkGone,
    create_progress_link,
    open_progress_link,
    revoke_progress_link,
)
from tracker.timeutil import today, utcnow

bp = Blueprint("sharing", __name__)

# The page a link opens is for people, not for search engines; its address is a secret that
# no browser, proxy or Referer header may keep or pass on.
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _links_page(project, form: ProgressLinkForm | None = None, *, new_url: str | None = None):
    body = render_template(
        "sharing/links.html",
        project=project,
        form=form or ProgressLinkForm(formdata=None),
        revoke_form=RevokeLinkForm(formdata=None),
        links=project_links(project.id),
        new_url=new_url,
        now=utcnow(),
    )
    return no_store(body)  # a new link is shown once


@bp.route("/projects/<int:project_id>/progress-links", methods=["GET", "POST"])
@login_required
def links(project_id: int):
    project = load_project(project_id, may=can_share_progress)
    form = ProgressLinkForm()
    if not form.is_submitted():
        return _links_page(project, ProgressLinkForm(formdata=None))

    def refused(refusal: Refusal):
        form.show(refusal)
        return _links_page(project, form)

    refusals_shown_by(refused)
    form.check()
    _, token = create_progress_link(
        project, actor=current_user, label=form.label.data, days=form.days.data
    )
    # The address is shown on this response only: only its token's hash is kept.
    return _links_page(project, new_url=url_for("sharing.progress", token=token, _external=True))


@bp.route("/projects/<int:project_id>/progress-links/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke(project_id: int, link_id: int):
    project = load_project(project_id, may=can_share_progress, shown=False)
    link = link_of_project(project.id, link_id)
    if link is None:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if RevokeLinkForm().validate() and revoke_progress_link(link, actor=current_user):
        flash(_("Link “%(label)s” revoked: it no longer opens.", label=link.label), "success")
    return redirect(url_for("sharing.links", project_id=project.id))


def _progress_limits() -> str:
    return current_app.config["PROGRESS_LINK_LIMITS"]


def _gone(refusal: Refusal):
    status = refusal.status if isinstance(refusal, ProgressLinkGone) else 404
    body = render_template("sharing/unavailable.html", message=refusal.message, status=status)
    return body, status, PUBLIC_HEADERS


@bp.route("/progress/<token>")
@limiter.limit(
    _progress_limits, key_func=client_address, exempt_when=lambda: not _progress_limits()
)
def progress(token: str):
    """The read-only page of a link's project: its phases, what each party still owes (row
    texts and counts; no comments, notes or people) and its go-live date."""
    refusals_shown_by(_gone)
    link = open_progress_link(token)
    project = link.project
    on = today()
    progress = progress_by_project([project.id], on)[project.id]
    owed: dict[Party, list] = {}
    for row in owed_items(project.id):
        owed.setdefault(row.party, []).append(row)
    body = render_template(
        "sharing/progress.html",
        project=project,
        progress=progress,
        phases=[(phase, progress.phases[phase]) for phase in Phase if progress.phases[phase].total],
        owed=[(party, owed[party]) for party in Party if party in owed],
        today=on,
        expires_at=link.expires_at,
    )
    return body, PUBLIC_HEADERS
