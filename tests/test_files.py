"""Evidence files (issue 16, section 3): attaching a file to an item or a comment, the checks
made before anything is stored, downloads checked like the item, removing and restoring, and
the files in the item's row, its history and the API. The S3 store is tested in
tests/test_files_s3.py against a real local S3-compatible server."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, INFOR_ROW, World
from tracker.api.services import create_token
from tracker.checklist.services import add_comment
from tracker.enums import Party
from tracker.extensions import db
from tracker.files.storage import LocalStorage, storage
from tracker.models import Attachment, Comment, Event, User

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _as(app, email: str):
    """A browser of its own signed in as ``email`` (a test may need two people)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _item(app, project_id: int, row: str = CLIENT_ROW, party: Party | None = Party.CLIENT) -> int:
    with app.app_context():
        return factories.item_of(project_id, row, party).id


def multipart(name: str, content: bytes, field: str = "file") -> dict:
    """A multipart body as bytes: the test client would spool a large file to a temporary
    file it never closes (a ResourceWarning), a body given as bytes it does not."""
    boundary = "----tracker-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _attach(client, pid: int, iid: int, name: str, content: bytes):
    return client.post(f"/projects/{pid}/items/{iid}/files", **multipart(name, content))


def _stored(app) -> list[Attachment]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Attachment).order_by(Attachment.id)))


def _store_keys(app) -> set[str]:
    root = storage_root(app)
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def storage_root(app):
    with app.app_context():
        return storage().root


@pytest.fixture(autouse=True)
def own_store(app, tmp_path, monkeypatch):
    """A file store of the test's own (the database is rolled back after it; the store too)."""
    monkeypatch.setitem(app.extensions, "file_storage", LocalStorage(tmp_path / "files"))


@pytest.fixture
def item_a(app, world) -> tuple[int, int]:
    """(project, item): a client item of project_a (customer A)."""
    return world.project_a, _item(app, world.project_a)


# --- attaching --------------------------------------------------------------------------


def test_a_client_attaches_a_pdf_to_their_item(app, item_a):
    pid, iid = item_a
    response = _attach(_as(app, World.CLIENT_A), pid, iid, "Signed minutes.pdf", PDF)
    assert response.status_code == 302
    (attachment,) = _stored(app)
    assert (attachment.filename, attachment.size) == ("Signed minutes.pdf", len(PDF))
    assert attachment.content_type == "application/pdf"


def test_the_file_is_kept_under_a_random_key_not_its_name(app, item_a):
    pid, iid = item_a
    _attach(_as(app, World.CLIENT_A), pid, iid, "../../etc/passwd.pdf", PDF)
    (attachment,) = _stored(app)
    assert attachment.filename == "passwd.pdf"  # the last part of the name, for display
    assert "passwd" not in attachment.storage_key
    assert attachment.storage_key in _store_keys(app)


def test_an_office_document_is_accepted(app, item_a):
    pid, iid = item_a
    assert _attach(_as(app, World.CLIENT_A), pid, iid, "plan.docx", _docx()).status_code == 302
    assert [a.filename for a in _stored(app)] == ["plan.docx"]


def test_a_csv_file_is_accepted(app, item_a):
    pid, iid = item_a
    _attach(_as(app, World.CLIENT_A), pid, iid, "users.csv", "name;e-mail\nZoé;z@a.test\n".encode())
    assert [a.content_type for a in _stored(app)] == ["text/csv; charset=utf-8"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("invoice.pdf", b"<html><script>alert(1)</script></html>"),  # not what its name says
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00"),  # a program called text
        ("photo.png", PDF),
        ("README", b"plain text without an extension"),
    ],
)
def test_a_forbidden_file_is_refused_and_nothing_is_stored(app, item_a, name, content):
    pid, iid = item_a
    response = _attach(_as(app, World.CLIENT_A), pid, iid, name, content)
    assert response.status_code == 422
    assert "cannot be attached" in response.get_data(as_text=True)
    assert _stored(app) == []
    assert _store_keys(app) == set()


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(app, item_a, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    pid, iid = item_a
    big = PDF + b"0" * (1024 * 1024)
    response = _attach(_as(app, World.CLIENT_A), pid, iid, "scan.pdf", big)
    assert response.status_code == 422
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert _stored(app) == [] and _store_keys(app) == set()


def test_a_request_over_the_size_limit_gets_a_clear_page(app, item_a, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    pid, iid = item_a
    response = _attach(_as(app, World.CLIENT_A), pid, iid, "scan.pdf", PDF + b"0" * 100_000)
    assert response.status_code == 413
    assert "a file may be at most 25 MB" in response.get_data(as_text=True)
    assert _stored(app) == []


def test_an_empty_file_is_refused(app, item_a):
    pid, iid = item_a
    response = _attach(_as(app, World.CLIENT_A), pid, iid, "empty.pdf", b"")
    assert response.status_code == 422
    assert "is empty" in response.get_data(as_text=True)


def test_a_form_without_a_file_says_to_choose_one(app, item_a):
    pid, iid = item_a
    response = _as(app, World.CLIENT_A).post(f"/projects/{pid}/items/{iid}/files", data={})
    assert response.status_code == 422
    assert "Choose a file to attach." in response.get_data(as_text=True)


def test_a_client_may_comment_and_so_attach_to_another_partys_item(app, world):
    iid = _item(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = _attach(_as(app, World.CLIENT_A), world.project_a, iid, "proof.pdf", PDF)
    assert response.status_code == 302


def test_another_customers_user_gets_404_and_nothing_is_stored(app, item_a):
    pid, iid = item_a
    assert _attach(_as(app, World.CLIENT_B), pid, iid, "x.pdf", PDF).status_code == 404
    assert _stored(app) == []


def test_nobody_attaches_to_an_archived_project(app, world, item_a):
    pid, iid = item_a
    with app.app_context():
        from tracker.models import Project
        from tracker.timeutil import utcnow

        db.session.get(Project, pid).archived_at = utcnow()
        db.session.commit()
    assert _attach(_as(app, World.CLIENT_A), pid, iid, "x.pdf", PDF).status_code == 403
    assert _stored(app) == []


def test_attaching_is_in_the_projects_history(app, item_a):
    pid, iid = item_a
    _attach(_as(app, World.CLIENT_A), pid, iid, "minutes.pdf", PDF)
    with app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.action == "item.file_attached"))
        assert (event.item_id, event.new_value) == (iid, "minutes.pdf")
    html = _as(app, World.CSM).get(f"/projects/{pid}/history").get_data(as_text=True)
    assert "File attached" in html and "minutes.pdf" in html


# --- a comment's file -----------------------------------------------------------------------


def test_a_comment_carries_a_file(app, item_a):
    pid, iid = item_a
    response = _as(app, World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/comments",
        data={"body": "Here is the signed form", "file": (io.BytesIO(PDF), "form.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (attachment,) = _stored(app)
    assert attachment.comment_id is not None and attachment.filename == "form.pdf"


def test_a_comment_with_a_forbidden_file_is_refused_whole(app, item_a):
    pid, iid = item_a
    response = _as(app, World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/comments",
        data={"body": "See attached", "file": (io.BytesIO(b"<svg/>"), "x.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "cannot be attached" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(Comment)).all() == []
    assert _stored(app) == []


def test_the_row_editors_comment_form_takes_a_file(app, item_a):
    pid, iid = item_a
    response = _as(app, World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/comments",
        data={"body": "Done", "file": (io.BytesIO(PNG), "screen.png")},
        content_type="multipart/form-data",
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.headers["X-Item-Result"] == "commented"
    assert "1 file" in response.get_data(as_text=True)


# --- seeing and downloading -----------------------------------------------------------------


@pytest.fixture
def attached(app, item_a) -> tuple[int, int, int]:
    pid, iid = item_a
    _attach(_as(app, World.CLIENT_A), pid, iid, "Procès-verbal signé.pdf", PDF)
    (attachment,) = _stored(app)
    return pid, iid, attachment.id


def test_the_item_page_lists_the_file(app, attached):
    pid, iid, aid = attached
    html = _as(app, World.CSM).get(f"/projects/{pid}/items/{iid}").get_data(as_text=True)
    assert "Procès-verbal signé.pdf" in html
    assert f"/projects/{pid}/items/{iid}/files/{aid}" in html


def test_the_items_row_counts_its_files(app, attached):
    pid, iid, _ = attached
    html = _as(app, World.CSM).get(f"/projects/{pid}").get_data(as_text=True)
    assert re.search(rf'href="/projects/{pid}/items/{iid}\?next=[^"]*#files"[^>]*>1 file</a>', html)


def test_a_download_is_an_attachment_with_the_security_headers(app, attached):
    pid, iid, aid = attached
    response = _as(app, World.CLIENT_A).get(f"/projects/{pid}/items/{iid}/files/{aid}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Proc_s-verbal sign_.pdf"; '
        "filename*=UTF-8''Proc%C3%A8s-verbal%20sign%C3%A9.pdf"
    )
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_another_customers_user_cannot_download(app, attached):
    pid, iid, aid = attached
    response = _as(app, World.CLIENT_B).get(f"/projects/{pid}/items/{iid}/files/{aid}")
    assert response.status_code == 404


def test_a_file_of_another_item_is_not_found_under_this_one(app, world, attached):
    pid, _, aid = attached
    other = _item(app, pid, INFOR_ROW, Party.INFOR)
    assert _as(app, World.CSM).get(f"/projects/{pid}/items/{other}/files/{aid}").status_code == 404


@pytest.fixture
def internal_file(app, world) -> tuple[int, int, int]:
    """A file on an internal comment of project_b's client item."""
    iid = _item(app, world.project_b)
    with app.app_context():
        from tracker.files.services import attach_file

        item = factories.item_of(world.project_b, CLIENT_ROW, Party.CLIENT)
        comment = add_comment(item, actor=_user(World.CSM), body="Their IT lead", internal=True)
        attachment = attach_file(
            item, actor=_user(World.CSM), filename="notes.txt", stream=io.BytesIO(b"a note"),
            comment=comment,
        )  # fmt: skip
        db.session.commit()
        return world.project_b, iid, attachment.id


def test_a_client_never_gets_the_file_of_an_internal_comment(app, internal_file):
    pid, iid, aid = internal_file
    client = _as(app, World.CLIENT_B)
    assert client.get(f"/projects/{pid}/items/{iid}/files/{aid}").status_code == 404
    assert "notes.txt" not in client.get(f"/projects/{pid}/items/{iid}").get_data(as_text=True)


def test_a_partner_gets_the_file_of_an_internal_comment(app, internal_file):
    pid, iid, aid = internal_file
    response = _as(app, World.PARTNER).get(f"/projects/{pid}/items/{iid}/files/{aid}")
    assert response.status_code == 200 and response.data == b"a note"


# --- removing and restoring -----------------------------------------------------------------


def test_removing_hides_the_file_and_keeps_it_in_the_store(app, attached):
    pid, iid, aid = attached
    client = _as(app, World.CLIENT_A)
    assert client.post(f"/projects/{pid}/items/{iid}/files/{aid}/hide").status_code == 302
    (attachment,) = _stored(app)
    assert attachment.hidden_at is not None
    assert attachment.storage_key in _store_keys(app)
    assert client.get(f"/projects/{pid}/items/{iid}/files/{aid}").status_code == 404


def test_the_csm_restores_a_removed_file(app, attached):
    pid, iid, aid = attached
    _as(app, World.CLIENT_A).post(f"/projects/{pid}/items/{iid}/files/{aid}/hide")
    csm = _as(app, World.CSM)
    assert "Restore" in csm.get(f"/projects/{pid}/items/{iid}").get_data(as_text=True)
    assert csm.post(f"/projects/{pid}/items/{iid}/files/{aid}/restore").status_code == 302
    assert _stored(app)[0].hidden_at is None
    with app.app_context():
        actions = db.session.scalars(sa.select(Event.action).where(Event.item_id == iid)).all()
    assert "item.file_hidden" in actions and "item.file_restored" in actions


def test_a_client_may_not_restore_a_file(app, attached):
    pid, iid, aid = attached
    _as(app, World.CSM).post(f"/projects/{pid}/items/{iid}/files/{aid}/hide")
    response = _as(app, World.CLIENT_A).post(f"/projects/{pid}/items/{iid}/files/{aid}/restore")
    assert response.status_code == 404  # a removed file is not theirs to see any more
    assert _stored(app)[0].hidden_at is not None


def test_someone_else_may_not_remove_a_clients_file(app, world, attached):
    pid, iid, aid = attached
    with app.app_context():
        factories.user("colleague@acme.test", factories.Role.CLIENT, world.customer_a)
        db.session.commit()
    response = _as(app, "colleague@acme.test").post(f"/projects/{pid}/items/{iid}/files/{aid}/hide")
    assert response.status_code == 403
    assert _stored(app)[0].hidden_at is None


# --- the API ----------------------------------------------------------------------------


@pytest.fixture
def bearer(app, world):
    def make(email: str) -> dict[str, str]:
        with app.app_context():
            _, value = create_token(_user(email), name="test")
            db.session.commit()
        return {"Authorization": f"Bearer {value}"}

    return make


def test_the_api_attaches_a_file_in_multipart(app, client, bearer, item_a):
    _, iid = item_a
    response = client.post(
        f"/api/v1/items/{iid}/attachments",
        data={"file": (io.BytesIO(PDF), "minutes.pdf")},
        content_type="multipart/form-data",
        headers=bearer(World.CLIENT_A),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["filename"], body["size"], body["item_id"]) == ("minutes.pdf", len(PDF), iid)


def test_the_api_refuses_a_forbidden_file_with_a_reason(app, client, bearer, item_a):
    _, iid = item_a
    response = client.post(
        f"/api/v1/items/{iid}/attachments",
        data={"file": (io.BytesIO(b"<svg/>"), "logo.svg")},
        content_type="multipart/form-data",
        headers=bearer(World.CLIENT_A),
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "cannot be attached" in response.get_json()["detail"]
    assert _stored(app) == []


def test_the_api_wants_multipart(app, client, bearer, item_a):
    _, iid = item_a
    response = client.post(
        f"/api/v1/items/{iid}/attachments", json={"file": "x"}, headers=bearer(World.CLIENT_A)
    )
    assert response.status_code == 415


def test_the_api_answers_an_oversize_request_with_json(app, client, bearer, item_a, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    _, iid = item_a
    response = client.post(
        f"/api/v1/items/{iid}/attachments",
        **multipart("big.pdf", PDF + b"0" * 100_000),
        headers=bearer(World.CLIENT_A),
    )
    assert response.status_code == 413
    assert "at most 25 MB" in response.get_json()["detail"]


def test_the_api_lists_and_downloads_an_items_files(app, client, bearer, attached):
    _, iid, aid = attached
    headers = bearer(World.CSM)
    listed = client.get(f"/api/v1/items/{iid}/attachments", headers=headers).get_json()
    assert [a["id"] for a in listed["items"]] == [aid]
    described = client.get(f"/api/v1/attachments/{aid}", headers=headers).get_json()
    content = client.get(described["download_url"], headers=headers)
    assert content.data == PDF
    assert content.headers["Content-Disposition"].startswith("attachment;")


def test_the_api_hides_a_file_from_another_customer(app, client, bearer, attached):
    _, iid, aid = attached
    headers = bearer(World.CLIENT_B)
    assert client.get(f"/api/v1/attachments/{aid}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/attachments/{aid}/content", headers=headers).status_code == 404
    assert client.get(f"/api/v1/items/{iid}/attachments", headers=headers).status_code == 404


def test_the_api_never_lists_an_internal_file_to_a_client(app, client, bearer, internal_file):
    _, iid, aid = internal_file
    headers = bearer(World.CLIENT_B)
    assert client.get(f"/api/v1/items/{iid}/attachments", headers=headers).get_json() == {
        "items": []
    }
    assert client.get(f"/api/v1/attachments/{aid}", headers=headers).status_code == 404


def test_the_openapi_document_describes_the_multipart_upload(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/items/{item_id}/attachments"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
