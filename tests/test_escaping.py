"""Stored markup is shown as text: every free-text field holds a script, quotes and a
closing textarea, and every page that shows the field shows it escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape

from tests import factories
from tracker.catalogue.loader import CatalogueSpec, load_catalogue
from tracker.checklist.services import add_comment
from tracker.enums import Implementer, OrganisationKind, Party, Role, Status
from tracker.extensions import db
from tracker.timeutil import today

ROOT = Path(__file__).resolve().parent.parent


def payload(where: str) -> str:
    """Markup that would run, close an attribute or leave a textarea if shown unescaped."""
    return f'<script>alert("{where}")</script>"\'</textarea>'


def hostile_catalogue() -> CatalogueSpec:
    """A small catalogue whose every text is markup: an Infor row and an IMS-eligible
    client row."""
    return CatalogueSpec.model_validate(
        {
            "source": payload("catalogue source"),
            "areas": [
                {
                    "key": "welcome",
                    "title_fr": payload("area title fr"),
                    "title_en": payload("area title"),
                    "note_fr": payload("area note fr"),
                    "note_en": payload("area note"),
                    "rows": [
                        {
                            "key": "welcome_customer",
                            "text_fr": payload("row text fr"),
                            "text_en": payload("row text"),
                            "parties": ["infor"],
                            "phase": "onboarding",
                            "due": "K+5",
                            "confidence": "high",
                            "rationale": payload("row rationale"),
                        },
                        {
                            "key": "register",
                            "text_fr": payload("client row fr"),
                            "text_en": payload("client row"),
                            "parties": ["client"],
                            "ims_eligible": True,
                            "phase": "onboarding",
                            "due": "K+14",
                        },
                    ],
                }
            ],
        }
    )


@dataclass(frozen=True)
class MarkupWorld:
    project: int
    item: int
    customer: int
    client_user: int


ADMIN = "admin@t.test"


@pytest.fixture
def markup_world(app) -> MarkupWorld:
    """Every free-text field holds markup: catalogue texts, organisation, user and project
    names, an item's reason and a comment. The item is overdue, blocked, and the admin's."""
    with app.app_context():
        load_catalogue(hostile_catalogue())
        db.session.commit()
        customer = factories.organisation(payload("customer"))
        partner = factories.organisation(payload("partner"), OrganisationKind.PARTNER)
        admin = factories.user(ADMIN, Role.ADMIN, name=payload("admin name"))
        csm = factories.user("csm@t.test", Role.CSM, name=payload("csm name"))
        client_user = factories.user(
            "client@t.test", Role.CLIENT, customer.id, name=payload("client name")
        )
        project = factories.project(
            customer.id,
            csm.id,
            name=payload("project"),
            implementer=Implementer.PARTNER,
            partner_id=partner.id,
            kickoff_date=today() - timedelta(days=30),
        )
        item = factories.item_of(project.id, "welcome_customer", Party.INFOR)
        factories.change(
            item,
            actor=csm,
            status=Status.BLOCKED,
            reason=payload("reason"),
            assignee_id=admin.id,
        )
        add_comment(item, actor=csm, body=payload("comment"))
        db.session.commit()
        return MarkupWorld(project.id, item.id, customer.id, client_user.id)


# page -> (its address, the fields it shows)
PAGES = {
    "portfolio": ("/projects", ["project", "customer", "csm name", "admin name"]),
    "project page": (
        "/projects/{project}",
        ["project", "customer", "csm name", "partner", "area title", "area title fr",
         "row text", "reason", "comment", "admin name"],
    ),
    "item page": (
        "/projects/{project}/items/{item}",
        ["project", "area title", "area title fr", "row text", "row text fr",
         "row rationale", "reason", "comment", "csm name", "admin name"],
    ),
    "history": ("/projects/{project}/history", ["project", "reason", "comment", "csm name"]),
    "my tasks": (
        "/my-tasks",
        ["project", "customer", "csm name", "area title", "row text", "admin name"],
    ),
    "overdue": (
        "/overdue",
        ["project", "customer", "csm name", "area title", "row text", "admin name"],
    ),
    "catalogue": (
        "/catalogue",
        ["catalogue source", "area title", "area title fr", "area note", "row text",
         "row text fr", "client row", "client row fr"],
    ),
    "project form": ("/projects/{project}/edit", ["project", "area title", "client row"]),
    "users": ("/admin/users", ["admin name", "csm name", "client name", "customer"]),
    "user form": ("/admin/users/{client_user}", ["client name"]),
    "organisations": ("/admin/organisations", ["customer", "partner"]),
    "organisation form": ("/admin/organisations/{customer}", ["customer"]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(PAGES))
def test_stored_markup_is_shown_escaped(markup_world, login, name):
    address, fields = PAGES[name]
    url = address.format(
        project=markup_world.project,
        item=markup_world.item,
        customer=markup_world.customer,
        client_user=markup_world.client_user,
    )
    response = login(ADMIN, factories.PASSWORD).get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "\"'</textarea>" not in html
    missing = [field for field in fields if str(escape(payload(field))) not in html]
    assert missing == [], f"not shown, or not escaped as text, on the {name}"


def test_the_catalogue_comparison_shows_stored_markup_escaped(markup_world, app, login):
    with app.app_context():
        data = hostile_catalogue().model_dump(mode="json")
        area = data["areas"][0]
        area["title_en"] = payload("new area title")
        area["rows"][0].update(text_en=payload("new row text"), rationale=payload("new rationale"))
        area["rows"].append({**area["rows"][1], "key": "added", "text_en": payload("added row")})
        load_catalogue(CatalogueSpec.model_validate(data))
        db.session.commit()

    response = login(ADMIN, factories.PASSWORD).get("/catalogue/diff?from=1&to=2")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    shown = ["area title", "new area title", "row text", "new row text", "row rationale",
             "new rationale", "added row", "client row fr"]  # fmt: skip
    assert [field for field in shown if str(escape(payload(field))) not in html] == []


def _template_lines(pattern: str) -> list[str]:
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_templates_never_mark_values_safe():
    assert _template_lines(r"\|\s*safe\b|autoescape\s+false") == []


def test_code_never_builds_markup_by_hand():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tracker").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bMarkup\(|markupsafe|render_template_string", line)
    ]
    assert found == []
