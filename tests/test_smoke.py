import re

import pytest
from werkzeug.routing import AnyConverter

from tests.factories import World
from tracker.queryargs import IdConverter


def test_portfolio_lists_the_csms_projects(world, login):
    client = login(World.CSM)
    page = client.get("/projects").get_data(as_text=True)
    assert "Acme rollout" in page
    assert "Globex rollout" in page


HUGE = "99999999999999999999"  # beyond any id a database column holds


@pytest.mark.parametrize(
    "path",
    [
        f"/projects/{HUGE}",
        f"/projects/{HUGE}/history",
        "/projects/{project}/items/" + HUGE,  # of a project that exists: the item is looked up
        f"/admin/users/{HUGE}",
    ],
)
def test_an_id_beyond_what_the_database_holds_is_not_found(login, world, path):
    url = path.format(project=world.project_a)
    assert login(World.ADMIN).get(url).status_code == 404


def _routes_with_ids() -> list[tuple[str, str]]:
    """(method, path) of every route with an id, each id just beyond the bound."""
    from tracker import create_app
    from tracker.config import TestConfig

    app = create_app(TestConfig("sqlite://"))
    found = []
    for rule in app.url_map.iter_rules():
        converters = rule._converters
        ids = [name for name, converter in converters.items() if isinstance(converter, IdConverter)]
        if not ids:
            continue
        values = {name: 2**31 if name in ids else "x" for name in rule.arguments}
        values |= {  # an <any(csv, xlsx):...>: its first choice
            name: re.search(r"\w+", converters[name].regex).group()
            for name in rule.arguments
            if isinstance(converters.get(name), AnyConverter)
        }
        path = rule.build(values, append_unknown=False)[1]
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.parametrize(("method", "path"), _routes_with_ids())
def test_an_id_one_beyond_the_bound_is_not_found_whatever_the_method(login, world, method, path):
    """2**31 matches no route: 404 for every method (werkzeug said 405 to all but GET)."""
    response = login(World.ADMIN).open(path, method=method)
    assert response.status_code == 404


def test_the_favicon_is_served_to_anyone(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
        assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_svg_favicon(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    with client.get("/static/favicon.svg") as response:
        assert response.mimetype == "image/svg+xml"


def test_a_project_past_its_go_live_target_says_so_not_live(app, world, login):
    """No go-live is recorded: a passed target date is a target passed, not "live since"."""
    from datetime import timedelta

    from tracker.extensions import db
    from tracker.models import Project
    from tracker.timeutil import today

    with app.app_context():
        project = db.session.get(Project, world.project_a)
        project.kickoff_date = today() - timedelta(days=90)
        project.go_live_date = today() - timedelta(days=3)
        db.session.commit()

    page = login(World.CSM).get("/projects").get_data(as_text=True)

    assert "Go-live target passed 3 days ago" in page
    assert "Live since" not in page
