"""Screenshots of the main pages, on the demo data, at desktop and phone widths.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]    (or: make screenshots)

Serves the demo app itself (a fresh SQLite file in a temporary folder: migrated, catalogue
and demo data loaded), signs in as the CSM, and as a client for their tasks, in the system
Chromium ($CHROMIUM_PATH, else /usr/bin/chromium), and saves full-page PNGs named
<page>-<desktop|phone>.png. docs/screenshots/README.md describes them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.live_demo import (  # noqa: E402 - after making the repository importable
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    build_demo_app,
    chromium_path,
    serve,
)

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
CSM = "csm@demo.test"
CLIENT = "client@acme.demo.test"
SHOWCASE_PROJECT = "Acme CloudSuite Industrial"


def pages(project_id: int) -> list[tuple[str, str, str]]:
    """(file name, who, path) of each screenshot."""
    return [
        ("portfolio", CSM, "/projects"),
        ("project", CSM, f"/projects/{project_id}"),
        ("overdue", CSM, "/overdue"),
        ("my-tasks-client", CLIENT, "/my-tasks"),
    ]


def project_id_of(app, name: str) -> int:
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Project

    with app.app_context():
        return db.session.scalars(sa.select(Project.id).where(Project.name == name)).one()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed: make install", file=sys.stderr)
        return 1
    executable = chromium_path()
    if executable is None:
        print("No Chromium: set CHROMIUM_PATH or apt-get install chromium", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = build_demo_app(Path(folder) / "tracker-screenshots.sqlite3")
        shots = pages(project_id_of(app, SHOWCASE_PROJECT))
        with serve(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for email in dict.fromkeys(who for _, who, _ in shots):
                for width_name, (width, height) in WIDTHS.items():
                    context = browser.new_context(
                        base_url=url,
                        locale="en-US",
                        viewport={"width": width, "height": height},
                        device_scale_factor=1,
                        reduced_motion="reduce",
                    )
                    page = context.new_page()
                    sign_in(page, email)
                    for name, who, path in shots:
                        if who != email:
                            continue
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        target = args.out / f"{name}-{width_name}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                    context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
