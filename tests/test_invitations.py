"""Invitations: a CSM, an administrator or an organisation's lead invites people to it from
its people page; the invitee gets an e-mail in their language with a single-use link, chooses
a password and lands signed in on their company's projects."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, World
from tests.helpers import deliver_outbox
from tracker.enums import Role
from tracker.extensions import db
from tracker.models import Invitation, Notification, PeopleEvent, User
from tracker.timeutil import utcnow

NEW_PASSWORD = "velvet-orbit-cactus-lantern"
INVITEE = "new.colleague@acme.test"
LINK = re.compile(r"/invitations/([A-Za-z0-9_-]+)")


def invite(client, organisation_id: int, email: str = INVITEE, **fields):
    data = {"email": email, "name": "Nina Newcomer", "language": "en", **fields}
    return client.post(f"/organisations/{organisation_id}/invitations", data=data)


def sent_mail(app) -> list:
    with app.app_context():
        return deliver_outbox()


def token_in(message) -> str:
    match = LINK.search(message.body)
    assert match, "no invitation link in the e-mail"
    return match.group(1)


def accept(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        f"/invitations/{token}",
        data={"new_password": password, "confirm": password if confirm is None else confirm},
    )


def invitation_to(app, email: str = INVITEE) -> Invitation:
    with app.app_context():
        return db.session.scalars(
            sa.select(Invitation).where(Invitation.email == email).order_by(Invitation.id.desc())
        ).first()


def user_with(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def make_lead(app, user_id: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(is_lead=True))
        db.session.commit()


def people_actions(app, organisation_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(PeopleEvent.action)
                .where(PeopleEvent.organisation_id == organisation_id)
                .order_by(PeopleEvent.id)
            )
        )


@pytest.fixture
def invited(app, world, login) -> str:
    """The token of an invitation of INVITEE to customer A, sent by the CSM; nobody signed
    in afterwards."""
    client = login(World.CSM)
    assert invite(client, world.customer_a).status_code == 302
    client.post("/logout")
    [message] = sent_mail(app)
    return token_in(message)


# --- the people page ------------------------------------------------------------------------


def test_the_csm_of_a_customers_project_sees_its_people(world, login):
    html = login(World.CSM).get(f"/organisations/{world.customer_a}/people").get_data(True)
    assert World.CLIENT_A in html


def test_a_csm_of_none_of_its_projects_gets_404(world, login):
    response = login(World.OTHER_CSM).get(f"/organisations/{world.customer_a}/people")
    assert response.status_code == 404


def test_a_client_who_is_not_a_lead_gets_404_on_their_own_organisation(world, login):
    response = login(World.CLIENT_A).get(f"/organisations/{world.customer_a}/people")
    assert response.status_code == 404


def test_a_client_lead_gets_404_on_another_customer(app, world, login):
    make_lead(app, world.client_a)
    response = login(World.CLIENT_A).get(f"/organisations/{world.customer_b}/people")
    assert response.status_code == 404


def test_a_client_lead_sees_their_colleagues_link_in_the_header(app, world, login):
    make_lead(app, world.client_a)
    html = login(World.CLIENT_A).get("/projects").get_data(as_text=True)
    assert f'href="/organisations/{world.customer_a}/people"' in html


def test_the_organisations_list_links_the_csm_to_their_customers_people(world, login):
    html = login(World.CSM).get("/admin/organisations").get_data(as_text=True)
    assert f"/organisations/{world.customer_a}/people" in html


def test_the_organisations_list_does_not_link_another_csm_to_them(world, login):
    html = login(World.OTHER_CSM).get("/admin/organisations").get_data(as_text=True)
    assert f"/organisations/{world.customer_a}/people" not in html


# --- inviting -------------------------------------------------------------------------------


def test_an_invitation_sends_one_email_with_a_link_to_the_invitee(app, world, login):
    invite(login(World.CSM), world.customer_a)
    [message] = sent_mail(app)
    assert message.recipients == [INVITEE]
    assert LINK.search(message.body)


def test_the_invitation_email_is_in_the_invitations_language(app, world, login):
    invite(login(World.CSM), world.customer_a, language="fr")
    [message] = sent_mail(app)
    assert message.body.startswith("Bonjour Nina Newcomer")
    assert '<html lang="fr">' in message.html


def test_only_the_hash_of_the_link_is_stored(app, world, login, invited):
    with app.app_context():
        stored = db.session.scalars(sa.select(Invitation.token_hash)).all()
    assert invited not in stored
    assert len(stored) == 1


def test_the_invitation_expires_after_invitation_link_days(app, world, login):
    invite(login(World.CSM), world.customer_a)
    invitation = invitation_to(app)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_an_address_with_an_account_is_refused_to_the_inviter(app, world, login):
    response = invite(login(World.CSM), world.customer_a, email=World.CLIENT_B)
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert sent_mail(app) == []


def test_an_invalid_address_is_a_form_error(world, login):
    response = invite(login(World.CSM), world.customer_a, email="not an address")
    assert response.status_code == 422


def test_an_unknown_language_is_a_form_error(world, login):
    response = invite(login(World.CSM), world.customer_a, language="xx")
    assert response.status_code == 422


def test_another_csm_cannot_invite_to_a_customer_they_do_not_manage(app, world, login):
    response = invite(login(World.OTHER_CSM), world.customer_a)
    assert response.status_code == 404
    assert invitation_to(app) is None


def test_the_page_lists_a_new_invitation_as_sent(world, login, invited):
    html = login(World.CSM).get(f"/organisations/{world.customer_a}/people").get_data(True)
    assert INVITEE in html
    assert 'data-state="sent"' in html


# --- accepting ------------------------------------------------------------------------------


def test_accepting_creates_the_account_with_the_invitations_role_and_language(app, world, login):
    invite(login(World.CSM), world.customer_a, language="fr", is_lead="y")
    [message] = sent_mail(app)
    accept(app.test_client(), token_in(message))
    user = user_with(app, INVITEE)
    assert (user.role, user.organisation_id, user.is_lead, user.language) == (
        Role.CLIENT,
        world.customer_a,
        True,
        "fr",
    )


def test_accepting_signs_in_and_lands_on_the_companys_projects(app, world, invited):
    client = app.test_client()
    response = accept(client, invited)
    assert response.headers["Location"] == "/projects"
    assert "Acme rollout" in client.get("/projects").get_data(as_text=True)


def test_the_new_account_signs_in_with_the_chosen_password(app, world, invited):
    accept(app.test_client(), invited)
    response = app.test_client().post("/login", data={"email": INVITEE, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_weak_password_is_a_form_error_and_makes_no_account(app, world, invited):
    response = accept(app.test_client(), invited, password="password123")
    assert response.status_code == 422
    assert user_with(app, INVITEE) is None


def test_two_different_passwords_are_a_form_error(app, world, invited):
    response = accept(app.test_client(), invited, confirm="another-phrase-entirely")
    assert response.status_code == 422


def test_a_used_link_says_it_was_accepted(app, world, invited):
    accept(app.test_client(), invited)
    response = app.test_client().get(f"/invitations/{invited}")
    assert response.status_code == 410
    assert "already been accepted" in response.get_data(as_text=True)


def test_a_used_link_cannot_make_a_second_account(app, world, invited):
    accept(app.test_client(), invited)
    response = accept(app.test_client(), invited, password="another-velvet-orbit-phrase")
    assert response.status_code == 410


def test_an_expired_link_says_so(app, world, invited):
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    response = app.test_client().get(f"/invitations/{invited}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_an_unknown_link_is_404(app, world):
    assert app.test_client().get("/invitations/not-a-token").status_code == 404


def test_the_link_page_is_not_cached(app, world, invited):
    response = app.test_client().get(f"/invitations/{invited}")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_lists_an_accepted_invitation(app, world, login, invited):
    accept(app.test_client(), invited)
    html = login(World.CSM).get(f"/organisations/{world.customer_a}/people").get_data(True)
    assert 'data-state="accepted"' in html


# --- resend, cancel, replace ----------------------------------------------------------------


def test_resending_makes_a_new_link_and_kills_the_old(app, world, login, invited):
    client = login(World.CSM)
    client.post(f"/organisations/{world.customer_a}/invitations/{invitation_to(app).id}/resend")
    [message] = sent_mail(app)
    assert app.test_client().get(f"/invitations/{invited}").status_code == 404
    assert app.test_client().get(f"/invitations/{token_in(message)}").status_code == 200


def test_resending_an_expired_invitation_gives_it_a_new_expiry(app, world, login, invited):
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    login(World.CSM).post(
        f"/organisations/{world.customer_a}/invitations/{invitation_to(app).id}/resend"
    )
    assert invitation_to(app).expires_at > utcnow() + timedelta(days=6)


def test_a_cancelled_link_says_so(app, world, login, invited):
    login(World.CSM).post(
        f"/organisations/{world.customer_a}/invitations/{invitation_to(app).id}/cancel"
    )
    response = app.test_client().get(f"/invitations/{invited}")
    assert response.status_code == 410
    assert "cancelled" in response.get_data(as_text=True)


def test_a_cancelled_invitation_is_listed_as_cancelled(app, world, login, invited):
    client = login(World.CSM)
    client.post(f"/organisations/{world.customer_a}/invitations/{invitation_to(app).id}/cancel")
    html = client.get(f"/organisations/{world.customer_a}/people").get_data(as_text=True)
    assert 'data-state="cancelled"' in html


def test_an_expired_invitation_is_listed_as_expired(app, world, login, invited):
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    html = login(World.CSM).get(f"/organisations/{world.customer_a}/people").get_data(True)
    assert 'data-state="expired"' in html


def test_an_accepted_invitation_cannot_be_cancelled(app, world, login, invited):
    accept(app.test_client(), invited)
    response = login(World.CSM).post(
        f"/organisations/{world.customer_a}/invitations/{invitation_to(app).id}/cancel"
    )
    assert response.status_code == 302
    assert invitation_to(app).cancelled_at is None


def test_a_new_invitation_to_the_same_address_cancels_the_old(app, world, login, invited):
    invite(login(World.CSM), world.customer_a)
    assert app.test_client().get(f"/invitations/{invited}").status_code == 410


def test_an_invitation_of_another_organisation_is_404_under_this_one(app, world, login, invited):
    response = login(World.CSM).post(
        f"/organisations/{world.customer_b}/invitations/{invitation_to(app).id}/cancel"
    )
    assert response.status_code == 404


# --- partners -------------------------------------------------------------------------------


def test_a_csm_invites_a_consultant_to_the_partner_of_their_project(app, world, login):
    invite(login(World.CSM), world.partner, email="new@northwind.test")
    [message] = sent_mail(app)
    accept(app.test_client(), token_in(message))
    assert user_with(app, "new@northwind.test").role is Role.PARTNER


def test_a_partner_lead_invites_a_consultant(app, world, login):
    make_lead(app, world.partner_user)
    response = invite(login(World.PARTNER), world.partner, email="new@northwind.test")
    assert response.status_code == 302


def test_a_partner_consultant_who_is_not_a_lead_cannot_invite(app, world, login):
    response = invite(login(World.PARTNER), world.partner, email="new@northwind.test")
    assert response.status_code == 404


def test_a_csm_cannot_invite_to_a_partner_of_no_project_of_theirs(app, world, login):
    response = invite(login(World.CSM), world.other_partner, email="new@contoso.test")
    assert response.status_code == 404


# --- leads ----------------------------------------------------------------------------------


def test_a_client_lead_invites_a_colleague(app, world, login):
    make_lead(app, world.client_a)
    assert invite(login(World.CLIENT_A), world.customer_a).status_code == 302


def test_a_client_lead_deactivates_a_colleague_who_can_then_not_sign_in(app, world, login):
    make_lead(app, world.client_a)
    invite(login(World.CSM), world.customer_a)
    [message] = sent_mail(app)
    accept(app.test_client(), token_in(message))
    colleague = user_with(app, INVITEE)
    client = app.test_client()
    client.post("/login", data={"email": World.CLIENT_A, "password": PASSWORD})
    client.post(f"/organisations/{world.customer_a}/people/{colleague.id}/deactivate")
    response = app.test_client().post("/login", data={"email": INVITEE, "password": NEW_PASSWORD})
    assert response.status_code == 401


def test_a_lead_cannot_deactivate_themselves(app, world, login):
    make_lead(app, world.client_a)
    login(World.CLIENT_A).post(
        f"/organisations/{world.customer_a}/people/{world.client_a}/deactivate"
    )
    assert user_with(app, World.CLIENT_A).active


def test_a_lead_cannot_deactivate_someone_of_another_organisation(app, world, login):
    make_lead(app, world.client_a)
    response = login(World.CLIENT_A).post(
        f"/organisations/{world.customer_a}/people/{world.client_b}/deactivate"
    )
    assert response.status_code == 404
    assert user_with(app, World.CLIENT_B).active


# --- the audit trail ------------------------------------------------------------------------


def test_sending_and_accepting_are_recorded(app, world, invited):
    accept(app.test_client(), invited)
    assert people_actions(app, world.customer_a) == ["invitation_sent", "invitation_accepted"]


def test_a_replaced_invitation_is_recorded(app, world, login, invited):
    invite(login(World.CSM), world.customer_a)
    assert people_actions(app, world.customer_a) == [
        "invitation_sent",
        "invitation_replaced",
        "invitation_sent",
    ]


def test_the_history_shows_on_the_people_page(world, login, invited):
    html = login(World.CSM).get(f"/organisations/{world.customer_a}/people").get_data(True)
    assert f"invited {INVITEE}" in html


# --- administrators set leads ---------------------------------------------------------------


def user_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "organisation_id": str(user.organisation_id or 0),
        "password": "",
        "active": "y",
    }
    data.update(changes)
    return data


def test_an_administrator_makes_a_client_a_lead(app, world, login):
    client_a = user_with(app, World.CLIENT_A)
    login(World.ADMIN).post(f"/admin/users/{world.client_a}", data=user_form(client_a, is_lead="y"))
    assert user_with(app, World.CLIENT_A).is_lead


def test_a_csm_cannot_be_made_a_lead(app, world, login):
    csm = user_with(app, World.CSM)
    response = login(World.ADMIN).post(
        f"/admin/users/{world.csm}", data=user_form(csm, is_lead="y")
    )
    assert response.status_code == 422
    assert not user_with(app, World.CSM).is_lead


def test_the_project_page_links_its_csm_to_the_customers_people(world, login):
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert f'href="/organisations/{world.customer_a}/people"' in html


def test_the_project_page_does_not_link_a_client_who_is_not_a_lead(world, login):
    html = login(World.CLIENT_A).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert f'href="/organisations/{world.customer_a}/people"' not in html


def test_the_invitation_link_is_on_base_url_whatever_host_the_request_named(app, world):
    forged = {"Host": "attacker.example"}
    client = app.test_client()
    client.post("/login", data={"email": World.CSM, "password": PASSWORD}, headers=forged)
    client.post(
        f"/organisations/{world.customer_a}/invitations",
        data={"email": INVITEE, "name": "Nina Newcomer", "language": "en"},
        headers=forged,
    )
    [message] = sent_mail(app)
    assert f"{app.config['BASE_URL']}/invitations/" in message.body


# --- the inviter hears of it ---------------------------------------------------------------


def test_the_inviter_is_notified_when_the_invitation_is_accepted(app, world, login, invited):
    accept(app.test_client(), invited)

    page = login(World.CSM).get("/notifications").get_data(as_text=True)

    assert f"Nina Newcomer ({INVITEE}) accepted your invitation" in page
    assert f'href="/organisations/{world.customer_a}/people"' in page


def test_the_inviter_gets_the_acceptance_by_email(app, world, invited):
    accept(app.test_client(), invited)
    with app.app_context():
        csm = db.session.scalar(sa.select(User).where(User.email == World.CSM))
        csm.notification_emailed_at = None
        db.session.commit()

    messages = [m for m in sent_mail(app) if World.CSM in m.recipients]

    assert len(messages) == 1
    assert "accepted your invitation" in messages[0].body
    assert f"/organisations/{world.customer_a}/people" in messages[0].body


def test_a_refused_acceptance_notifies_nobody(app, world, login, invited):
    accept(app.test_client(), invited, password="password123")

    page = login(World.CSM).get("/notifications").get_data(as_text=True)

    assert "accepted your invitation" not in page


def test_an_invitation_elsewhere_does_not_cancel_another_organisations(app, world, login):
    invite(login(World.ADMIN), world.customer_b)
    invite(login(World.CSM), world.customer_a)

    with app.app_context():
        states = {
            i.organisation_id: i.cancelled_at
            for i in db.session.scalars(sa.select(Invitation).where(Invitation.email == INVITEE))
        }

    assert states == {world.customer_b: None, world.customer_a: None}


def test_an_inviter_who_left_the_organisation_is_not_notified(app, world, login):
    make_lead(app, world.client_a)
    invite(login(World.CLIENT_A), world.customer_a)
    [message] = sent_mail(app)
    with app.app_context():
        db.session.get(User, world.client_a).organisation_id = world.customer_b
        db.session.commit()

    accept(app.test_client(), token_in(message))

    with app.app_context():
        kinds = list(
            db.session.scalars(
                sa.select(Notification.kind).where(Notification.recipient_id == world.client_a)
            )
        )
    assert kinds == []
