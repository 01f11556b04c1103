"""Comparing two catalogue versions: `flask catalogue diff N M`, the page /catalogue/diff, and
the catalogue page's links to it and to a version's YAML file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tests.test_catalogue import seed_row, write_catalogue
from tracker.catalogue.loader import RowSpec, load_catalogue_file
from tracker.extensions import db
from tracker.models import User


def load_changed(tmp_path: Path, change: Callable[[dict], None]) -> None:
    """Version 1 (the seed), then version 2: the seed with ``change``."""
    factories.catalogue()
    assert load_catalogue_file(write_catalogue(tmp_path, change)).created


def diff_json(runner, before: int = 1, after: int = 2) -> dict:
    result = runner.invoke(args=["catalogue", "diff", str(before), str(after), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rename(old: str, new: str) -> Callable[[dict], None]:
    return lambda data: seed_row(data, old).update(key=new)


def move_last_row_first(area_key: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        rows = next(area for area in data["areas"] if area["key"] == area_key)["rows"]
        rows.insert(0, rows.pop())

    return change


# --- the comparison, as `catalogue diff --json` prints it -----------------------------------


def test_a_changed_field_is_given_with_its_value_before_and_after(runner, ctx, tmp_path):
    load_changed(tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="G-3"))

    diff = diff_json(runner)

    assert diff["rows"] == [
        {
            "key": "welcome_customer",
            "area": "customer_welcome",
            "change": "changed",
            "fields": [{"field": "due", "before": "K+5", "after": "G-3"}],
        }
    ]
    assert (diff["from_version"], diff["to_version"], diff["areas"]) == (1, 2, [])


def test_every_changed_field_of_a_row_is_listed_in_the_loaders_order(runner, ctx, tmp_path):
    load_changed(
        tmp_path,
        lambda data: seed_row(data, "track_adoption").update(
            parties=["infor", "client"], phase="operations", confidence="low", text_en="New."
        ),
    )

    fields = diff_json(runner)["rows"][0]["fields"]

    assert [f["field"] for f in fields] == ["text_en", "parties", "confidence"]
    assert fields[1] == {"field": "parties", "before": ["infor"], "after": ["infor", "client"]}


def test_a_row_with_a_new_key_is_added_with_every_field_of_the_loader(runner, ctx, tmp_path):
    load_changed(tmp_path, rename("maintain_vpn", "maintain_the_vpn"))

    rows = diff_json(runner)["rows"]

    added = next(row for row in rows if row["change"] == "added")
    assert (added["key"], added["area"]) == ("maintain_the_vpn", "infrastructure_operations")
    expected = [name for name in RowSpec.model_fields if name != "key"]
    assert [f["field"] for f in added["fields"]] == expected
    assert {f["before"] for f in added["fields"]} == {None}


def test_a_row_whose_key_is_gone_is_removed_with_its_last_values(runner, ctx, tmp_path):
    load_changed(tmp_path, rename("maintain_vpn", "maintain_the_vpn"))

    rows = diff_json(runner)["rows"]

    removed = next(row for row in rows if row["change"] == "removed")
    assert removed["key"] == "maintain_vpn"
    values = {f["field"]: f["before"] for f in removed["fields"]}
    assert (values["condition"], values["due"]) == ("vpn_required", "G-21")
    assert {f["after"] for f in removed["fields"]} == {None}


def test_a_row_moved_to_another_area_says_from_which_to_which(runner, ctx, tmp_path):
    def move(data: dict) -> None:
        row = data["areas"][0]["rows"].pop()
        data["areas"][1]["rows"].append(row)

    load_changed(tmp_path, move)

    assert diff_json(runner)["rows"] == [
        {
            "key": "register_for_onboarding_webinar",
            "area": "provisioning",
            "change": "changed",
            "fields": [{"field": "area", "before": "customer_welcome", "after": "provisioning"}],
        }
    ]


def test_only_the_row_moved_within_its_area_changes_position(runner, ctx, tmp_path):
    load_changed(tmp_path, move_last_row_first("application_management"))

    assert diff_json(runner)["rows"] == [
        {
            "key": "help_resolve_issues",
            "area": "application_management",
            "change": "changed",
            "fields": [{"field": "position", "before": 4, "after": 1}],
        }
    ]


def test_a_moved_area_changes_position_and_its_rows_do_not(runner, ctx, tmp_path):
    load_changed(tmp_path, lambda data: data["areas"].insert(0, data["areas"].pop()))

    diff = diff_json(runner)

    assert diff["areas"] == [
        {
            "key": "customer_relationship",
            "change": "changed",
            "fields": [{"field": "position", "before": 14, "after": 1}],
        }
    ]
    assert diff["rows"] == []


def test_an_area_added_comes_with_its_fields_and_its_rows(runner, ctx, tmp_path):
    def add_area(data: dict) -> None:
        area = data["areas"].pop()
        data["areas"].append({**area, "key": "relationship", "title_en": "Relationship"})

    load_changed(tmp_path, add_area)

    diff = diff_json(runner)

    assert [(a["key"], a["change"]) for a in diff["areas"]] == [
        ("relationship", "added"),
        ("customer_relationship", "removed"),
    ]
    assert {"field": "title_en", "before": None, "after": "Relationship"} in diff["areas"][0][
        "fields"
    ]
    assert [(r["key"], r["area"], r["change"]) for r in diff["rows"]] == [
        ("track_adoption", "relationship", "changed"),
        ("maintain_relationship", "relationship", "changed"),
    ]


def test_a_version_compared_with_itself_has_no_differences(runner, ctx):
    factories.catalogue()

    result = runner.invoke(args=["catalogue", "diff", "1", "1"])

    assert result.exit_code == 0
    assert "No differences: both versions have the same areas and rows." in result.output


def test_comparing_with_an_unknown_version_is_refused(runner, ctx):
    factories.catalogue()

    result = runner.invoke(args=["catalogue", "diff", "1", "9"])

    assert result.exit_code != 0
    assert "There is no catalogue version 9." in result.output


# --- the same, as text ----------------------------------------------------------------------


def test_the_text_says_what_changed_area_by_area(runner, ctx, tmp_path):
    load_changed(tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="K+9"))

    output = runner.invoke(args=["catalogue", "diff", "1", "2"]).output

    assert output.splitlines()[:5] == [
        "From version 1 to version 2",
        "1 row changed",
        "",
        "Customer welcome [customer_welcome]",
        "  Changed — welcome_customer · "
        + "Welcome the customer to Infor and provide key information about the cloud "
        "subscription. Introduce the Customer Success Manager (CSM), where applicable, and "
        "provide training on selected Infor customer tools so that the customer can contact "
        "Infor whenever necessary.",
    ]
    assert output.splitlines()[5] == "    Due: K+5 → K+9"


def test_the_text_reads_in_french_when_asked(runner, ctx, tmp_path):
    load_changed(tmp_path, lambda data: seed_row(data, "welcome_customer").update(phase="go_live"))

    output = runner.invoke(args=["catalogue", "diff", "1", "2", "--language", "fr"]).output

    assert "Accueil client [customer_welcome]" in output
    assert "Souhaiter la bienvenue au client sur Infor" in output
    assert "Onboarding → Mise en production" in output


@pytest.mark.parametrize("value", ["0", "1.5", "x"])
def test_a_version_number_that_is_not_one_is_refused(runner, ctx, value):
    factories.catalogue()

    result = runner.invoke(args=["catalogue", "diff", "1", value])

    assert result.exit_code == 2
    assert "Invalid value for 'M'" in result.output


# --- the page -------------------------------------------------------------------------------


def second_version(app, tmp_path: Path, change: Callable[[dict], None]) -> None:
    """The world's catalogue (version 1), and version 2: the seed with ``change``."""
    with app.app_context():
        assert load_catalogue_file(write_catalogue(tmp_path, change)).created
        db.session.commit()


def later_due(data: dict) -> None:
    seed_row(data, "welcome_customer").update(due="K+9")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_shows_each_change_under_its_area(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.ADMIN), "/catalogue/diff?from=1&to=2"))

    assert "From version 1 to version 2 1 row changed" in shown
    assert (
        "Customer welcome customer_welcome Changed welcome_customer Welcome the customer" in shown
    )
    assert "Field From To Due K+5 K+9" in shown


def test_the_page_compares_the_newest_version_with_the_one_before_by_default(
    app, world, login, tmp_path
):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.CSM), "/catalogue/diff"))

    assert "From version 1 to version 2" in shown
    assert "Due K+5 K+9" in shown


def test_the_page_compares_either_way(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.CSM), "/catalogue/diff?from=2&to=1"))

    assert "Due K+9 K+5" in shown


def test_a_french_reader_reads_the_differences_in_french(app, world, login, tmp_path):
    second_version(
        app, tmp_path, lambda data: seed_row(data, "welcome_customer").update(phase="go_live")
    )
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == World.CSM)).language = "fr"
        db.session.commit()

    shown = text_of(page(login(World.CSM), "/catalogue/diff?from=1&to=2"))

    assert "Accueil client customer_welcome" in shown
    assert "Souhaiter la bienvenue au client sur Infor" in shown
    assert "Champ Avant Après Phase Onboarding Mise en production" in shown


def test_the_page_says_when_two_versions_do_not_differ(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)
    second_version(app, tmp_path, lambda data: None)  # version 3: version 1 again

    shown = text_of(page(login(World.ADMIN), "/catalogue/diff?from=1&to=3"))

    assert "No differences: both versions have the same areas and rows." in shown


def test_an_unknown_version_is_not_found(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.ADMIN), "/catalogue/diff?from=1&to=3", 404))

    assert "There is no such catalogue version." in shown


def test_a_version_compared_with_itself_is_refused_with_the_reason(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.ADMIN), "/catalogue/diff?from=2&to=2", 422))

    assert "Choose two different versions." in shown


def test_with_a_single_version_the_page_says_there_is_nothing_to_compare(world, login):
    shown = text_of(page(login(World.ADMIN), "/catalogue/diff"))

    assert "There is no earlier version to compare version 1 with." in shown


def test_a_value_that_is_no_version_number_is_ignored(app, world, login, tmp_path):
    second_version(app, tmp_path, later_due)

    shown = text_of(page(login(World.ADMIN), "/catalogue/diff?from=first&to=2.0"))

    assert "From version 1 to version 2" in shown


def test_the_catalogue_page_links_to_the_comparison_once_there_are_two_versions(
    app, world, login, tmp_path
):
    client = login(World.CSM)
    assert "Compare versions" not in page(client, "/catalogue")
    second_version(app, tmp_path, later_due)

    html = page(client, "/catalogue")

    assert 'href="/catalogue/diff?to=2"' in html
    assert 'href="/catalogue/diff?from=1"' in page(client, "/catalogue?version=1")


# --- the YAML download ---------------------------------------------------------------------


def test_an_administrator_downloads_the_shown_version_as_yaml(world, login):
    html = page(login(World.ADMIN), "/catalogue")

    assert 'href="/catalogue/export.yaml?version=1" download>Download YAML</a>' in html


def test_a_csm_has_no_download_button(world, login):
    assert "Download YAML" not in page(login(World.CSM), "/catalogue")


def test_the_downloaded_yaml_loads_as_the_same_version(app, world, login, runner, tmp_path):
    second_version(app, tmp_path, later_due)

    response = login(World.ADMIN).get("/catalogue/export.yaml?version=2")

    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="catalogue-version-2.yaml"'
    )
    path = tmp_path / "downloaded.yaml"
    path.write_bytes(response.get_data())
    result = runner.invoke(args=["catalogue", "load", str(path)])
    assert "Catalogue unchanged: version 2 is current." in result.output


def test_the_download_of_an_unknown_version_is_not_found(world, login):
    assert login(World.ADMIN).get("/catalogue/export.yaml?version=5").status_code == 404


def test_a_csm_reaches_the_catalogue_from_a_projects_catalogue_version(world, login):
    html = page(login(World.CSM), f"/projects/{world.project_a}")

    assert '<a href="/catalogue?version=1">version 1</a>' in html


def test_a_client_sees_the_catalogue_version_without_a_link(world, login):
    html = page(login(World.CLIENT_A), f"/projects/{world.project_a}")

    assert "version 1" in html
    assert "/catalogue?version=1" not in html
