"""Editing the catalogue as a draft (administrators), publishing it as the next version
with the loader's own validation, discarding it; conflicts and the audit trail."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.factories import World
from tracker.catalogue.queries import current_version
from tracker.extensions import db
from tracker.models import CatalogueDraft, CatalogueEvent, CatalogueVersion, User

DRAFT = "/catalogue/draft"

NEW_ROW = {
    "key": "new_row",
    "area": "",
    "text_fr": "Vérifier les accès",
    "text_en": "Check the access",
    "parties": ["client"],
    "phase": "onboarding",
    "due": "K+5",
    "marks": "confirmed",
    "confidence": "high",
    "rationale": "Kick-off minutes",
    "seed_row": "77",
}


def draft() -> CatalogueDraft | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(CatalogueDraft)).first()


def versions() -> list[int]:
    return list(db.session.scalars(sa.select(CatalogueVersion.number)))


def events() -> list[tuple[str, str | None, int | None]]:
    return [
        (e.action, e.target, e.version_number)
        for e in db.session.scalars(sa.select(CatalogueEvent).order_by(CatalogueEvent.id))
    ]


def started(login):
    client = login(World.ADMIN)
    assert client.post(f"{DRAFT}/start").status_code == 302
    return client


def first_area() -> dict:
    return draft().content["areas"][0]


def post(client, url: str, data: dict | None = None, version: int | None = None):
    version = draft().version if version is None else version
    return client.post(url, data={**(data or {}), "version": str(version)})


def add_row(client, **changes):
    data = {**NEW_ROW, "area": first_area()["key"], **changes}
    return post(client, f"{DRAFT}/rows/new", data)


def test_a_draft_starts_from_the_newest_version(ctx, world, login):
    client = started(login)

    page = client.get(DRAFT).get_data(as_text=True)

    newest = current_version()
    assert draft().based_on == newest.number
    assert first_area()["key"] in page
    assert "Publish" in page


def test_a_second_draft_is_refused(ctx, world, login):
    client = started(login)

    assert client.post(f"{DRAFT}/start").status_code == 409


def test_the_draft_survives_signing_out(ctx, world, login):
    client = started(login)
    client.post("/logout")

    page = login(World.ADMIN).get(DRAFT).get_data(as_text=True)

    assert draft() is not None
    assert "Discard the draft" in page


def test_an_added_row_holds_every_field_as_the_loader_reads_it(ctx, world, login):
    client = started(login)

    response = add_row(client)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]

    row = first_area()["rows"][-1]
    assert row["key"] == "new_row"
    assert row["text_fr"] == "Vérifier les accès"
    assert row["due"] == "K+5"
    assert row["marks_inferred"] is False
    assert row["confidence"] == "high"
    assert row["seed_row"] == 77
    assert row["condition"] is None


def test_a_row_key_used_already_is_refused_on_the_key(ctx, world, login):
    client = started(login)
    taken = first_area()["rows"][0]["key"]

    response = add_row(client, key=taken)

    assert response.status_code == 422
    assert "Another row has this key." in response.get_data(as_text=True)


def test_a_key_not_in_the_loader_pattern_is_refused(ctx, world, login):
    client = started(login)

    response = add_row(client, key="Bad Key")

    assert response.status_code == 422
    assert all(r["key"] != "Bad Key" for r in first_area()["rows"])


def test_editing_a_row_changes_its_text_and_keeps_its_key(ctx, world, login):
    client = started(login)
    row = first_area()["rows"][0]
    data = {**NEW_ROW, "area": first_area()["key"], "key": "ignored", "text_en": "Changed"}
    del data["key"]

    assert post(client, f"{DRAFT}/rows/{row['key']}", data).status_code == 302

    edited = first_area()["rows"][0]
    assert (edited["key"], edited["text_en"]) == (row["key"], "Changed")


def test_moving_a_row_down_swaps_it_with_the_next(ctx, world, login):
    client = started(login)
    first, second = (r["key"] for r in first_area()["rows"][:2])

    post(client, f"{DRAFT}/row/{first}/move/down")

    assert [r["key"] for r in first_area()["rows"][:2]] == [second, first]


def test_moving_an_area_up_swaps_it_with_the_one_before(ctx, world, login):
    client = started(login)
    first, second = (a["key"] for a in draft().content["areas"][:2])

    post(client, f"{DRAFT}/area/{second}/move/up")

    assert [a["key"] for a in draft().content["areas"][:2]] == [second, first]


def test_removing_a_row_takes_it_out_of_the_draft(ctx, world, login):
    client = started(login)
    key = first_area()["rows"][0]["key"]

    post(client, f"{DRAFT}/row/{key}/remove")

    assert key not in [r["key"] for a in draft().content["areas"] for r in a["rows"]]


def test_an_added_area_goes_last(ctx, world, login):
    client = started(login)
    data = {"key": "new_area", "title_fr": "Nouvelle", "title_en": "New"}

    assert post(client, f"{DRAFT}/areas/new", data).status_code == 302

    assert draft().content["areas"][-1] == {
        "key": "new_area",
        "title_fr": "Nouvelle",
        "title_en": "New",
        "note_fr": None,
        "note_en": None,
        "rows": [],
    }


def test_discarding_removes_the_draft_and_keeps_the_versions(ctx, world, login):
    client = started(login)
    before = versions()

    assert post(client, f"{DRAFT}/discard").status_code == 302

    assert draft() is None
    assert versions() == before


def test_a_stale_draft_version_is_a_conflict_that_keeps_the_input(ctx, world, login):
    client = started(login)
    stale = draft().version
    add_row(client)  # another administrator's change

    response = post(
        client,
        f"{DRAFT}/rows/new",
        {**NEW_ROW, "key": "mine", "area": first_area()["key"], "text_en": "My typed text"},
        version=stale,
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed the draft after you loaded it." in page
    assert "My typed text" in page
    assert "mine" not in [r["key"] for r in first_area()["rows"]]


def test_the_publish_page_shows_the_changes_against_the_newest_version(ctx, world, login):
    client = started(login)
    add_row(client)

    page = client.get(f"{DRAFT}/publish").get_data(as_text=True)

    assert "new_row" in page
    assert "Publish the draft" in page


def test_publishing_makes_the_draft_the_next_version(ctx, world, login):
    client = started(login)
    add_row(client)
    newest = current_version().number

    assert post(client, f"{DRAFT}/publish").status_code == 302

    assert current_version().number == newest + 1
    assert draft() is None
    assert ("published", None, newest + 1) in events()


def test_publishing_an_invalid_draft_names_the_row_and_the_field(ctx, world, login):
    client = started(login)
    add_row(client, parties=["ims"])  # an IMS row needs the condition ims_contract
    newest = current_version().number

    response = post(client, f"{DRAFT}/publish")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "(new_row)" in page
    assert "condition" in page
    assert current_version().number == newest
    assert draft() is not None


def test_publishing_an_unchanged_draft_is_refused(ctx, world, login):
    client = started(login)

    response = post(client, f"{DRAFT}/publish")

    assert response.status_code == 422
    assert "nothing to publish" in response.get_data(as_text=True)


def test_draft_changes_are_in_the_audit_trail(ctx, world, login):
    client = started(login)
    add_row(client)

    page = client.get(DRAFT).get_data(as_text=True)

    assert [action for action, *_ in events()] == ["draft_started", "row_added"]
    assert "Added row new_row" in page


def test_the_catalogue_history_reads_in_the_readers_language(ctx, world, login):
    db.session.scalar(sa.select(User).where(User.email == World.ADMIN)).language = "fr"
    client = started(login)
    add_row(client)

    page = client.get(DRAFT).get_data(as_text=True)

    assert "Ligne new_row ajoutée" in page


def unfolded_by_a_click(html: str, action: str) -> str:
    """The folded <details> that holds the form posting to DRAFT + ``action``."""
    inside = r"(?:(?!</?details).)*?"
    found = re.search(
        rf'<details(?![^>]*\bopen\b)[^>]*>{inside}action="{DRAFT}{action}"{inside}</details>',
        html,
        re.S,
    )
    assert found, f"no folded question around {action}"
    return found.group(0)


def test_removing_a_row_asks_first(ctx, world, login):
    client = started(login)
    key = first_area()["rows"][0]["key"]

    question = unfolded_by_a_click(client.get(DRAFT).get_data(as_text=True), f"/row/{key}/remove")

    assert f"Remove row {key} from the draft?" in question


def test_discarding_the_draft_asks_first(ctx, world, login):
    client = started(login)

    question = unfolded_by_a_click(client.get(DRAFT).get_data(as_text=True), "/discard")

    assert "cannot be undone" in question


def test_a_version_that_is_not_a_number_is_refused(ctx, world, login):
    client = started(login)
    key = first_area()["rows"][0]["key"]

    response = client.post(f"{DRAFT}/row/{key}/remove", data={"version": "1; drop"})

    assert response.status_code == 422
    assert key in [r["key"] for r in first_area()["rows"]]


def test_the_catalogue_page_links_administrators_to_the_draft(ctx, world, login):
    page = login(World.ADMIN).get("/catalogue").get_data(as_text=True)

    assert 'href="/catalogue/draft"' in page


def test_an_edit_records_which_fields_it_changed(ctx, world, login):
    client = started(login)
    area = first_area()
    data = {
        "title_fr": area["title_fr"],
        "title_en": "Renamed",
        "note_fr": area["note_fr"] or "",
        "note_en": area["note_en"] or "",
    }

    post(client, f"{DRAFT}/areas/{area['key']}", data)

    event = db.session.scalars(sa.select(CatalogueEvent).order_by(CatalogueEvent.id.desc())).first()
    assert (event.action, event.target, event.fields) == (
        "area_changed",
        f"area:{area['key']}",
        ["title_en"],
    )
