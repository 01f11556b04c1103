"""French and English: the language a page is served in (profile, then the header's switcher,
then the browser, then English), the pages, forms, labels, catalogue texts, dates and numbers
in that language, and the switcher itself (CSRF, a return address on this site only)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from markupsafe import escape

from tests import factories
from tests.factories import CLIENT_ROW, INFOR_ROW, World
from tests.test_insights import arrange
from tests.test_project_changes import change_project
from tracker.enums import Deployment, Party, Status
from tracker.extensions import db
from tracker.models import Project, Responsibility, User
from tracker.timeutil import today
from tracker.wording import REASSIGNED, event_after, reason_text

FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}
# A row of the seed catalogue with an item of every project (Infor's), in both languages.
ROW = INFOR_ROW


def speaks(app, email: str, language: str) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.language = language
        db.session.commit()


def language_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).language


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)">', html).group(1)


def row_texts(app) -> tuple[str, str]:
    with app.app_context():
        row = db.session.scalar(db.select(Responsibility).where(Responsibility.key == ROW))
        return row.text_fr, row.text_en


@pytest.fixture
def french_csm(app, world, login):
    speaks(app, World.CSM, "fr")
    return login(World.CSM)


# --- the language of a page ------------------------------------------------------------


def test_french_user_gets_the_portfolio_in_french(french_csm):
    html = french_csm.get("/projects").get_data(as_text=True)

    assert html_lang(html) == "fr"
    assert '<h1 class="h3 mb-0">Portefeuille</h1>' in html
    assert "<title>Portefeuille · Suivi d\u2019onboarding</title>" in html
    assert ">Mes tâches</a>" in html
    assert "Portfolio" not in html


def test_french_user_sees_status_and_party_labels_in_french(world, french_csm):
    html = french_csm.get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert '<span class="badge bg-secondary">À faire</span>' in html
    assert '-status" value="not_applicable">Non applicable</button>' in html
    assert ">Partenaire</option>" in html
    assert "To do" not in html


def test_french_user_sees_the_catalogue_rows_in_french_verbatim(app, world, french_csm):
    text_fr, text_en = row_texts(app)

    html = french_csm.get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert str(escape(text_fr)) in html
    assert str(escape(text_en)) not in html


def test_english_user_sees_the_catalogue_rows_in_english(app, world, login):
    text_fr, text_en = row_texts(app)

    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert html_lang(html) == "en"
    assert str(escape(text_en)) in html
    assert str(escape(text_fr)) not in html


def test_french_user_gets_the_dashboards_rows_in_french(app, world, french_csm):
    text_fr, _ = row_texts(app)
    with app.app_context():
        for item in factories.items_of(world.project_a):
            item.due_date = date(2000, 1, 3)  # every item overdue
        db.session.commit()

    html = french_csm.get("/overdue").get_data(as_text=True)

    assert "Accueil client" in html  # the area's French title
    assert str(escape(text_fr)) in html


def test_profile_language_wins_over_the_browser(world, french_csm):
    html = french_csm.get("/my-tasks", headers=ENGLISH_BROWSER).get_data(as_text=True)

    assert '<h1 class="h3">Mes tâches</h1>' in html


def test_visitor_whose_browser_asks_for_french_gets_the_french_sign_in_page(client):
    html = client.get("/login", headers=FRENCH_BROWSER).get_data(as_text=True)

    assert html_lang(html) == "fr"
    assert '<h1 class="h3 mb-3">Se connecter</h1>' in html
    assert "Mot de passe" in html


def test_visitor_without_a_language_of_ours_gets_english(client):
    html = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)

    assert html_lang(html) == "en"
    assert '<h1 class="h3 mb-3">Sign in</h1>' in html


def test_error_pages_are_in_the_visitors_language(client):
    response = client.get("/no-such-page", headers=FRENCH_BROWSER)

    assert response.status_code == 404
    assert "404 · Introuvable" in response.get_data(as_text=True)


def test_the_api_answers_in_english_whatever_the_browser_asks(client):
    response = client.get("/api/v1/no-such-resource", headers=FRENCH_BROWSER)

    assert response.status_code == 404
    assert response.get_json()["title"] == "Not Found"


# --- the header's language switcher -------------------------------------------------------


def test_every_page_has_a_labelled_language_switcher(client):
    html = client.get("/login").get_data(as_text=True)

    form = re.search(r'<form method="post" action="/language".*?</form>', html, re.S).group(0)
    assert 'name="csrf_token"' in form
    assert 'role="group" aria-label="Language"' in form
    assert 'name="language" value="fr" lang="fr"' in form
    assert '<input type="hidden" name="next" value="/login">' in form


def test_switcher_changes_the_language_for_a_visitor(client):
    response = client.post("/language", data={"language": "fr", "next": "/login"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    html = client.get("/login", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<h1 class="h3 mb-3">Se connecter</h1>' in html


def test_switcher_returns_to_the_page_with_its_query_string(client):
    response = client.post("/language", data={"language": "fr", "next": "/login?next=%2Fmy-tasks"})

    assert response.headers["Location"] == "/login?next=%2Fmy-tasks"


def test_switcher_saves_the_choice_of_a_signed_in_user(app, world, login):
    client = login(World.CLIENT_A)

    response = client.post("/language", data={"language": "fr", "next": "/my-tasks"})

    assert response.headers["Location"] == "/my-tasks"
    assert language_of(app, world.client_a) == "fr"
    assert '<h1 class="h3">Mes tâches</h1>' in client.get("/my-tasks").get_data(as_text=True)


def test_switcher_back_to_english(app, world, french_csm):
    french_csm.post("/language", data={"language": "en", "next": "/projects"})

    assert language_of(app, world.csm) == "en"
    assert '<h1 class="h3 mb-0">Portfolio</h1>' in french_csm.get("/projects").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "",
        "/\r\nSet-Cookie: planted=1",  # a header injected through the redirect
        "/projects\n",
        "/\x00",
    ],
)
def test_switcher_refuses_to_send_anyone_off_site(client, target):
    response = client.post("/language", data={"language": "fr", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_switcher_refuses_a_language_we_do_not_have(app, world, login):
    client = login(World.CLIENT_A)

    response = client.post("/language", data={"language": "de", "next": "/projects"})

    assert response.status_code == 400
    assert language_of(app, world.client_a) == "en"


def test_switcher_without_the_csrf_token_is_refused(app, world, login, monkeypatch):
    client = login(World.CLIENT_A)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = client.post("/language", data={"language": "fr", "next": "/projects"})

    assert response.status_code == 400
    assert language_of(app, world.client_a) == "en"


def test_switcher_with_the_pages_csrf_token_works(app, world, login, monkeypatch):
    client = login(World.CLIENT_A)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/my-tasks").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/language".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)

    response = client.post(
        "/language", data={"language": "fr", "next": "/my-tasks", "csrf_token": token}
    )

    assert response.status_code == 302
    assert language_of(app, world.client_a) == "fr"


def test_signing_out_keeps_the_language_of_the_sign_in_page(world, french_csm):
    response = french_csm.post("/logout", follow_redirects=True, headers=ENGLISH_BROWSER)

    html = response.get_data(as_text=True)
    assert '<h1 class="h3 mb-3">Se connecter</h1>' in html
    assert "Vous êtes déconnecté." in html


# --- forms, labels, dates and numbers -----------------------------------------------------


def test_form_validation_errors_are_in_french(world, french_csm):
    response = french_csm.post(
        "/projects/new",
        data={
            "name": "Projet test",
            "customer_id": world.customer_a,
            "csm_id": world.csm,
            "deployment": "multi_tenant",
            "environment": "prod",
            "implementer": "infor",
            "partner_id": 0,
            "kickoff_date": "2026-11-28",
            "go_live_date": "2026-01-01",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La date de mise en production ne peut pas précéder la date de lancement." in html
    assert "Date cible de mise en production" in html  # the field's label


def test_required_field_message_is_in_french(world, french_csm):
    item = f"/projects/{world.project_a}/items"
    with french_csm.application.app_context():
        item_id = factories.items_of(world.project_a)[0].id

    response = french_csm.post(f"{item}/{item_id}/comments", data={"body": ""})

    assert response.status_code == 422
    assert "Ce champ est requis." in response.get_data(as_text=True)


def test_the_form_messages_of_one_language_do_not_leak_into_another(app, world, french_csm):
    """WTForms' messages follow each request's language: a French page and then an English
    one, each with its own message."""
    item = f"/projects/{world.project_a}/items"
    with app.app_context():
        item_id = factories.items_of(world.project_a)[0].id
    french_csm.post(f"{item}/{item_id}/comments", data={"body": ""})
    english = app.test_client()
    english.post("/login", data={"email": World.CLIENT_A, "password": factories.PASSWORD})

    response = english.post(f"{item}/{item_id}/comments", data={"body": ""})

    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_dates_are_written_the_french_way(app, world, french_csm):
    with app.app_context():
        db.session.get(Project, world.project_a).kickoff_date = date(2026, 11, 28)
        db.session.commit()

    html = french_csm.get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert "<dt>Lancement</dt><dd>28 nov. 2026</dd>" in html


def test_dates_stay_english_for_english_users(app, world, login):
    with app.app_context():
        db.session.get(Project, world.project_a).kickoff_date = date(2026, 11, 28)
        db.session.commit()

    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert "<dt>Kickoff</dt><dd>28 Nov 2026</dd>" in html


def test_date_inputs_stay_iso_in_french(app, world, french_csm):
    with app.app_context():
        kickoff = db.session.get(Project, world.project_a).kickoff_date

    html = french_csm.get(f"/projects/{world.project_a}/edit").get_data(as_text=True)

    assert f'type="date" value="{kickoff.isoformat()}"' in html


def test_numbers_and_shares_follow_the_locale(app):
    number, percent = app.jinja_env.filters["number"], app.jinja_env.filters["percent"]
    with app.test_request_context(), force_locale("fr"):
        assert number(1234567) == "1\u202f234\u202f567"
        assert percent(0.75) == "75\u00a0%"
    with app.test_request_context(), force_locale("en"):
        assert number(1234567) == "1,234,567"
        assert percent(0.75) == "75%"


def test_enum_labels_follow_the_locale_and_values_do_not(app):
    with app.test_request_context(), force_locale("fr"):
        assert str(Status.DONE.label) == "Terminé"
        first = Status.choices()[0]
        assert (first.value, str(first.label)) == ("todo", "À faire")
    with app.test_request_context(), force_locale("en"):
        assert str(Status.DONE.label) == "Done"
    assert Status.DONE.value == "done"
    assert Status("blocked") is Status.BLOCKED


def test_history_labels_are_in_french(app, world, french_csm):
    html = french_csm.get(f"/projects/{world.project_a}/history").get_data(as_text=True)

    assert "Liste de contrôle créée" in html
    assert "Projet créé" in html


def test_flash_messages_are_in_french(app, world, french_csm):
    with app.app_context():
        item = factories.items_of(world.project_a)[0]
        item_id, version = item.id, item.version

    response = french_csm.post(
        f"/projects/{world.project_a}/items/{item_id}",
        data={
            f"item{item_id}-status": "in_progress",
            f"item{item_id}-reason": "",
            f"item{item_id}-assignee_id": "0",
            f"item{item_id}-version": str(version),
        },
        follow_redirects=True,
    )

    assert "Tâche mise à jour." in response.get_data(as_text=True)


def test_reasons_the_tracker_gives_itself_are_shown_in_french(app, world, french_csm):
    from tracker.projects.services import project_data_from, update_project

    with app.app_context():
        project = db.session.get(Project, world.project_b)
        data = project_data_from(project)
        data.ims_contract = False  # IMS items go back to the client; the IMS-only row goes
        update_project(
            project, data, actor=db.session.get(User, world.csm), version=project.version
        )
        db.session.commit()

    html = french_csm.get(f"/projects/{world.project_b}").get_data(as_text=True)

    assert "Ne s\u2019applique plus\u00a0: désormais confiée au client." in html
    assert "confiée à Client" not in html  # a party's label after "à": not French
    assert "Ne s\u2019applique plus\u00a0: uniquement avec un contrat IMS." in html
    assert "<em>No longer applies" not in html  # (the reason field keeps the stored text)


def test_overdue_export_is_in_the_requesters_language(app, world, french_csm):
    text_fr, _ = row_texts(app)
    with app.app_context():
        for item in factories.items_of(world.project_a):
            item.due_date = date(2000, 1, 3)
        db.session.commit()

    content = french_csm.get("/overdue/export.csv").get_data(as_text=True).lstrip("\ufeff")

    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["Liste", "Jours de retard", "Échéance"]
    assert any(text_fr in row for row in rows)
    assert any(row[0] == "En retard" for row in rows[1:])


def test_calendar_feed_is_in_its_owners_language(app, world, french_csm):
    from tracker.calendar.services import feed_token, turn_on_feed

    with app.app_context():
        user = db.session.get(User, world.csm)
        turn_on_feed(user)
        db.session.commit()
        url = f"/calendar/{user.id}/{feed_token(user)}.ics"

    body = app.test_client().get(url, headers=ENGLISH_BROWSER).get_data(as_text=True)

    assert "Statut\u00a0: À faire" in body.replace("\r\n ", "")
    assert "Suivi d\u2019onboarding — " in body


def test_french_user_reads_the_trackers_reasons_in_french(app, world, french_csm):
    """A reason the tracker wrote (a code and its parameters) is worded for its reader."""
    with app.app_context():
        change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)
        retired = next(
            item for item in factories.items_of(world.project_a) if item.not_applicable_by_rule
        )
        db.session.commit()
        path = f"/projects/{world.project_a}/items/{retired.id}"

    html = french_csm.get(path).get_data(as_text=True)

    assert "Ne s\u2019applique plus\u00a0: uniquement pour les déploiements multi-tenant." in html
    assert "No longer applies" not in html


def filter_reads(html: str, name: str) -> str:
    """A filter as read: its label, then its first option ("Partie : Toutes")."""
    label = rf'for="filter-{name}">([^<]*)</label>'
    field = re.search(label + r'.*?<option value="">([^<]*)<', html, re.S)
    return f"{field.group(1)}\u00a0: {field.group(2)}"


def test_the_party_filter_says_all_in_the_feminine_in_french(world, french_csm):
    html = french_csm.get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert filter_reads(html, "party") == "Partie\u00a0: Toutes"
    assert filter_reads(html, "status") == "Statut\u00a0: Tous"
    assert '<th scope="row">Toutes</th>' in html  # every phase, under "Phase"


def test_the_overdue_dashboards_party_filter_says_all_in_the_feminine(world, french_csm):
    html = french_csm.get("/overdue").get_data(as_text=True)

    assert filter_reads(html, "party") == "Partie\u00a0: Toutes"


def test_a_reason_naming_parties_reads_as_french_in_french(app):
    """Each party is a whole phrase ("au client", "à Infor"), joined as each language
    joins a list: never "à Client", nor "Infor, Partner"."""
    params = {"parties": ["infor", "partner", "client"]}
    with app.test_request_context(), force_locale("fr"):
        french = reason_text(REASSIGNED, params, None)
        nobody = reason_text(REASSIGNED, {"parties": []}, None)
    with app.test_request_context(), force_locale("en"):
        english = reason_text(REASSIGNED, params, None)

    assert french == (
        "Ne s\u2019applique plus\u00a0: désormais confiée à Infor, au partenaire et au client."
    )
    assert nobody == "Ne s\u2019applique plus\u00a0: n\u2019est désormais confiée à personne."
    assert english == "No longer applies: now assigned to Infor, to the partner, and to the client."


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("fr", "1 tâche de la version 2 du catalogue", "26 tâches"),
        ("en", "1 item from catalogue version 2", "26 items"),
    ],
)
def test_item_counts_of_the_history_agree_with_their_number(app, language, one, many):
    created = SimpleNamespace(
        action="project.checklist_created", params={"items": 1, "catalogue_version": 2}
    )
    added = SimpleNamespace(action="project.items_added", params={"items": 26})
    with app.test_request_context(), force_locale(language):
        assert (event_after(created), event_after(added)) == (one, many)


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "Most delay sits with the client:"), ("fr", "du retard est du côté du client\u00a0:")],
)
def test_the_party_most_delay_sits_with_reads_naturally(app, world, login, language, phrase):
    with app.app_context():
        arrange(world.project_a, [])  # nothing late...
        item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT)
        item.due_date = today() - timedelta(days=5)  # ...but a client item
        db.session.commit()
    speaks(app, World.CSM, language)
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert phrase in html
    assert "du côté de Client" not in html
