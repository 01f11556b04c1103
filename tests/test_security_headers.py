"""Security headers on every response, and pages that need no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import World

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

ANONYMOUS_PAGES = [
    "/login",  # a page
    "/projects",  # a redirect to sign in
    "/nothing-here",  # an error page
    "/static/tracker.css",  # a static file
    "/bootstrap/static/js/bootstrap.min.js",  # Bootstrap, served by this site
]
SIGNED_IN_PAGES = ["/projects", "/overdue", "/account/password", "/admin/users/new"]

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    directives = response.headers["Content-Security-Policy"].split(";")
    return dict(d.strip().split(" ", 1) for d in directives)


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_every_response_has_the_security_headers(world, client, url):
    with client.get(url) as response:
        headers = response.headers
    for name, value in EXPECTED.items():
        assert headers[name] == value
    assert "Content-Security-Policy" in headers


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages_have_the_content_security_policy(world, login, url):
    response = login(World.ADMIN).get(url)
    assert response.status_code == 200
    assert policy(response)["script-src"] == "'self'"


def test_refused_sign_in_has_the_security_headers(world, client):
    response = client.post("/login", data={"email": World.CSM, "password": "wrong"})
    assert response.status_code == 401
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("directive", "sources"),
    [
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
    ],
)
def test_content_security_policy_directive(world, client, directive, sources):
    assert policy(client.get("/login"))[directive] == sources


def test_only_style_attributes_may_be_inline(world, client):
    sources = policy(client.get("/login"))
    assert sources["style-src-attr"] == "'unsafe-inline'"
    assert [d for d, s in sources.items() if "unsafe" in s] == ["style-src-attr"]


def test_plain_http_is_not_redirected_to_https(world, client):
    assert client.get("/login").status_code == 200


# --- no inline script -------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_inline_script(path):
    html = path.read_text()
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_ATTRIBUTE.search(html)
    assert not JAVASCRIPT_URL.search(html)


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_rendered_page_has_no_inline_script(world, login, url):
    html = login(World.ADMIN).get(url).get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_ATTRIBUTE.search(html)


def test_bootstraps_scripts_load_from_this_site(world, login):
    client = login(World.ADMIN)
    html = client.get("/projects").get_data(as_text=True)
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)

    assert any("bootstrap" in source for source in sources)
    for source in sources:
        assert source.startswith("/") and not source.startswith("//")
        with client.get(source) as response:
            assert response.status_code == 200
            assert "javascript" in response.content_type
