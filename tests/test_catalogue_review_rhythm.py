"""A catalogue row's review rhythm (``review_every``): in the file format, checked by the
loader, exported, compared between versions and edited in a draft."""

from __future__ import annotations

import re

import pytest
import yaml

from tests import factories
from tests.test_catalogue import seed_data, seed_row, write_catalogue
from tests.test_catalogue_diff import diff_json, load_changed
from tests.test_catalogue_drafts import NEW_ROW, draft, first_area, post, started
from tracker.catalogue.loader import CatalogueError, load_catalogue_file, parse_catalogue
from tracker.enums import ReviewRhythm

DRAFT = "/catalogue/draft"


def with_row(change) -> str:
    data = seed_data()
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_the_seed_reviews_the_monitoring_monthly():
    spec = parse_catalogue(with_row(lambda data: None))

    assert spec.rows_by_key["monitor_critical_applications"].review_every is ReviewRhythm.MONTHLY


def test_a_rhythm_on_a_row_that_is_not_an_operations_row_is_refused():
    text = with_row(lambda data: seed_row(data, "welcome_customer").update(review_every="yearly"))

    with pytest.raises(CatalogueError, match=r"welcome_customer.*review_every: only an operations"):
        parse_catalogue(text)


def test_an_unknown_rhythm_is_refused():
    text = with_row(lambda data: seed_row(data, "track_adoption").update(review_every="weekly"))

    with pytest.raises(CatalogueError, match=r"track_adoption.*review_every"):
        parse_catalogue(text)


def test_the_rhythm_is_stored_with_the_row(ctx, tmp_path):
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, "track_adoption").update(review_every="yearly")
    )

    version = load_catalogue_file(path).version

    row = next(r for a in version.areas for r in a.responsibilities if r.key == "track_adoption")
    assert row.review_every is ReviewRhythm.YEARLY


def test_a_file_without_rhythms_keeps_the_checksum_it_had_without_the_field(ctx):
    without = seed_data()
    for area in without["areas"]:
        for row in area["rows"]:
            row.pop("review_every", None)
    given_as_null = seed_data()
    for area in given_as_null["areas"]:
        for row in area["rows"]:
            row["review_every"] = None

    assert (
        parse_catalogue(yaml.safe_dump(without)).checksum
        == parse_catalogue(yaml.safe_dump(given_as_null)).checksum
    )


def test_the_export_carries_the_rhythm(runner, ctx, tmp_path):
    factories.catalogue()
    exported = tmp_path / "exported.yaml"

    runner.invoke(args=["catalogue", "export", str(exported)])

    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert seed_row(data, "maintain_databases")["review_every"] == "quarterly"


def test_the_comparison_shows_a_changed_rhythm(runner, ctx, tmp_path):
    load_changed(
        tmp_path, lambda data: seed_row(data, "track_adoption").update(review_every="yearly")
    )

    diff = diff_json(runner)

    assert diff["rows"][0]["fields"] == [
        {"field": "review_every", "before": "quarterly", "after": "yearly"}
    ]


def test_a_draft_row_saves_its_rhythm(ctx, world, login):
    client = started(login)
    data = {**NEW_ROW, "area": first_area()["key"], "phase": "operations"}

    response = post(client, f"{DRAFT}/rows/new", {**data, "review_every": "monthly"})

    assert response.status_code == 302
    added = next(row for row in first_area()["rows"] if row["key"] == NEW_ROW["key"])
    assert added["review_every"] == "monthly"


def test_a_draft_with_a_rhythm_outside_operations_cannot_be_published(ctx, world, login):
    client = started(login)
    data = {**NEW_ROW, "area": first_area()["key"], "phase": "onboarding"}
    post(client, f"{DRAFT}/rows/new", {**data, "review_every": "monthly"})

    response = post(client, f"{DRAFT}/publish")

    assert response.status_code == 422
    assert "review_every: only an operations row" in response.get_data(as_text=True)
    assert draft() is not None


def test_the_draft_row_form_shows_the_rows_rhythm(ctx, world, login):
    client = started(login)

    page = client.get(f"{DRAFT}/rows/track_adoption").get_data(as_text=True)

    assert re.search(r'<option (selected )?value="quarterly"( selected)?>', page).group(1, 2) != (
        None,
        None,
    )
