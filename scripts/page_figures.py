"""The project page's size as people see it: its height at desktop and phone widths, where
its checklist starts, and its HTML size, on the demo data, for a CSM and a client user.

    .venv/bin/python scripts/page_figures.py [--project "Acme CloudSuite Industrial"]

Serves the demo app itself (as scripts/screenshots.py does) in the system Chromium and prints
one line per (user, width): the page's full height in CSS pixels, the top of the checklist
and of its first item, and the bytes of HTML sent.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.live_demo import CHROMIUM_ARGS, build_demo_app, chromium_path, serve  # noqa: E402
from scripts.screenshots import CLIENT, CSM, SHOWCASE_PROJECT, project_id_of, sign_in  # noqa: E402

WIDTHS = {"desktop 1280": (1280, 800), "phone 390": (390, 844)}
MEASURE = """() => {
  const top = (selector) => {
    const node = document.querySelector(selector);
    return node ? Math.round(node.getBoundingClientRect().top + window.scrollY) : null;
  };
  return {
    height: document.documentElement.scrollHeight,
    checklist: top('#items'),
    first_item: top('.item-row'),
    items: document.querySelectorAll('.item-row').length,
  };
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default=SHOWCASE_PROJECT)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        print("No Chromium: set CHROMIUM_PATH or apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        app = build_demo_app(Path(folder) / "tracker-figures.sqlite3")
        path = f"/projects/{project_id_of(app, args.project)}"
        with serve(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            print(f"{'who':<8} {'width':<13} {'height px':>9} {'checklist at':>12} "
                  f"{'1st item at':>11} {'items':>5} {'HTML bytes':>10}")  # fmt: skip
            for who, email in (("CSM", CSM), ("client", CLIENT)):
                for width_name, (width, height) in WIDTHS.items():
                    context = browser.new_context(
                        base_url=url,
                        locale="en-US",
                        viewport={"width": width, "height": height},
                        reduced_motion="reduce",
                    )
                    page = context.new_page()
                    sign_in(page, email)
                    response = page.goto(path)
                    page.wait_for_load_state("networkidle")
                    size = len(response.body())
                    f = page.evaluate(MEASURE)
                    print(f"{who:<8} {width_name:<13} {f['height']:>9} {f['checklist']!s:>12} "
                          f"{f['first_item']!s:>11} {f['items']:>5} {size:>10,}")  # fmt: skip
                    context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
