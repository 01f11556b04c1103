import pytest

from tests.factories import World


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
