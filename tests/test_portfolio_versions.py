"""The portfolio by catalogue version: which version each project follows, a filter by
version, and the projects behind the newest version (issue 15's rollout starts there)."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.factories import World
from tests.test_catalogue import seed_row, write_catalogue
from tracker.catalogue.loader import load_catalogue_file
from tracker.extensions import db


@pytest.fixture
def second_version(app, world, tmp_path) -> int:
    """Version 2 of the catalogue, loaded after the world's projects (on version 1); a new
    project on it; its id."""
    with app.app_context():
        path = write_catalogue(
            tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="K+9")
        )
        assert load_catalogue_file(path).version.number == 2
        db.session.commit()
        project = factories.project(world.customer_a, world.csm, name="Acme on version two")
        return project.id


def names(client, query: str = "") -> set[str]:
    html = client.get(f"/projects{query}").get_data(as_text=True)
    return set(re.findall(r'<a href="/projects/\d+">([^<]+)</a>', html))


def test_the_portfolio_filters_by_catalogue_version(login, second_version):
    client = login(World.CSM)
    assert names(client, "?version=2") == {"Acme on version two"}
    assert "Acme on version two" not in names(client, "?version=1")
    assert len(names(client, "?version=1")) >= 2


def test_the_portfolio_lists_the_projects_behind_the_newest_version(login, second_version):
    client = login(World.CSM)
    behind = names(client, "?behind=1")
    assert "Acme on version two" not in behind and behind == names(client, "?version=1")


def test_a_project_behind_says_which_version_it_follows(login, second_version):
    html = login(World.CSM).get("/projects").get_data(as_text=True)
    marks = re.findall(r'data-testid="catalogue-behind">([^<]+)<', html)
    assert marks and set(marks) == {"Catalogue version 1 (newest: 2)"}


def test_with_one_version_nothing_is_behind(login, world):
    client = login(World.CSM)
    assert names(client, "?behind=1") == set()
    assert 'data-testid="catalogue-behind"' not in client.get("/projects").get_data(as_text=True)


def test_the_portfolio_export_follows_the_version_filter(login, second_version):
    csv = login(World.CSM).get("/projects/export.csv?version=2").get_data(as_text=True)
    assert "Acme on version two" in csv and "Acme Test" in csv  # the project and its customer
    assert len(csv.strip().splitlines()) == 2  # the header and one project
