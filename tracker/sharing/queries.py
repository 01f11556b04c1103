"""Reads about progress links and what their page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from tracker.checklist.queries import is_dated, is_open, is_work
from tracker.enums import Party
from tracker.extensions import db
from tracker.models import ChecklistItem, ProgressLink, ProgressLinkView, Responsibility


@dataclass(frozen=True)
class LinkRow:
    """A progress link as its project's list shows it: how often and when it was last seen."""

    link: ProgressLink
    views: int
    last_view: datetime | None


def project_links(project_id: int) -> list[LinkRow]:
    """The project's progress links, newest first, with their views counted: one statement."""
    views = (
        sa.select(
            ProgressLinkView.link_id,
            sa.func.count().label("views"),
            sa.func.max(ProgressLinkView.viewed_at).label("last_view"),
        )
        .where(
            ProgressLinkView.link_id.in_(
                sa.select(ProgressLink.id).where(ProgressLink.project_id == project_id)
            )
        )
        .group_by(ProgressLinkView.link_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ProgressLink, views.c.views, views.c.last_view)
        .outerjoin(views, views.c.link_id == ProgressLink.id)
        .where(ProgressLink.project_id == project_id)
        .order_by(ProgressLink.created_at.desc(), ProgressLink.id.desc())
    )
    return [LinkRow(link, views or 0, last) for link, views, last in rows]


def link_of_project(project_id: int, link_id: int) -> ProgressLink | None:
    link = db.session.get(ProgressLink, link_id)
    return link if link is not None and link.project_id == project_id else None


def link_by_hash(token_hash: str) -> ProgressLink | None:
    return db.session.scalars(
        sa.select(ProgressLink).where(ProgressLink.token_hash == token_hash)
    ).one_or_none()


@dataclass(frozen=True)
class Owed:
    """An open item as the progress page shows it: its row's text and due date, nothing of
    who works on it or what was said about it."""

    party: Party
    text_en: str
    text_fr: str
    due_date: date


def owed_items(project_id: int) -> list[Owed]:
    """The project's open items, by party then due date: neither those a rule retired nor,
    after go-live, the standing responsibilities (ongoing duties, not owed work)."""
    rows = db.session.execute(
        sa.select(
            ChecklistItem.party,
            Responsibility.text_en,
            Responsibility.text_fr,
            ChecklistItem.due_date,
        )
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(ChecklistItem.project_id == project_id, is_open(), is_work(), is_dated())
        .order_by(ChecklistItem.party, ChecklistItem.due_date, Responsibility.position)
    )
    return [Owed(*row) for row in rows]
