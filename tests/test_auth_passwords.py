"""The password policy, and changing one's own password."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, World
from tracker.auth.passwords import password_problem, personal_words

STRONG = "velvet-orbit-cactus-lantern"


def problem(password: str, *personal: str) -> str | None:
    return password_problem(password, min_length=12, personal=personal_words(*personal))


# --- the policy -------------------------------------------------------------------------


def test_a_long_unusual_passphrase_is_accepted():
    assert problem(STRONG) is None


def test_a_password_shorter_than_the_minimum_is_refused():
    assert problem("k7#Qz!v2Lp") == "Use at least 12 characters."


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop123", "1qaz2wsx3edc", "Password123!", "iloveyou2024"]
)
def test_a_common_password_or_a_variant_of_one_is_refused(password):
    assert "common" in problem(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaa", "abcdefghijklmn", "123456789012"])
def test_a_repeat_or_a_sequence_is_refused(password):
    assert problem(password) is not None


def test_a_password_built_on_the_users_own_email_is_refused():
    assert problem("northwind2024!", "partner@northwind.test") is not None


def test_the_same_password_is_accepted_for_someone_else():
    assert problem("northwind2024!", "client@acme.test") is None


def test_a_password_longer_than_zxcvbn_accepts_is_judged_not_crashed():
    assert problem(STRONG * 3) is None


def test_a_password_over_200_characters_is_refused():
    assert problem("x" * 201) == "Use at most 200 characters."


def test_personal_words_are_the_words_of_the_email_and_name():
    assert personal_words("alice.archer@acme.test", "Alice Archer") == [
        "alice",
        "archer",
        "acme",
        "test",
        "alice",
        "archer",
    ]


# --- changing one's own password --------------------------------------------------------


def change(client, current: str = PASSWORD, new: str = STRONG, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_password_page_asks_for_the_current_and_the_new_password(world, login):
    html = login(World.CSM).get("/account/password").get_data(as_text=True)
    assert 'name="current_password"' in html
    assert 'name="new_password"' in html
    assert 'name="confirm"' in html


def test_password_page_needs_a_signed_in_user(world, client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_password_page_is_reached_from_my_account(world, login):
    client = login(World.CLIENT_A)
    assert 'href="/account"' in client.get("/projects").get_data(as_text=True)
    assert 'href="/account/password"' in client.get("/account").get_data(as_text=True)


def test_changing_the_password_redirects_with_a_message(world, login):
    client = login(World.CSM)
    response = change(client)
    assert response.status_code == 302
    assert "Your password has been changed." in client.get("/projects").get_data(as_text=True)


def test_changed_password_signs_in(app, world, login):
    change(login(World.CSM))
    assert can_sign_in(app, World.CSM, STRONG)


def test_old_password_no_longer_signs_in_after_a_change(app, world, login):
    change(login(World.CSM))
    assert not can_sign_in(app, World.CSM, PASSWORD)


def test_wrong_current_password_is_refused_at_its_field(app, world, login):
    response = change(login(World.CSM), current="not-my-password")
    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)
    assert can_sign_in(app, World.CSM, PASSWORD)


def test_different_confirmation_is_refused(app, world, login):
    response = change(login(World.CSM), confirm=STRONG + "x")
    assert response.status_code == 422
    assert "The two passwords are not the same." in response.get_data(as_text=True)
    assert can_sign_in(app, World.CSM, PASSWORD)


def test_common_new_password_is_refused(app, world, login):
    response = change(login(World.CSM), new="password1234")
    assert response.status_code == 422
    assert "This is a very common password." in response.get_data(as_text=True)
    assert can_sign_in(app, World.CSM, PASSWORD)


def test_short_new_password_is_refused(world, login):
    response = change(login(World.CSM), new="Zq8!rT2")
    assert response.status_code == 422
    assert "Use at least 12 characters." in response.get_data(as_text=True)


def test_new_password_built_on_the_users_email_is_refused(world, login):
    response = change(login(World.PARTNER), new="northwind2024!")
    assert response.status_code == 422


def test_keeping_the_same_password_is_refused(world, login):
    response = change(login(World.CSM), new=PASSWORD)
    assert response.status_code == 422
    assert "Choose a password different from your current one." in response.get_data(as_text=True)


def test_refused_change_marks_the_field_at_fault(world, login):
    html = change(login(World.CSM), current="not-my-password").get_data(as_text=True)
    assert 'id="current_password"' in html
    assert "is-invalid" in html.split('id="current_password"')[0].rsplit("<input", 1)[1]


def test_control_characters_in_a_new_password_are_refused_at_its_field(world, login):
    response = change(login(World.CSM), new=STRONG + "\x00")
    assert response.status_code == 422
    assert "Remove the control characters." in response.get_data(as_text=True)
