"""Exports of the portfolio, a project's checklist and the overdue dashboard."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from tests import factories
from tests.factories import World
from tracker.enums import Party, Phase, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, User
from tracker.timeutil import recorded_at, today


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def read_xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


@pytest.fixture
def overdue_items(app, world):
    """Exactly one overdue item on each project: all others due in a year."""
    with app.app_context():
        db.session.execute(sa.update(ChecklistItem).values(due_date=today() + timedelta(days=365)))
        for project_id in (world.project_a, world.project_b):
            item = factories.item_of(project_id, "register_for_onboarding_webinar")
            item.due_date = today() - timedelta(days=3)
        db.session.commit()
    return world


def test_portfolio_csv_lists_the_visible_projects(world, login):
    rows = read_csv(login(World.CSM).get("/projects/export.csv"))
    assert {row["Project"] for row in rows} == {"Acme rollout", "Globex rollout"}


def test_portfolio_export_honours_the_customer_filter(world, login):
    rows = read_csv(login(World.CSM).get(f"/projects/export.csv?customer={world.customer_a}"))
    assert [row["Project"] for row in rows] == ["Acme rollout"]


def test_a_clients_portfolio_export_holds_only_their_company(world, login):
    body = login(World.CLIENT_A).get("/projects/export.csv").get_data().decode("utf-8-sig")
    assert "Acme rollout" in body
    assert "Globex" not in body


def test_portfolio_xlsx_has_a_bold_header_and_dates_as_dates(world, login):
    sheet = read_xlsx(login(World.CSM).get("/projects/export.xlsx")).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Project", "Customer", "CSM"]
    assert sheet.cell(1, 1).font.bold
    kickoff = sheet.cell(2, header.index("Kickoff") + 1)
    assert kickoff.is_date


@pytest.mark.parametrize("path", ["/projects/export.xlsx", "/overdue/export.xlsx"])
def test_xlsx_header_row_is_frozen_with_an_auto_filter(world, login, path):
    sheet = read_xlsx(login(World.CSM).get(path)).active
    assert sheet.freeze_panes == "A2"
    last_column = get_column_letter(sheet.max_column)
    assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"


def test_xlsx_columns_are_as_wide_as_their_contents(world, login):
    sheet = read_xlsx(login(World.CSM).get("/projects/export.xlsx")).active
    header = [cell.value for cell in sheet[1]]
    widths = {
        name: sheet.column_dimensions[get_column_letter(i)].width
        for i, name in enumerate(header, start=1)
    }
    longest_project = max(len(row[0].value) for row in sheet.iter_rows(min_row=2))
    assert widths["Project"] > longest_project  # the names fit
    assert widths["Kickoff"] >= 10  # yyyy-mm-dd fits
    assert max(widths.values()) <= 60


def test_checklist_xlsx_has_a_sheet_per_phase_in_order(app, world, login):
    book = read_xlsx(login(World.CSM).get(f"/projects/{world.project_a}/export.xlsx"))
    assert book.sheetnames == [phase.label for phase in Phase]


def test_checklist_export_has_every_item_of_the_project(app, world, login):
    rows = read_csv(login(World.CSM).get(f"/projects/{world.project_a}/export.csv"))
    with app.app_context():
        assert len(rows) == len(factories.items_of(world.project_a))


def test_checklist_export_honours_the_party_filter(world, login):
    rows = read_csv(login(World.CSM).get(f"/projects/{world.project_a}/export.csv?party=client"))
    assert rows
    assert {row["Responsible"] for row in rows} == {Party.CLIENT.label}


def test_another_customers_checklist_export_is_not_found(world, login):
    assert login(World.CLIENT_A).get(f"/projects/{world.project_b}/export.csv").status_code == 404


def test_overdue_export_has_the_overdue_and_due_soon_sheets(overdue_items, login):
    book = read_xlsx(login(World.CSM).get("/overdue/export.xlsx"))
    assert book.sheetnames == ["Overdue", "Due in 7 days"]
    overdue = list(book["Overdue"].iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in overdue} == {"Acme rollout", "Globex rollout"}
    assert {row[0] for row in overdue} == {3}


def test_overdue_export_agrees_with_the_dashboard_filters(overdue_items, login):
    client = login(World.CSM)
    rows = read_csv(client.get(f"/overdue/export.csv?customer={overdue_items.customer_b}"))
    overdue = [row for row in rows if row["List"] == "Overdue"]
    assert [row["Project"] for row in overdue] == ["Globex rollout"]


def test_a_clients_overdue_export_holds_only_their_company(overdue_items, login):
    body = login(World.CLIENT_A).get("/overdue/export.csv").get_data().decode("utf-8-sig")
    assert "Acme rollout" in body
    assert "Globex" not in body


def test_text_that_looks_like_a_formula_is_exported_as_text(app, world, login):
    with app.app_context():
        db.session.get(Project, world.project_a).name = '=HYPERLINK("http://x")'
        db.session.commit()
    rows = read_csv(login(World.CSM).get("/projects/export.csv"))
    assert '\'=HYPERLINK("http://x")' in {row["Project"] for row in rows}


def test_an_unknown_export_format_is_not_found(world, login):
    assert login(World.CSM).get("/projects/export.pdf").status_code == 404


def test_exports_need_a_signed_in_user(client, world):
    response = client.get("/overdue/export.csv")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_each_page_offers_its_exports(world, login):
    client = login(World.CSM)
    pages = {
        "/projects": "/projects/export.xlsx",
        f"/projects/{world.project_a}?party=client": f"/projects/{world.project_a}/export.csv",
        "/overdue?party=infor": "/overdue/export.csv?party=infor",
    }
    for page, export in pages.items():
        assert export in client.get(page).get_data(as_text=True)


# --- times in the time zone of the person who exports ----------------------------------------

COMPLETED = datetime(2026, 12, 5, 13, 29)  # naive UTC, as stored


@pytest.fixture
def completed_item(app, world):
    """An item of project A completed at COMPLETED; the CSM reads times in Paris."""
    with app.app_context():
        csm = db.session.get(User, world.csm)
        csm.time_zone = "Europe/Paris"
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        with recorded_at(COMPLETED):
            factories.change(item, actor=csm, status=Status.DONE)
        db.session.commit()
        return item.id


def test_checklist_csv_gives_completion_times_in_the_exporters_zone(world, completed_item, login):
    rows = read_csv(login(World.CSM).get(f"/projects/{world.project_a}/export.csv"))

    done = [row for row in rows if row["Completed at (Europe/Paris)"]]
    assert [row["Completed at (Europe/Paris)"] for row in done] == ["2026-12-05 14:29"]


def test_checklist_xlsx_gives_completion_times_in_the_exporters_zone(world, completed_item, login):
    book = read_xlsx(login(World.CSM).get(f"/projects/{world.project_a}/export.xlsx"))

    cells = []
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        column = header.index("Completed at (Europe/Paris)") + 1
        cells += [row[column - 1] for row in sheet.iter_rows(min_row=2) if row[column - 1].value]
    assert [cell.value for cell in cells] == [datetime(2026, 12, 5, 14, 29)]
    assert cells[0].number_format == "yyyy-mm-dd hh:mm"


def test_a_user_without_a_zone_exports_in_utc(app, world, login):
    rows = read_csv(login(World.CSM).get(f"/projects/{world.project_a}/export.csv"))
    assert "Completed at (UTC)" in rows[0]
