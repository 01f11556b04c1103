"""Administration: users and organisations, through the admin pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, World
from tracker.enums import OrganisationKind
from tracker.extensions import db
from tracker.models import Organisation, User

NEW_PASSWORD = "a-long-enough-password"


def user_form(
    email: str,
    role: str,
    organisation_id: int = 0,
    *,
    name: str = "New Person",
    password: str = NEW_PASSWORD,
    active: bool = True,
) -> dict[str, str]:
    data = {
        "email": email,
        "name": name,
        "role": role,
        "organisation_id": str(organisation_id),
        "password": password,
    }
    if active:
        data["active"] = "y"  # an unchecked checkbox is not sent at all
    return data


def users_with_email(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == email)
        )


def organisation_kind(app, name: str) -> OrganisationKind | None:
    with app.app_context():
        return db.session.scalar(sa.select(Organisation.kind).where(Organisation.name == name))


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


# --- users ------------------------------------------------------------------------------


def test_admin_creates_a_client_user_who_can_sign_in(app, world, login):
    response = login(World.ADMIN).post(
        "/admin/users/new", data=user_form("new.client@acme.test", "client", world.customer_a)
    )
    assert response.status_code == 302
    assert can_sign_in(app, "new.client@acme.test", NEW_PASSWORD)


def test_created_client_belongs_to_the_chosen_customer(app, world, login):
    login(World.ADMIN).post(
        "/admin/users/new", data=user_form("new.client@acme.test", "client", world.customer_a)
    )
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.client@acme.test"))
        assert user.organisation_id == world.customer_a


@pytest.mark.parametrize("organisation", [None, "partner"], ids=["no-organisation", "a-partner"])
def test_client_without_a_customer_is_refused(app, world, login, organisation):
    organisation_id = world.partner if organisation == "partner" else 0
    response = login(World.ADMIN).post(
        "/admin/users/new", data=user_form("new.client@acme.test", "client", organisation_id)
    )
    assert response.status_code == 422
    assert "A client user belongs to a customer." in response.get_data(as_text=True)
    assert users_with_email(app, "new.client@acme.test") == 0


@pytest.mark.parametrize("email", [World.CLIENT_A, World.CLIENT_A.upper()])
def test_duplicate_email_is_refused(app, world, login, email):
    response = login(World.ADMIN).post(
        "/admin/users/new", data=user_form(email, "client", world.customer_a)
    )
    assert response.status_code == 422
    assert "Another user has this email address." in response.get_data(as_text=True)
    assert users_with_email(app, World.CLIENT_A) == 1


def test_deactivated_user_cannot_sign_in(app, world, login):
    response = login(World.ADMIN).post(
        f"/admin/users/{world.client_a}",
        data=user_form(
            World.CLIENT_A, "client", world.customer_a, name="Client", password="", active=False
        ),
    )
    assert response.status_code == 302
    assert not can_sign_in(app, World.CLIENT_A, PASSWORD)


def test_admin_cannot_deactivate_themselves(app, world, login):
    response = login(World.ADMIN).post(
        f"/admin/users/{world.admin}",
        data=user_form(World.ADMIN, "admin", name="Admin", password="", active=False),
    )
    assert response.status_code == 422
    assert "You cannot demote or deactivate yourself." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.admin).active is True


def test_new_user_with_a_short_password_is_refused(app, world, login):
    response = login(World.ADMIN).post(
        "/admin/users/new",
        data=user_form("new.client@acme.test", "client", world.customer_a, password="Zq8!rT2x"),
    )
    assert response.status_code == 422
    assert "Use at least 12 characters." in response.get_data(as_text=True)
    assert users_with_email(app, "new.client@acme.test") == 0


def test_new_user_with_a_common_password_is_refused(app, world, login):
    response = login(World.ADMIN).post(
        "/admin/users/new",
        data=user_form("new.client@acme.test", "client", world.customer_a, password="password1234"),
    )
    assert response.status_code == 422
    assert "This is a very common password." in response.get_data(as_text=True)
    assert users_with_email(app, "new.client@acme.test") == 0


def test_admin_cannot_give_a_user_a_common_password(app, world, login):
    response = login(World.ADMIN).post(
        f"/admin/users/{world.client_a}",
        data=user_form(World.CLIENT_A, "client", world.customer_a, password="qwertyuiop123"),
    )
    assert response.status_code == 422
    assert not can_sign_in(app, World.CLIENT_A, "qwertyuiop123")
    assert can_sign_in(app, World.CLIENT_A, PASSWORD)


def test_user_form_describes_the_password_policy(world, login):
    html = login(World.ADMIN).get("/admin/users/new").get_data(as_text=True)
    assert "At least 12 characters" in html


# --- organisations ----------------------------------------------------------------------


def test_admin_creates_a_partner_organisation(app, world, login):
    response = login(World.ADMIN).post(
        "/admin/organisations/new", data={"name": "Fabrikam Consulting", "kind": "partner"}
    )
    assert response.status_code == 302
    assert organisation_kind(app, "Fabrikam Consulting") is OrganisationKind.PARTNER


def test_csm_creates_a_customer(app, world, login):
    response = login(World.CSM).post(
        "/admin/organisations/new", data={"name": "Initech", "kind": "customer"}
    )
    assert response.status_code == 302
    assert organisation_kind(app, "Initech") is OrganisationKind.CUSTOMER


def test_csm_organisation_form_offers_no_partner_kind(world, login):
    html = login(World.CSM).get("/admin/organisations/new").get_data(as_text=True)
    assert 'value="customer"' in html
    assert 'value="partner"' not in html


def test_csm_cannot_create_a_partner(app, world, login):
    response = login(World.CSM).post(
        "/admin/organisations/new", data={"name": "Fabrikam Consulting", "kind": "partner"}
    )
    assert response.status_code == 422
    assert organisation_kind(app, "Fabrikam Consulting") is None


def test_csm_cannot_edit_a_partner(app, world, login):
    response = login(World.CSM).post(
        f"/admin/organisations/{world.partner}",
        data={"name": "Renamed Partners", "kind": "partner"},
    )
    assert response.status_code == 403
    assert organisation_kind(app, "Renamed Partners") is None


# --- who may use the admin pages --------------------------------------------------------

ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{client_b}",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/organisations/{customer_a}",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_client_gets_403_on_admin_pages(world, login, page):
    url = page.format(client_b=world.client_b, customer_a=world.customer_a)
    assert login(World.CLIENT_A).get(url).status_code == 403


def row_counts(app) -> tuple[int, int]:
    with app.app_context():
        users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        organisations = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
        return users, organisations


@pytest.mark.parametrize("page", ADMIN_PAGES[1:3] + ADMIN_PAGES[4:])
def test_client_post_to_admin_pages_is_refused(app, world, login, page):
    url = page.format(client_b=world.client_b, customer_a=world.customer_a)
    before = row_counts(app)
    response = login(World.CLIENT_A).post(
        url,
        data={**user_form("intruder@acme.test", "admin"), "name": "Hacked", "kind": "customer"},
    )
    assert response.status_code == 403
    assert row_counts(app) == before
    assert organisation_kind(app, "Hacked") is None
    assert users_with_email(app, "intruder@acme.test") == 0


def test_users_list_marks_organisation_leads(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).is_lead = True
        db.session.commit()

    page = login(World.ADMIN).get("/admin/users").get_data(as_text=True)

    row = next(line for line in page.splitlines() if World.CLIENT_A in line)
    assert "lead" in row
