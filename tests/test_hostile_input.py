"""Hostile and malformed input, generated: every form and every filter of the app.

Each form test starts from a valid submission read from the form's page, makes one field
hostile (replaced, left out, repeated, or an unknown field added) and checks that:

- the server never answers 500, and never sends submitted markup back unescaped;
- a value outside the field's declared bounds is refused;
- a refused submission writes nothing (the whole database is compared) and shows its error
  next to the field at fault (or a field that rule ties to it), and on no other field;
- an accepted free text is stored as typed (trimmed): SQL-looking text is just text.

Each filter test sends generated query strings and checks that a value out of bounds is
ignored: the page is the one without it. Every generated input is counted; the run ends
with "hostile inputs tried: N". The database is built once per test and put back after
each accepted submission. HYPOTHESIS_PROFILE (see conftest.py) sets the number of inputs.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import event, example, given, note, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectFieldBase,
)
from wtforms.validators import (
    AnyOf,
    EqualTo,
    Length,
    NumberRange,
    Regexp,
)

import tracker
from tests import factories
from tests.database import rows_written
from tests.factories import CLIENT_ROW, World
from tests.helpers import deliver_outbox
from tests.hostile import (
    EVERY_FIELD,
    FieldRule,
    Mutation,
    changed_tables,
    explicit_mutations,
    field_rules,
    hostile_values,
    mutations,
    read_form,
    reflected_markup,
    restore,
    shown_errors,
    snapshot,
    unknown_field,
)
from tracker.admin.forms import OrganisationForm, UserForm
from tracker.auth.forms import ForgotPasswordForm, LoginForm
from tracker.catalogue.drafts.forms import AreaForm, RowForm
from tracker.catalogue.loader import CatalogueSpec, load_catalogue, spec_of
from tracker.catalogue.queries import current_version
from tracker.checklist.forms import CommentForm, ItemUpdateForm
from tracker.enums import Party, Phase, Status
from tracker.extensions import db
from tracker.forms import BoundedDateField, TrackerForm, UploadField
from tracker.golive.forms import SignOffForm, WaiverForm
from tracker.golive.queries import readiness_of
from tracker.golive.services import waive_item
from tracker.models import (
    CatalogueDraft,
    ChecklistItem,
    Comment,
    GoLiveSignOff,
    GoLiveWaiver,
    Invitation,
    Organisation,
    ProgressLink,
    Project,
    User,
)
from tracker.people.forms import AcceptInvitationForm, InvitationForm
from tracker.projects.forms import ProjectForm
from tracker.queryargs import MAX_INT
from tracker.sharing.forms import ProgressLinkForm
from tracker.timeutil import today

ACCEPTED = (302, 303)
REFUSED = (401, 422)


def budget(weight: float) -> settings:
    """Settings for one test: the profile's max_examples scaled by the test's weight."""
    return settings(max_examples=max(5, round(settings.default.max_examples * weight)))


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response.get_data(as_text=True)


# --- forms ------------------------------------------------------------------------------


@dataclass
class FormCase:
    """A form under test: where it posts, a valid submission, and its fields' rules."""

    post_url: str
    baseline: list[tuple[str, str]]
    rules: dict[str, FieldRule]
    # Fields whose error a change of the key field may show instead (rules across fields).
    related: dict[str, set[str]] = field(default_factory=dict)
    # Whether the valid submission changes nothing (an edit form sent back unchanged).
    noop: bool = False
    # Free-text fields -> the value stored after an accepted submission.
    stored: dict[str, Callable[[], str | None]] = field(default_factory=dict)
    prefix: str = ""
    # Fields the form has but does not offer this user: sent anyway, they must be ignored.
    withheld: tuple[str, ...] = ()
    # The answers to an accepted submission: a redirect, or the page again for a form whose
    # result is shown once (a new progress link).
    accepted: tuple[int, ...] = ACCEPTED


def form_case(
    app: Flask,
    client: FlaskClient,
    *,
    page_url: str,
    post_url: str,
    form: Callable[[], object],
    overrides: dict[str, str] | None = None,
    **options,
) -> FormCase:
    """Read the form posting to ``post_url`` from ``page_url``, as a browser would send it,
    with ``overrides`` typed in; ``form`` builds the WTForms form for its declared bounds."""
    controls = read_form(page(client, page_url), post_url)
    overrides = overrides or {}
    baseline = [
        (name, value)
        for name, control in controls.items()
        if name not in overrides and control.kind != "submit"
        for value in control.sent
    ]
    baseline += [(name, value) for name, value in overrides.items()]
    with app.test_request_context():
        rules = field_rules(form(), controls)
    return FormCase(post_url=post_url, baseline=baseline, rules=rules, **options)


class FormChecker:
    """Posts mutated submissions of one form and checks the answers."""

    def __init__(self, app, case: FormCase, client: Callable[[], FlaskClient], count) -> None:
        self.app = app
        self.case = case
        self.client = client
        self.count = count
        self.clean = snapshot(app)
        response = client().post(case.post_url, data=MultiDict(case.baseline))
        assert response.status_code in case.accepted, (
            f"the valid submission to {case.post_url} was refused: {response.status_code}\n"
            f"{shown_errors(response.get_data(as_text=True), case.rules)}"
        )
        after = snapshot(app)
        if case.noop:
            assert changed_tables(self.clean, after) == []
        restore(app, self.clean)

    def rows_written(self) -> int:
        with self.app.app_context():
            return rows_written(db.session.connection())

    def strategy(self) -> st.SearchStrategy:
        """Mostly a form field made hostile; one time in ten, an unknown field added."""
        fields = mutations(self.case.rules, self.case.baseline)
        unknown = unknown_field(self.case.prefix, self.case.withheld)
        return st.integers(0, 9).flatmap(lambda n: unknown if n == 9 else fields)

    def check(self, mutation: Mutation) -> None:
        self.count()
        note(mutation.describe())
        written = self.rows_written()
        with self.app.app_context():
            # The next input starts from the same database: what this one writes is undone.
            savepoint = db.session.get_bind().begin_nested()  # the test's own connection
        try:
            self._check(mutation, written)
        finally:
            savepoint.rollback()

    def _check(self, mutation: Mutation, written: int) -> None:
        response = self.client().post(self.case.post_url, data=mutation.apply(self.case.baseline))
        status = response.status_code
        html = response.get_data(as_text=True)
        assert status != 500, "server error"
        assert reflected_markup(html) == [], "submitted markup sent back unescaped"
        # Read again only when some row was written: otherwise it is the clean database.
        after = snapshot(self.app) if self.rows_written() != written else self.clean
        rule = self.case.rules.get(mutation.field)
        accepted = status in self.case.accepted
        event(f"{'accepted' if accepted else status}: {rule.label if rule else '?'}")
        if accepted:
            self._check_accepted(mutation, rule, after)
        elif status in REFUSED:
            self._check_refused(mutation, rule, html, after)
        else:
            raise AssertionError(f"unexpected answer {status}")

    def _check_accepted(self, mutation: Mutation, rule: FieldRule | None, after) -> None:
        if rule is None:  # an unknown field: ignored
            if self.case.noop:
                assert changed_tables(self.clean, after) == [], "an unknown field was stored"
            return
        assert not rule.must_refuse(mutation.values), (
            f"{rule.label!r} accepted a value out of its bounds"
        )
        stored = self.case.stored.get(mutation.field)
        typed = (mutation.values or ("",))[0].strip()
        if stored is not None and typed:
            with self.app.app_context():
                assert stored() == typed, f"{rule.label!r} was not stored as typed"

    def _check_refused(self, mutation: Mutation, rule: FieldRule | None, html: str, after):
        assert rule is not None, "an unknown field made the submission fail"
        assert changed_tables(self.clean, after) == [], "a refused submission wrote data"
        shown = shown_errors(html, self.case.rules)
        allowed = {mutation.field, *self.case.related.get(mutation.field, ())}
        assert shown, "refused without showing an error"
        assert set(shown) <= allowed, f"errors shown on {sorted(shown)}, not on {rule.label!r}"


def run(checker: FormChecker, weight: float) -> None:
    """Every field with one value of each kind first, then generated mutations."""

    def submit(mutation: Mutation) -> None:
        checker.check(mutation)

    for mutation in explicit_mutations(checker.case.rules, checker.case.baseline):
        submit = example(mutation)(submit)
    given(checker.strategy())(budget(weight)(submit))()


def _latest(model, column):
    return db.session.scalar(sa.select(column).order_by(model.id.desc()).limit(1))


# --- checklist items and comments -------------------------------------------------------


@pytest.fixture
def blocked_item(app, world) -> tuple[int, int]:
    """A client item of project_a, blocked with a reason: every update field is in play."""
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT)
        csm = db.session.get(User, world.csm)
        factories.change(item, actor=csm, status=Status.BLOCKED, reason="Waiting for the customer")
        db.session.commit()
        return world.project_a, item.id


@pytest.mark.parametrize("email", [World.CSM, World.CLIENT_A], ids=["csm", "client"])
def test_item_update_form_survives_hostile_input(
    app, blocked_item, login, email, count_hostile_input
):
    pid, iid = blocked_item
    url = f"/projects/{pid}/items/{iid}"
    client = login(email)

    def stored_reason() -> str | None:
        return db.session.get(ChecklistItem, iid).reason

    case = form_case(
        app,
        client,
        page_url=url,
        post_url=url,
        form=lambda: ItemUpdateForm(formdata=None, prefix=f"item{iid}"),
        related={f"item{iid}-status": {f"item{iid}-reason"}},
        noop=True,
        stored={f"item{iid}-reason": stored_reason},
        prefix=f"item{iid}-",
        withheld=() if email == World.CSM else (f"item{iid}-due_date",),
    )
    # The CSM may move due dates; a client must not, even by adding the field.
    assert (f"item{iid}-due_date" in case.rules) is (email == World.CSM)
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=1.0)


def test_comment_form_survives_hostile_input(app, blocked_item, login, count_hostile_input):
    pid, iid = blocked_item
    client = login(World.CLIENT_A)
    case = form_case(
        app,
        client,
        page_url=f"/projects/{pid}/items/{iid}",
        post_url=f"/projects/{pid}/items/{iid}/comments",
        form=lambda: CommentForm(formdata=None),
        overrides={"body": "Our IT team has registered."},
        stored={"body": lambda: _latest(Comment, Comment.body)},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.6)


# --- evidence files ---------------------------------------------------------------------

# Beginnings of real files of each kind, and of kinds never accepted: a generated name is
# tried on each, a generated content under each accepted extension.
FILE_HEADS = [
    b"%PDF-1.4\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"PK\x03\x04\x14\x00\x00\x00",
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"<!doctype html><script>alert(1)</script>",
    b"MZ\x90\x00\x03\x00",
    b"plain text, a line\n",
]


def test_file_upload_survives_hostile_names_and_contents(app, world, login, count_hostile_input):
    """Any name and any content: a clear refusal (422) storing nothing, or a file stored
    under its display name, never a path; never a 500, never the name unescaped."""
    from tracker.files.rules import ALLOWED
    from tracker.models import Attachment

    with app.app_context():
        iid = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id
    url = f"/projects/{world.project_a}/items/{iid}/files"
    client = login(World.CLIENT_A)

    def count() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))

    extensions = st.sampled_from([*sorted(ALLOWED), "svg", "html", "exe", "PDF", "pdf.exe"])
    names = st.one_of(
        st.text(max_size=300),
        st.builds(lambda stem, ext: f"{stem}.{ext}", st.text(max_size=40), extensions),
    )
    heads = st.sampled_from(FILE_HEADS)
    contents = st.one_of(
        st.binary(max_size=512),
        st.builds(lambda head, tail: head + tail, heads, st.binary(max_size=64)),
    )

    @budget(0.5)
    @given(name=names, content=contents)
    def submit(name: str, content: bytes) -> None:
        count_hostile_input()
        before = count()
        response = client.post(
            url,
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        note(f"{response.status_code} for {name!r}")
        assert response.status_code in (302, 422), response.status_code
        if response.status_code == 422:
            assert count() == before, "a refused file was stored"
            assert not reflected_markup(response.get_data(as_text=True))
            return
        assert count() == before + 1
        with app.app_context():
            stored = db.session.scalar(sa.select(Attachment).order_by(Attachment.id.desc()))
            assert "/" not in stored.filename and "\\" not in stored.filename
            assert stored.filename not in stored.storage_key

    submit()


# --- projects ---------------------------------------------------------------------------

PROJECT_RELATED = {
    "kickoff_date": {"go_live_date"},
    "implementer": {"partner_id"},
    "ims_contract": {"ims_scope"},
}


def test_project_create_form_survives_hostile_input(app, world, login, count_hostile_input):
    client = login(World.CSM)
    start = today()
    case = form_case(
        app,
        client,
        page_url="/projects/new",
        post_url="/projects/new",
        form=lambda: ProjectForm(formdata=None),
        overrides={
            "name": "Initech rollout",
            "customer_id": str(world.customer_a),
            "kickoff_date": (start - timedelta(days=10)).isoformat(),
            "go_live_date": (start + timedelta(days=90)).isoformat(),
        },
        related=PROJECT_RELATED,
        stored={"name": lambda: _latest(Project, Project.name)},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.8)


def test_project_edit_form_survives_hostile_input(app, world, login, count_hostile_input):
    client = login(World.CSM)
    url = f"/projects/{world.project_a}/edit"
    case = form_case(
        app,
        client,
        page_url=url,
        post_url=url,
        form=lambda: ProjectForm(formdata=None),
        related=PROJECT_RELATED,
        noop=True,
        stored={"name": lambda: db.session.get(Project, world.project_a).name},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.8)


# --- progress links -----------------------------------------------------------------------


def test_progress_link_form_survives_hostile_input(app, world, login, count_hostile_input):
    client = login(World.CSM)
    url = f"/projects/{world.project_a}/progress-links"
    case = form_case(
        app,
        client,
        page_url=url,
        post_url=url,
        form=lambda: ProgressLinkForm(formdata=None),
        overrides={"label": "Steering committee"},
        stored={"label": lambda: _latest(ProgressLink, ProgressLink.label)},
        accepted=(200,),
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.4)


@given(st.text(min_size=1, max_size=300))
@settings(max_examples=60)
def _never_a_server_error(client, count, token: str) -> None:
    count()
    response = client.get("/progress/" + quote(token, safe=""))
    assert response.status_code in (404, 410), response.status_code


def test_progress_page_answers_any_token_without_a_server_error(app, world, count_hostile_input):
    _never_a_server_error(app.test_client(), count_hostile_input)


# --- sign-in and administration (forms of tracker/auth and tracker/admin) ---------------

# A refusal of the credentials shows its error under the password, whichever field is wrong.
LOGIN_RELATED = {"email": {"password"}, "remember": {"password"}}

NEXT_SAMPLES = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    " //evil.example",
    "\t//evil.example",
    "/projects",
]


def test_login_form_survives_hostile_input(app, world, count_hostile_input):
    case = form_case(
        app,
        app.test_client(),
        page_url="/login",
        post_url="/login",
        form=lambda: LoginForm(formdata=None),
        overrides={"email": World.CLIENT_A, "password": factories.PASSWORD},
        related=LOGIN_RELATED,
    )
    # A fresh, signed-out browser for each attempt: a successful sign-in keeps its session.
    run(FormChecker(app, case, app.test_client, count_hostile_input), weight=0.6)


def test_login_redirects_only_within_the_site_whatever_next_says(app, world, count_hostile_input):
    @budget(0.3)
    @given(st.one_of(hostile_values, st.sampled_from(NEXT_SAMPLES)))
    def sign_in(next_url: str) -> None:
        count_hostile_input()
        response = app.test_client().post(
            "/login",
            query_string={"next": next_url},
            data={"email": World.CLIENT_A, "password": factories.PASSWORD},
        )
        assert response.status_code in ACCEPTED
        target = urlsplit(response.headers["Location"])
        assert (target.scheme, target.netloc) in (("", ""), ("http", "localhost"))
        assert not target.path.startswith("//")

    clean = snapshot(app)
    try:
        sign_in()
    finally:
        restore(app, clean)


@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_admin_user_form_survives_hostile_input(app, world, login, editing, count_hostile_input):
    client = login(World.ADMIN)
    url = f"/admin/users/{world.other_csm}" if editing else "/admin/users/new"
    overrides = (
        {}
        if editing
        else {
            "email": "new.person@t.test",
            "name": "New Person",
            "role": "csm",
            "password": "violet-harbour-canister-97",
        }
    )

    def stored_name() -> str | None:
        user_id = world.other_csm if editing else _latest(User, User.id)
        return db.session.get(User, user_id).name

    case = form_case(
        app,
        client,
        page_url=url,
        post_url=url,
        form=lambda: UserForm(formdata=None),
        overrides=overrides,
        related={"role": {"organisation_id"}, "organisation_id": {"role"}},
        noop=editing,
        stored={"name": stored_name},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.4)


@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_admin_organisation_form_survives_hostile_input(
    app, world, login, editing, count_hostile_input
):
    client = login(World.ADMIN)
    url = f"/admin/organisations/{world.customer_a}" if editing else "/admin/organisations/new"

    def stored_name() -> str | None:
        org_id = world.customer_a if editing else _latest(Organisation, Organisation.id)
        return db.session.get(Organisation, org_id).name

    case = form_case(
        app,
        client,
        page_url=url,
        post_url=url,
        form=lambda: OrganisationForm(formdata=None),
        overrides={} if editing else {"name": "Initech Test", "kind": "customer"},
        noop=editing,
        stored={"name": stored_name},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.3)


# --- go-live: waivers and the client's sign-off -------------------------------------------


def _waive_everything_open(project_id: int, csm_id: int) -> None:
    project = db.session.get(Project, project_id)
    for entry in readiness_of(project).outstanding:
        waive_item(project, entry.item.id, "Later.", actor=db.session.get(User, csm_id))


def test_waiver_form_survives_hostile_input(app, world, login, count_hostile_input):
    with app.app_context():
        item_id = readiness_of(db.session.get(Project, world.project_a)).items[0].item.id
    client = login(World.CSM)
    case = form_case(
        app,
        client,
        page_url=f"/projects/{world.project_a}/go-live/waivers/{item_id}",
        post_url=f"/projects/{world.project_a}/go-live/waivers/{item_id}",
        form=lambda: WaiverForm(formdata=None),
        overrides={"reason": "Done in the first month of operations."},
        stored={"reason": lambda: _latest(GoLiveWaiver, GoLiveWaiver.reason)},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.3)


def test_sign_off_form_survives_hostile_input(app, world, login, count_hostile_input):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == world.client_a).values(is_lead=True))
        _waive_everything_open(world.project_a, world.csm)
        db.session.commit()
    client = login(World.CLIENT_A)
    case = form_case(
        app,
        client,
        page_url=f"/projects/{world.project_a}/go-live/sign-off",
        post_url=f"/projects/{world.project_a}/go-live/sign-off",
        form=lambda: SignOffForm(formdata=None),
        overrides={"note": "Ready to go.", "rating": "4", "rating_comment": "Well run."},
        stored={
            "note": lambda: _latest(GoLiveSignOff, GoLiveSignOff.note),
            "rating_comment": lambda: _latest(GoLiveSignOff, GoLiveSignOff.rating_comment),
        },
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.4)


# --- invitations and "Forgot password?" ---------------------------------------------------


@pytest.mark.parametrize("email", [World.CSM, World.CLIENT_A], ids=["csm", "client_lead"])
def test_invitation_form_survives_hostile_input(app, world, login, email, count_hostile_input):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == world.client_a).values(is_lead=True))
        db.session.commit()
    client = login(email)
    case = form_case(
        app,
        client,
        page_url=f"/organisations/{world.customer_a}/people",
        post_url=f"/organisations/{world.customer_a}/invitations",
        form=lambda: InvitationForm(formdata=None),
        overrides={"email": "new.colleague@acme.test", "name": "Nina Newcomer"},
        stored={"name": lambda: _latest(Invitation, Invitation.name)},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.4)


def test_forgot_password_form_survives_hostile_input(app, world, count_hostile_input):
    case = form_case(
        app,
        app.test_client(),
        page_url="/forgot-password",
        post_url="/forgot-password",
        form=lambda: ForgotPasswordForm(formdata=None),
        overrides={"email": World.CLIENT_A},
    )
    run(FormChecker(app, case, app.test_client, count_hostile_input), weight=0.3)


def test_invitation_acceptance_form_survives_hostile_input(app, world, login, count_hostile_input):
    client = login(World.CSM)
    client.post(
        f"/organisations/{world.customer_a}/invitations",
        data={"email": "new.colleague@acme.test", "name": "Nina Newcomer", "language": "en"},
    )
    with app.app_context():
        [message] = deliver_outbox()
        db.session.commit()
    url = urlsplit(re.search(r"https?://\S+/invitations/\S+", message.body).group(0)).path
    case = form_case(
        app,
        app.test_client(),
        page_url=url,
        post_url=url,
        form=lambda: AcceptInvitationForm(formdata=None, owner=_Invitee()),
        overrides={
            "new_password": "violet-harbour-canister-97",
            "confirm": "violet-harbour-canister-97",
        },
        # A changed password no longer matches its repetition: the error is on the latter.
        related={"new_password": {"confirm"}, "confirm": {"new_password"}},
    )
    run(FormChecker(app, case, app.test_client, count_hostile_input), weight=0.3)


class _Invitee:
    email = "new.colleague@acme.test"
    name = "Nina Newcomer"


# --- every form of the app declares its bounds ------------------------------------------


def tracker_forms() -> list[type]:
    """Every form class defined in the tracker package (but the base, TrackerForm)."""
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        importlib.import_module(module.name)
    found, stack = set(), [FlaskForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.startswith("tracker.") and subclass is not TrackerForm:
                found.add(subclass)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def unbounded_fields(form_cls) -> list[str]:
    """Fields of ``form_cls`` that take any text, number or date: no declared bound."""
    from tracker.auth.passwords import PasswordPolicy  # bounds length (passwords.MAX_LENGTH)

    loose = []
    for name in dir(form_cls):
        unbound = getattr(form_cls, name)
        field_cls = getattr(unbound, "field_class", None)
        if field_cls is None:
            continue
        validators = unbound.kwargs.get("validators") or (unbound.args[1:2] or [[]])[0]
        if issubclass(field_cls, BooleanField):
            continue  # sent or not: nothing else is kept
        if getattr(field_cls, "ignores_invalid", False):
            continue  # keeps only a valid value, drops anything else
        if issubclass(field_cls, UploadField):
            continue  # a file: at most MAX_UPLOAD_MB (tracker.files.services); text refused
        if issubclass(field_cls, SelectFieldBase):
            # Choices not checked by WTForms: bounded only by a check of the form's own.
            unchecked = unbound.kwargs.get("validate_choice", True) is False
            if unchecked and not hasattr(form_cls, f"validate_{name}"):
                loose.append(name)
            continue
        if issubclass(field_cls, DateField):
            if not issubclass(field_cls, BoundedDateField):
                loose.append(name)
            continue
        if issubclass(field_cls, (IntegerField, DecimalField, FloatField)):
            ranges = [v for v in validators if isinstance(v, NumberRange)]
            if not any(v.min is not None and v.max is not None for v in ranges):
                loose.append(name)
            continue
        bounded = any(
            (isinstance(v, Length) and v.max not in (None, -1))
            or isinstance(v, (Regexp, AnyOf, EqualTo, PasswordPolicy))
            for v in validators
        )
        if not bounded:
            loose.append(name)
    return loose


FORMS = tracker_forms()


@pytest.mark.parametrize("form_cls", [pytest.param(f, id=f.__name__) for f in FORMS])
def test_form_refuses_control_characters_through_tracker_form(form_cls):
    assert issubclass(form_cls, TrackerForm)


@pytest.mark.parametrize("form_cls", [pytest.param(f, id=f.__name__) for f in FORMS])
def test_form_fields_declare_bounds(form_cls):
    assert unbounded_fields(form_cls) == []


# --- filters and pages (query strings) --------------------------------------------------

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,10}")


@dataclass(frozen=True)
class Param:
    """A query argument: what a valid value is, and some valid values to mix in."""

    name: str
    is_valid: Callable[[str], bool]
    samples: tuple[str, ...]


def whole_number(name: str, samples, minimum: int = 1, maximum: int = MAX_INT) -> Param:
    def is_valid(value: str) -> bool:
        return bool(_WHOLE_NUMBER.fullmatch(value)) and minimum <= int(value) <= maximum

    edges = (minimum - 1, minimum, maximum, maximum + 1)
    return Param(name, is_valid, tuple(str(s) for s in (*samples, *edges)))


def one_of_enum(name: str, enum_cls) -> Param:
    values = tuple(member.value for member in enum_cls)
    return Param(name, lambda value: value in values, values)


def page_number(name: str = "page") -> Param:
    return whole_number(name, (1, 2, 3), maximum=1_000_000)


def flag(name: str) -> Param:
    return Param(name, lambda value: value == "1", ("1", "0", "true"))


def query_strings(params: list[Param]) -> st.SearchStrategy:
    """Query strings of up to four arguments (known or not), each sent one to three times."""
    known = {p.name: p for p in params}

    def values_for(name: str) -> st.SearchStrategy:
        samples = known[name].samples if name in known else ("1",)
        value = st.one_of(hostile_values, st.sampled_from(samples))
        return st.lists(value, min_size=1, max_size=3)

    names = st.sampled_from([*known, "unknown", "page[]", "__proto__"])
    return st.lists(
        names.flatmap(lambda name: values_for(name).map(lambda values: (name, values))),
        max_size=4,
        unique_by=lambda pair: pair[0],
    )


def effective(params: list[Param], query: list[tuple[str, list[str]]]) -> tuple:
    """The arguments the page should act on: the first value of each, when it is valid."""
    known = {p.name: p for p in params}
    return tuple(
        (name, values[0])
        for name, values in query
        if name in known and known[name].is_valid(values[0])
    )


def check_filters(app, client, url: str, params: list[Param], count, weight: float) -> None:
    page(client, url)  # shows and so clears the "Signed in" message
    clean = snapshot(app)
    expected: dict[tuple, tuple[int, str]] = {}

    def fetch(query) -> tuple[int, str]:
        response = client.get(url, query_string=MultiDict(query))
        return response.status_code, response.get_data(as_text=True)

    def visit(query: list[tuple[str, list[str]]]) -> None:
        count()
        sent = [(name, value) for name, values in query for value in values]
        status, html = fetch(sent)
        assert status != 500, "server error"
        assert reflected_markup(html) == [], "query string sent back unescaped"
        wanted = effective(params, query)
        if wanted not in expected:
            expected[wanted] = fetch(list(wanted))
        want_status, want_html = expected[wanted]
        assert status == want_status
        assert signature(html) == signature(want_html), "an out-of-bounds value was not ignored"

    for param in params:  # each argument with one value of each kind first
        for value in EVERY_FIELD:
            if value is not None:
                visit = example([(param.name, [value])])(visit)
    given(query_strings(params))(budget(weight)(visit))()
    assert snapshot(app) == clean, "a page wrote data"


_LINKS_AND_VALUES = re.compile(r'\s(?:href|value|action|data-row-url)="[^"]*"')


def signature(html: str) -> str:
    """The page without its links and form values, which carry the query string along."""
    return _LINKS_AND_VALUES.sub("", html)


def test_portfolio_filters_ignore_hostile_values(app, world, login, count_hostile_input):
    params = [
        whole_number("csm", (world.csm, world.other_csm)),
        whole_number("customer", (world.customer_a, world.customer_b)),
        page_number(),
        flag("archived"),
        whole_number("version", (1, 2)),
        flag("behind"),
    ]
    check_filters(app, login(World.CSM), "/projects", params, count_hostile_input, 0.5)


def test_project_page_filters_ignore_hostile_values(app, world, login, count_hostile_input):
    params = [
        one_of_enum("party", Party),
        one_of_enum("accountable", Party),
        one_of_enum("status", Status),
        whole_number("assignee", (-1, 0, world.csm, world.client_a), minimum=-1),
    ]
    url = f"/projects/{world.project_b}"
    check_filters(app, login(World.CSM), url, params, count_hostile_input, 0.5)


def test_overdue_dashboard_filters_ignore_hostile_values(app, world, login, count_hostile_input):
    params = [
        one_of_enum("party", Party),
        one_of_enum("accountable", Party),
        whole_number("csm", (world.csm, world.other_csm)),
        whole_number("customer", (world.customer_a, world.customer_b)),
        page_number(),
        page_number("soon_page"),
    ]
    check_filters(app, login(World.CSM), "/overdue", params, count_hostile_input, 0.5)


def test_my_tasks_page_ignores_hostile_values(app, world, login, count_hostile_input):
    params = [page_number(), flag("answerable")]
    check_filters(app, login(World.CSM), "/my-tasks", params, count_hostile_input, 0.25)


def test_history_page_ignores_hostile_values(app, world, login, count_hostile_input):
    url = f"/projects/{world.project_a}/history"
    check_filters(app, login(World.CSM), url, [page_number()], count_hostile_input, 0.25)


def test_catalogue_version_ignores_hostile_values(app, world, login, count_hostile_input):
    params = [whole_number("version", (1, 2))]
    check_filters(app, login(World.ADMIN), "/catalogue", params, count_hostile_input, 0.25)


def _second_catalogue_version(app) -> None:
    with app.app_context():
        data = spec_of(current_version()).model_dump(mode="json")
        data["areas"][0]["rows"][0]["due"] = "K+99"
        load_catalogue(CatalogueSpec.model_validate(data))
        db.session.commit()


def test_catalogue_comparison_ignores_hostile_values(app, world, login, count_hostile_input):
    _second_catalogue_version(app)
    params = [whole_number("from", (1, 2, 3)), whole_number("to", (1, 2, 3))]
    check_filters(app, login(World.CSM), "/catalogue/diff", params, count_hostile_input, 0.25)


def test_catalogue_download_ignores_hostile_values(app, world, login, count_hostile_input):
    _second_catalogue_version(app)
    params = [whole_number("version", (1, 2, 3))]
    client = login(World.ADMIN)
    page(client, "/catalogue")  # shows the "Signed in" message, which a YAML file would not
    check_filters(app, client, "/catalogue/export.yaml", params, count_hostile_input, 0.15)


def test_bulk_rollout_page_ignores_hostile_values(app, world, login, count_hostile_input):
    _second_catalogue_version(app)
    params = [
        whole_number("to", (1, 2, 3)),
        whole_number("from", (1, 2, 3)),
        whole_number("csm", (world.csm, world.other_csm)),
        whole_number("customer", (world.customer_a, world.customer_b)),
        one_of_enum("phase", Phase),
        flag("all"),
        page_number(),
    ]
    check_filters(app, login(World.ADMIN), "/catalogue/rollout", params, count_hostile_input, 0.25)


def test_admin_users_page_ignores_hostile_values(app, world, login, count_hostile_input):
    check_filters(
        app, login(World.ADMIN), "/admin/users", [page_number()], count_hostile_input, 0.25
    )


@pytest.mark.parametrize("export", ["portfolio", "checklist", "overdue"])
def test_csv_exports_ignore_hostile_filter_values(app, world, login, export, count_hostile_input):
    portfolio = [
        whole_number("csm", (world.csm, world.other_csm)),
        whole_number("customer", (world.customer_a, world.customer_b)),
        flag("archived"),
    ]
    checklist = [
        one_of_enum("party", Party),
        one_of_enum("accountable", Party),
        one_of_enum("status", Status),
        whole_number("assignee", (-1, 0, world.csm, world.client_a), minimum=-1),
    ]
    overdue = [one_of_enum("party", Party), one_of_enum("accountable", Party), *portfolio[:2]]
    url, params = {
        "portfolio": ("/projects/export.csv", portfolio),
        "checklist": (f"/projects/{world.project_b}/export.csv", checklist),
        "overdue": ("/overdue/export.csv", overdue),
    }[export]
    check_filters(app, login(World.CSM), url, params, count_hostile_input, 0.15)


# --- the catalogue draft (tracker/catalogue/drafts) -------------------------------------


def _draft_case(app, client, url: str, form, **options) -> FormCase:
    """A form of the catalogue draft; its hidden draft version is left as the page gave it
    (a stale version is a conflict, 409: tests/test_catalogue_drafts.py)."""
    case = form_case(app, client, page_url=url, post_url=url, form=form, **options)
    del case.rules["version"]
    return case


def _draft_content() -> dict:
    return db.session.scalars(sa.select(CatalogueDraft)).one().content


@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_catalogue_draft_area_form_survives_hostile_input(
    app, world, login, editing, count_hostile_input
):
    client = login(World.ADMIN)
    client.post("/catalogue/draft/start")
    with app.app_context():
        key = _draft_content()["areas"][0]["key"]
    url = f"/catalogue/draft/areas/{key}" if editing else "/catalogue/draft/areas/new"

    def stored_title() -> str | None:
        return _draft_content()["areas"][0 if editing else -1]["title_en"]

    case = _draft_case(
        app,
        client,
        url,
        lambda: AreaForm(formdata=None),
        overrides={} if editing else {"key": "hostile_area", "title_fr": "T", "title_en": "T"},
        stored={"title_en": stored_title},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.3)


@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_catalogue_draft_row_form_survives_hostile_input(
    app, world, login, editing, count_hostile_input
):
    client = login(World.ADMIN)
    client.post("/catalogue/draft/start")
    with app.app_context():
        areas = _draft_content()["areas"]
    key = areas[0]["rows"][0]["key"]
    url = f"/catalogue/draft/rows/{key}" if editing else "/catalogue/draft/rows/new"
    new_row = {
        "key": "hostile_row",
        "text_fr": "Texte",
        "text_en": "Text",
        "parties": "infor",
        "due": "K+1",
    }

    def stored_text() -> str | None:
        rows = [row for area in _draft_content()["areas"] for row in area["rows"]]
        found = next(row for row in rows if row["key"] == (key if editing else "hostile_row"))
        return found["text_en"]

    case = _draft_case(
        app,
        client,
        url,
        lambda: RowForm(formdata=None, areas=areas, row_keys=[]),
        overrides={} if editing else new_row,
        stored={"text_en": stored_text},
    )
    run(FormChecker(app, case, lambda: client, count_hostile_input), weight=0.3)


# --- notifications, watching and mentions ------------------------------------------------


def test_notifications_page_ignores_hostile_values(app, world, login, count_hostile_input):
    check_filters(
        app, login(World.CLIENT_A), "/notifications", [page_number()], count_hostile_input, 0.25
    )


@pytest.mark.parametrize("value", ["", "2", "yes", "<b>1</b>", "1\x00", "0" * 5000])
def test_watch_form_refuses_a_hostile_value_and_writes_nothing(app, blocked_item, login, value):
    pid, iid = blocked_item
    client = login(World.CLIENT_A)
    clean = snapshot(app)
    response = client.post(f"/projects/{pid}/items/{iid}/watch", data={"watching": value})
    assert response.status_code == 302
    assert changed_tables(clean, snapshot(app)) == []
    assert reflected_markup(client.get(response.location).get_data(as_text=True)) == []


def test_watch_form_goes_back_only_within_the_site(app, blocked_item, login):
    pid, iid = blocked_item
    response = login(World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/watch",
        data={"watching": "1", "next": "https://evil.example/"},
    )
    assert urlsplit(response.location).netloc in ("", "localhost")


def test_mention_picker_survives_hostile_queries(app, blocked_item, login, count_hostile_input):
    pid, iid = blocked_item
    client = login(World.CLIENT_A)
    url = f"/projects/{pid}/items/{iid}/mention-candidates"
    with app.app_context():
        may_see = set(
            db.session.scalars(
                sa.select(User.name).where(
                    User.email.in_([World.ADMIN, World.CSM, World.OTHER_CSM, World.CLIENT_A])
                )
            )
        )
    clean = snapshot(app)

    @given(q=st.text(max_size=300), internal=st.sampled_from(["", "1", "0", "x" * 50]))
    @budget(0.25)
    def visit(q: str, internal: str) -> None:
        count_hostile_input()
        response = client.get(url, query_string={"q": q, "internal": internal})
        assert response.status_code == 200
        assert {person["name"] for person in response.get_json()} <= may_see

    visit()
    assert snapshot(app) == clean, "the picker wrote data"


@pytest.mark.parametrize("body", ["@[Nobody At All] hi", "@[" + "x" * 119 + "] hi", "@[Ims] hi"])
def test_a_mention_of_nobody_who_may_see_the_item_is_a_form_error(app, blocked_item, login, body):
    pid, iid = blocked_item
    client = login(World.CLIENT_A)
    clean = snapshot(app)
    response = client.post(f"/projects/{pid}/items/{iid}/comments", data={"body": body})
    assert response.status_code == 422
    assert "You cannot mention" in response.get_data(as_text=True)
    assert changed_tables(clean, snapshot(app)) == []
