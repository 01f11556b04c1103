"""The texts around the rules: the tracker's reasons in the reader's language with acronyms
as written, the rows' rationale (an internal note) in the reader's language, the source's
caveat with the catalogue and each checklist, and rows 13 and 23 reworded in English."""

from __future__ import annotations

import re

import pytest
from flask_babel import lazy_gettext as _l

from tests import factories
from tests.factories import World
from tests.test_project_changes import change_project
from tracker.enums import Condition, Environment, Party
from tracker.extensions import db
from tracker.models import User

NBSP = "\u00a0"
NO_LONGER = "Ne s\u2019applique plus\u00a0"  # "Ne s'applique plus", then " : "


def words(html: str) -> str:
    """A page's text, without tags, entities for quotes decoded."""
    text = re.sub(r"<[^>]+>", "", html).replace("&#39;", "'").replace("&#34;", '"')
    return re.sub(r"\s+", " ", text)


def speak(user_id: int, language: str) -> None:
    db.session.get(User, user_id).language = language
    db.session.commit()


def item_page(app, login, email: str, project_id: int, item_id: int) -> str:
    response = login(email).get(f"/projects/{project_id}/items/{item_id}")
    assert response.status_code == 200
    return words(response.get_data(as_text=True))


# --- the reasons: acronyms as written, in both languages ---------------------------------------


def _pre_prod(world):
    change_project(world.project_a, world.csm, environment=Environment.PRE_PROD)
    return world.project_a, factories.item_of(world.project_a, "monitor_infrastructure").id


def _no_ims_contract(world):
    change_project(world.project_b, world.csm, ims_contract=False)
    return world.project_b, factories.item_of(world.project_b, "support_extensions").id


def _no_data_migration(world):
    change_project(world.project_a, world.csm, data_migration=True)
    change_project(world.project_a, world.csm, data_migration=False)
    return world.project_a, factories.item_of(world.project_a, "migrate_legacy_data").id


def _no_vpn(world):
    change_project(world.project_a, world.csm, vpn_required=True)
    change_project(world.project_a, world.csm, vpn_required=False)
    return world.project_a, factories.item_of(world.project_a, "maintain_vpn").id


@pytest.mark.parametrize(
    ("retire", "language", "reason"),
    [
        (_pre_prod, "en", "No longer applies: not for PRE-PROD environments."),
        (_pre_prod, "fr", f"{NO_LONGER}: hors environnements PRE-PROD."),
        (_no_ims_contract, "en", "No longer applies: only with an IMS contract."),
        (_no_ims_contract, "fr", f"{NO_LONGER}: uniquement avec un contrat IMS."),
        (_no_data_migration, "en", "No longer applies: only with a data migration (DMF)."),
        (
            _no_data_migration,
            "fr",
            f"{NO_LONGER}: uniquement avec une migration de données (DMF).",
        ),
        (_no_vpn, "en", "No longer applies: only when a VPN is required."),
        (_no_vpn, "fr", f"{NO_LONGER}: uniquement si un VPN est requis."),
    ],
)
def test_a_reason_reads_in_the_readers_language_with_its_acronym_as_written(
    app, world, login, retire, language, reason
):
    with app.app_context():
        project_id, item_id = retire(world)
        speak(world.csm, language)

    text = item_page(app, login, World.CSM, project_id, item_id)

    assert reason.replace(NBSP, " ") in text.replace(NBSP, " ")


def test_a_condition_label_that_begins_with_an_acronym_keeps_it_in_the_reason(
    app, world, login, monkeypatch
):
    monkeypatch.setattr(Condition.VPN_REQUIRED, "label", _l("VPN required"))
    with app.app_context():
        project_id, item_id = _no_vpn(world)

    text = item_page(app, login, World.CSM, project_id, item_id)

    assert "No longer applies: VPN required." in text


# --- the rationale: an internal note, in the reader's language ----------------------------------


@pytest.mark.parametrize(("language", "field"), [("en", "rationale"), ("fr", "rationale_fr")])
def test_the_rationale_reads_in_the_readers_language(app, world, login, language, field):
    with app.app_context():
        item = factories.item_of(world.project_a, "maintain_relationship", Party.INFOR)
        item_id, rationale = item.id, getattr(item.responsibility, field)
        assert rationale
        speak(world.csm, language)

    text = item_page(app, login, World.CSM, world.project_a, item_id)

    assert rationale.replace(NBSP, " ") in text.replace(NBSP, " ")


def test_a_row_without_a_french_rationale_shows_the_english_one_in_french(app, world, login):
    with app.app_context():
        item = factories.item_of(world.project_a, "maintain_relationship", Party.INFOR)
        item.responsibility.rationale_fr = None
        item_id, rationale = item.id, item.responsibility.rationale
        speak(world.csm, "fr")

    assert rationale in item_page(app, login, World.CSM, world.project_a, item_id)


def test_the_french_rationale_is_not_shown_to_client_users(app, world, login):
    with app.app_context():
        item = factories.item_of(world.project_a, "maintain_relationship", Party.CLIENT)
        item_id, rationale = item.id, item.responsibility.rationale_fr
        speak(world.client_a, "fr")

    text = item_page(app, login, World.CLIENT_A, world.project_a, item_id)

    assert rationale.replace(NBSP, " ") not in text.replace(NBSP, " ")


# --- the source's caveat --------------------------------------------------------------------------

CAVEAT = (
    "This list is not exhaustive: it gives an overview of the responsibilities. Roles and "
    "responsibilities may vary with the subscription service and the subscription software."
)


def test_the_catalogue_page_says_the_list_is_not_exhaustive(app, world, login):
    html = login(World.ADMIN).get("/catalogue").get_data(as_text=True)

    assert CAVEAT in words(html)


def test_each_projects_checklist_says_the_list_is_not_exhaustive(app, world, login):
    html = login(World.CLIENT_A).get(f"/projects/{world.project_a}").get_data(as_text=True)

    checklist = words(html[html.index('id="items"') :])
    assert checklist.index(CAVEAT) < checklist.index("Filter")


# --- rows 13 and 23 in English -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text_en"),
    [
        (
            "protect_and_remediate_security",
            "Take measures to protect the applicable systems against malware, intrusions and "
            "web-based, application and host attacks, to detect them, and to mitigate them where "
            "applicable. Remediate application and operating system vulnerabilities where "
            "applicable.",
        ),
        (
            "help_resolve_issues",
            "Help troubleshoot and resolve issues with the Infor subscription services when the "
            "customer gets unexpected results.",
        ),
    ],
)
def test_rows_13_and_23_read_naturally_in_english(app, world, login, key, text_en):
    with app.app_context():
        item_id = factories.item_of(world.project_a, key).id

    assert text_en in item_page(app, login, World.CSM, world.project_a, item_id)
