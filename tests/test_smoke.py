from tests.factories import World


def test_portfolio_lists_the_csms_projects(world, login):
    client = login(World.CSM)
    page = client.get("/projects").get_data(as_text=True)
    assert "Acme rollout" in page
    assert "Globex rollout" in page
