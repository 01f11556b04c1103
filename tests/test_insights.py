"""Pictures of progress (tracker/insights): health marks, "waiting on", the heatmap, the
phase timeline and the burn-down, their text equivalents, who sees what, and their cost.

Tests arrange items by writing due dates, statuses and history straight to the database, so
that every expected number is known.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, time, timedelta
from itertools import combinations, pairwise
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from bench.dashboards import count_queries
from tests import factories
from tests.factories import World
from tracker.checklist.queries import progress_by_project
from tracker.enums import Deployment, Environment, Party, Phase, Status
from tracker.extensions import db
from tracker.insights.charts import (
    FONT,
    GAP,
    LINE,
    DateScale,
    Flag,
    Timeline,
    anchored,
    burndown_chart,
    place_flags,
    text_width,
    timeline,
    wrap,
)
from tracker.insights.health import (
    SOON_DAYS,
    Health,
    HealthCounts,
    health_of,
)
from tracker.insights.queries import (
    Burndown,
    BurndownPoint,
    Cell,
    CellState,
    PhaseSpan,
    burndown,
    heatmap,
    phase_spans,
    progress_and_stats,
    project_stats,
)
from tracker.models import Area, ChecklistItem, Event, Project, Responsibility, User
from tracker.projects.services import archive_project
from tracker.timeutil import today

FAR = 400  # days ahead: after any go-live of these tests


def days(n: int) -> date:
    return today() + timedelta(days=n)


def arrange(project_id: int, plan: list[tuple[int, Status]]) -> list[ChecklistItem]:
    """Give the project's first items the (due in n days, status) of ``plan``; the others
    are open and due far after go-live. Returns the items, in id order."""
    items = factories.items_of(project_id)
    assert len(items) > len(plan)
    for item, (due_in, status) in zip(items, plan, strict=False):
        item.due_date, item.status = days(due_in), status
    for item in items[len(plan) :]:
        item.due_date, item.status = days(FAR), Status.TODO
    db.session.commit()
    return items


def move_go_live(project_id: int, go_live: date, kickoff: date | None = None) -> Project:
    project = db.session.get(Project, project_id)
    project.kickoff_date = kickoff or min(project.kickoff_date, go_live)
    project.go_live_date = go_live
    db.session.commit()
    return project


def health(project_id: int) -> Health:
    project = db.session.get(Project, project_id)
    return project_stats([project], today())[project_id].health


# --- the health rule, on its own -----------------------------------------------------------


def counts(**values) -> HealthCounts:
    return HealthCounts(**values)


# The rule itself is a function of the day it is judged on: judged on a fixed day, so that
# the dates of the cases (computed when the tests are collected) and the day they are
# judged on never straddle a midnight.
RULE_DAY = date(2026, 6, 15)


def day(n: int) -> date:
    return RULE_DAY + timedelta(days=n)


GO_LIVE_FAR = day(60)


@pytest.mark.parametrize(
    ("numbers", "go_live", "expected"),
    [
        (counts(), GO_LIVE_FAR, Health.ON_TRACK),  # no items
        (
            counts(total=10, open=10, by_go_live=10, open_by_go_live=10),
            GO_LIVE_FAR,
            Health.ON_TRACK,
        ),
        # overdue share of the items due so far: 1/10 at risk, 2/10 (the threshold) late
        (counts(total=20, open=11, due_so_far=10, overdue=1), GO_LIVE_FAR, Health.AT_RISK),
        (counts(total=20, open=12, due_so_far=10, overdue=2), GO_LIVE_FAR, Health.LATE),
        (counts(total=20, open=13, due_so_far=11, overdue=2), GO_LIVE_FAR, Health.AT_RISK),
        (counts(total=20, open=13, due_so_far=15, overdue=3), GO_LIVE_FAR, Health.LATE),
        # a single overdue item is never late on the share alone, however few items are due
        (counts(total=20, open=11, due_so_far=2, overdue=1), GO_LIVE_FAR, Health.AT_RISK),
        (counts(total=20, open=11, due_so_far=1, overdue=1), GO_LIVE_FAR, Health.AT_RISK),
        (counts(total=20, open=12, due_so_far=2, overdue=2), GO_LIVE_FAR, Health.LATE),
        # go-live passed: late with items due by then open, else not
        (
            counts(total=20, open=1, due_so_far=19, overdue=1, by_go_live=19, open_by_go_live=1),
            day(-1),
            Health.LATE,
        ),
        (
            counts(total=20, open=1, due_so_far=19, overdue=1, by_go_live=19, open_by_go_live=1),
            day(0),
            Health.AT_RISK,
        ),
        (counts(total=20, open=5, due_so_far=15, by_go_live=15), day(-1), Health.ON_TRACK),
        # go-live soon: more than half of the items due by go-live open
        (counts(total=20, open=11, by_go_live=20, open_by_go_live=11), day(14), Health.AT_RISK),
        (counts(total=20, open=11, by_go_live=20, open_by_go_live=11), day(0), Health.AT_RISK),
        (counts(total=20, open=11, by_go_live=20, open_by_go_live=11), day(15), Health.ON_TRACK),
        (counts(total=20, open=10, by_go_live=20, open_by_go_live=10), day(14), Health.ON_TRACK),
    ],
)
def test_health_rule(numbers, go_live, expected):
    assert health_of(numbers, go_live, RULE_DAY) is expected


# --- the health rule, counted in SQL -------------------------------------------------------

DONE, TODO = Status.DONE, Status.TODO


def test_health_on_track_when_nothing_is_due_yet(ctx, world):
    arrange(world.project_a, [(5, TODO), (10, TODO)])
    assert health(world.project_a) is Health.ON_TRACK


def test_health_at_risk_below_the_late_share_and_late_at_it(ctx, world):
    # 10 items due so far, 9 of them done: 1 overdue (10 %): at risk.
    plan = [(-3, DONE)] * 9 + [(-2, TODO)]
    arrange(world.project_a, plan)
    assert health(world.project_a) is Health.AT_RISK
    # 2 overdue of 10 due so far: exactly the 20 % threshold: late.
    arrange(world.project_a, [(-3, DONE)] * 8 + [(-2, TODO)] * 2)
    assert health(world.project_a) is Health.LATE


def test_health_not_applicable_and_done_items_count_as_due_but_never_overdue(ctx, world):
    plan = [(-3, Status.NOT_APPLICABLE)] * 5 + [(-3, DONE)] * 4 + [(-1, Status.BLOCKED)]
    arrange(world.project_a, plan)
    stats = project_stats([db.session.get(Project, world.project_a)], today())[world.project_a]
    assert (stats.counts.due_so_far, stats.counts.overdue) == (10, 1)
    assert stats.health is Health.AT_RISK


def test_health_late_once_go_live_passed_with_items_due_by_then_open(ctx, world):
    move_go_live(world.project_a, days(-1), kickoff=days(-90))
    # One open item due before go-live among many done: 1/10 overdue, but go-live passed.
    arrange(world.project_a, [(-30, DONE)] * 9 + [(-5, TODO)])
    assert health(world.project_a) is Health.LATE
    # The same project with go-live today is only at risk.
    move_go_live(world.project_a, days(0))
    assert health(world.project_a) is Health.AT_RISK


def test_health_at_risk_when_go_live_is_near_and_most_items_are_open(ctx, world):
    # 4 items due by go-live, 3 open (75 % > 50 %), none overdue.
    plan = [(-3, DONE), (2, TODO), (5, TODO), (10, TODO)]
    move_go_live(world.project_a, days(SOON_DAYS))
    arrange(world.project_a, plan)
    assert health(world.project_a) is Health.AT_RISK
    move_go_live(world.project_a, days(SOON_DAYS + 1))
    assert health(world.project_a) is Health.ON_TRACK
    # Half open (2 of 4) is not more than half: on track, go-live near or not.
    move_go_live(world.project_a, days(SOON_DAYS))
    arrange(world.project_a, [(-3, DONE), (-1, DONE), (5, TODO), (10, TODO)])
    assert health(world.project_a) is Health.ON_TRACK


# --- waiting on ---------------------------------------------------------------------------


def test_waiting_on_counts_open_items_and_days_overdue_per_party(ctx, world):
    items = factories.items_of(world.project_b)
    by_party: dict[Party, list[ChecklistItem]] = {}
    for item in items:
        item.due_date, item.status = days(30), Status.DONE
        by_party.setdefault(item.party, []).append(item)
    client, ims, infor = by_party[Party.CLIENT], by_party[Party.IMS], by_party[Party.INFOR]
    # client: overdue by 3 and 12 days, one open not yet due; IMS: overdue by 1 (blocked)
    client[0].due_date, client[0].status = days(-3), Status.TODO
    client[1].due_date, client[1].status = days(-12), Status.IN_PROGRESS
    client[2].due_date, client[2].status = days(4), Status.TODO
    ims[0].due_date, ims[0].status = days(-1), Status.BLOCKED
    infor[0].due_date, infor[0].status = days(0), Status.TODO  # due today: not overdue
    db.session.commit()

    stats = project_stats([db.session.get(Project, world.project_b)], today())[world.project_b]
    waiting = {
        party: (w.open, w.overdue, w.days_late, w.max_days_late)
        for party, w in stats.waiting.items()
    }
    assert waiting == {
        Party.INFOR: (1, 0, 0, 0),
        Party.CLIENT: (3, 2, 15, 12),
        Party.IMS: (1, 1, 1, 1),
    }
    assert list(stats.waiting) == [Party.INFOR, Party.CLIENT, Party.IMS]  # Party order
    assert [party for party, _ in stats.slipping] == [Party.CLIENT, Party.IMS]


def test_the_pages_progress_with_the_health_is_the_progress_counted_alone(ctx, world):
    """The portfolio and the project page read progress and health in one statement
    (progress_and_stats); the exports and the API count progress alone: the same numbers."""
    items = factories.items_of(world.project_b)
    for n, item in enumerate(items):
        item.due_date = days(n % 7 - 3)
        item.status = list(Status)[n % len(Status)]
        item.reason = "Because." if item.status.needs_reason else None
    db.session.commit()
    projects = [db.session.get(Project, pid) for pid in (world.project_a, world.project_b)]

    together, _ = progress_and_stats(projects, today())

    assert together == progress_by_project([world.project_a, world.project_b], today())
    assert together[world.project_b].overdue > 0


def test_waiting_on_table_on_the_project_page(app, world, login):
    with app.app_context():
        items = arrange(world.project_a, [])
        open_client = sum(1 for item in items if item.party is Party.CLIENT)
        client_item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        client_item.due_date = days(-6)
        db.session.commit()
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    table = re.search(r'data-testid="waiting-on".*?</table>', html, re.S).group(0)
    row = re.search(r'data-party="client".*?</tr>', table, re.S).group(0)
    cells = re.findall(r"<td>(?:<span[^>]*><span[^>]*></span></span>\s*)?(\d+)</td>", row)
    assert cells == [str(open_client), "1", "6", "6"]
    assert "Most delay sits with the client:" in html


# --- the heatmap ---------------------------------------------------------------------------


def area_items(project_id: int) -> dict[str, list[ChecklistItem]]:
    rows = db.session.execute(
        sa.select(ChecklistItem, Area.key)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .where(ChecklistItem.project_id == project_id)
        .order_by(ChecklistItem.id)
    )
    found: dict[str, list[ChecklistItem]] = {}
    for item, key in rows:
        found.setdefault(key, []).append(item)
    return found


def test_heatmap_cell_states(ctx, world):
    arrange(world.project_a, [])  # everything open, due far ahead
    areas = area_items(world.project_a)
    late, risk, done = "customer_welcome", "provisioning", "implementation"
    open_ = next(key for key in areas if key not in (late, risk, done))
    for item in areas[late]:
        item.status = Status.DONE
    areas[late][0].status, areas[late][0].due_date = Status.BLOCKED, days(-1)
    areas[risk][0].due_date = days(7)  # the last day of "due soon"
    for item in areas[done]:
        item.status = Status.DONE
    areas[done][-1].status = Status.NOT_APPLICABLE
    db.session.commit()

    project = db.session.get(Project, world.project_a)
    grid = heatmap([project], today(), 7)
    assert len(grid.columns) == 14
    states = {key: grid.cell(project.id, key).state for key in (c.key for c in grid.columns)}
    assert states[late] is CellState.LATE
    assert states[risk] is CellState.AT_RISK
    assert states[done] is CellState.DONE
    assert states[open_] is CellState.OPEN
    assert all(state is not CellState.NONE for state in states.values())  # an item in each
    assert grid.cell(project.id, late) == Cell(total=len(areas[late]), open=1, overdue=1)

    # Due in 8 days is beyond "due soon": open, on track.
    areas[risk][0].due_date = days(8)
    db.session.commit()
    assert heatmap([project], today(), 7).cell(project.id, risk).state is CellState.OPEN


def test_heatmap_cell_without_items(ctx, world):
    # High availability applies to multi-tenant deployments only, monitoring not to PRE-PROD.
    project = factories.project(
        world.customer_a,
        world.csm,
        name="Single-tenant pilot",
        deployment=Deployment.SINGLE_TENANT,
        environment=Environment.PRE_PROD,
    )
    grid = heatmap([project], today(), 7)
    assert grid.cell(project.id, "high_availability") == Cell()
    assert grid.cell(project.id, "high_availability").state is CellState.NONE
    assert grid.cell(project.id, "monitoring").state is CellState.NONE
    assert grid.cell(project.id, "customer_welcome").state is not CellState.NONE


def heatmap_rows(html: str) -> list[int]:
    return [int(pid) for pid in re.findall(r'<tr data-project="(\d+)"', html)]


@pytest.mark.parametrize(
    ("email", "sees_a", "sees_b"),
    [
        (World.ADMIN, True, True),
        (World.CSM, True, True),
        (World.CLIENT_A, True, False),
        (World.CLIENT_B, False, True),
        (World.IMS, False, True),
        (World.PARTNER, False, True),
        (World.OTHER_PARTNER, False, False),
    ],
)
def test_heatmap_shows_only_the_projects_one_may_see(world, login, email, sees_a, sees_b):
    response = login(email).get("/insights/heatmap")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = [pid for pid, seen in ((world.project_a, sees_a), (world.project_b, sees_b)) if seen]
    assert sorted(heatmap_rows(html)) == sorted(expected)
    if not sees_b:
        assert "Globex" not in html
    if not sees_a:
        assert "Acme" not in html


def test_heatmap_filters_by_customer_and_csm(world, login):
    client = login(World.ADMIN)
    html = client.get(f"/insights/heatmap?customer={world.customer_b}").get_data(as_text=True)
    assert heatmap_rows(html) == [world.project_b]
    html = client.get(f"/insights/heatmap?csm={world.other_csm}").get_data(as_text=True)
    assert heatmap_rows(html) == []
    html = client.get("/insights/heatmap?customer=nonsense").get_data(as_text=True)
    assert len(heatmap_rows(html)) == 2


def test_heatmap_paginates(app, world, login, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    client = login(World.CSM)
    first = heatmap_rows(client.get("/insights/heatmap").get_data(as_text=True))
    second = heatmap_rows(client.get("/insights/heatmap?page=2").get_data(as_text=True))
    assert len(first) == len(second) == 1 and first != second


def test_heatmap_cells_and_legend_have_text_and_link_to_the_area(app, world, login):
    with app.app_context():
        arrange(world.project_a, [])
        item = factories.item_of(world.project_a, "welcome_customer")
        item.due_date = days(-2)
        db.session.commit()
    html = login(World.CSM).get("/insights/heatmap").get_data(as_text=True)
    legend = re.search(r'data-testid="heatmap-legend".*?</ul>', html, re.S).group(0)
    for words in ("Late", "At risk", "Open, on track", "All done", "No items"):
        assert words in legend
    cell = re.search(
        rf'<tr data-project="{world.project_a}".*?data-area="customer_welcome"[^>]*>(.*?)</td>',
        html,
        re.S,
    ).group(1)
    assert 'data-state="late"' in re.search(
        rf'<tr data-project="{world.project_a}".*?data-area="customer_welcome"[^>]*>', html, re.S
    ).group(0)
    assert f'href="/projects/{world.project_a}?area=customer_welcome#items"' in cell
    assert '<span class="visually-hidden">Late: 1 overdue</span>' in cell


def test_project_page_filters_by_area(app, world, login):
    client = login(World.CSM)
    with app.app_context():
        areas = area_items(world.project_a)
    html = client.get(f"/projects/{world.project_a}?area=provisioning").get_data(as_text=True)
    shown = set(map(int, re.findall(r'id="item-(\d+)"', html)))
    assert shown == {item.id for item in areas["provisioning"]}
    csv = client.get(f"/projects/{world.project_a}/export.csv?area=provisioning")
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 1 + len(areas["provisioning"])
    # An unknown or malformed area is ignored.
    html = client.get(f"/projects/{world.project_a}?area=Robert');--").get_data(as_text=True)
    assert len(re.findall(r'id="item-(\d+)"', html)) == sum(len(v) for v in areas.values())


# --- the phase timeline --------------------------------------------------------------------


def project_spans(project: Project) -> list:
    return phase_spans(progress_by_project([project.id], today())[project.id])


def test_phase_spans_are_the_min_and_max_due_dates_with_progress(ctx, world):
    project = db.session.get(Project, world.project_a)
    items = {i.id: i for i in factories.items_of(project.id)}
    spans = {span.phase: span for span in project_spans(project)}
    rows = db.session.execute(
        sa.select(ChecklistItem.id, Responsibility.phase)
        .join(Responsibility)
        .where(ChecklistItem.project_id == project.id)
    ).all()
    for phase, span in spans.items():
        dues = [items[i].due_date for i, p in rows if p is phase]
        assert (span.first_due, span.last_due, span.total) == (
            (min(dues), max(dues), len(dues)) if dues else (None, None, 0)
        )
        assert span.overdue == sum(1 for d in dues if d < today())


def svg(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}".*?</svg>', html, re.S).group(0)


def test_timeline_has_today_the_milestones_and_each_phase(app, world, login):
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    timeline = svg(html, "timeline")
    for key in ("kickoff", "go_live", "today"):
        assert f'data-milestone="{key}"' in timeline
    assert 'data-milestone="archived"' not in timeline
    for phase in ("onboarding", "provisioning", "implementation", "go_live", "operations"):
        assert f'data-phase="{phase}"' in timeline
    assert 'role="img"' in timeline and 'aria-labelledby="timeline-title timeline-desc"' in timeline
    assert re.search(r'<title id="timeline-title">[^<]+</title>', timeline)
    assert "Today" in re.search(r"<desc[^>]*>(.*?)</desc>", timeline, re.S).group(1)
    assert 'viewBox="0 0 ' in timeline and 'width="100%"' in timeline
    # The today line sits between kickoff (30 days ago) and go-live (in 60 days).
    xs = {
        key: float(x)
        for key, x in re.findall(r'data-milestone="(\w+)">\s*<line x1="([\d.]+)"', timeline)
    }
    assert xs["kickoff"] < xs["today"] < xs["go_live"]


def test_timeline_marks_the_archive_date(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        archive_project(project, actor=db.session.get(User, world.csm))
        db.session.commit()
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert 'data-milestone="archived"' in svg(html, "timeline")


def test_timeline_table_repeats_the_numbers(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        spans = project_spans(project)
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    figure = re.search(r'data-testid="timeline".*?</figure>', html, re.S).group(0)
    assert "Show as table" in figure
    for span in spans:
        if span.total:
            assert f"{span.closed} / {span.total} ({span.percent}%)" in figure  # English: no space


# --- the burn-down -------------------------------------------------------------------------


def status_event(item: ChecklistItem, old: Status, new: Status, on: date) -> None:
    db.session.add(
        Event(
            project_id=item.project_id,
            item_id=item.id,
            created_at=datetime.combine(on, time(10, 30)),
            action="item.status",
            field="status",
            old_value=old.value,
            new_value=new.value,
        )
    )
    item.status = new


def constructed_history(project_id: int) -> tuple[Project, list[ChecklistItem]]:
    """Project created 40 days ago (before its kickoff, 30 days ago), one item added 10 days
    ago; closings, a reopening and changes that neither open nor close."""
    project = db.session.get(Project, project_id)
    project.created_at = datetime.combine(days(-40), time(9))
    db.session.execute(
        sa.update(ChecklistItem)
        .where(ChecklistItem.project_id == project_id)
        .values(created_at=datetime.combine(days(-40), time(9)))
    )
    items = factories.items_of(project_id)
    items[0].created_at = datetime.combine(days(-10), time(15))  # added later
    status_event(items[1], Status.TODO, Status.DONE, days(-25))
    status_event(items[2], Status.TODO, Status.IN_PROGRESS, days(-20))  # still open
    status_event(items[2], Status.IN_PROGRESS, Status.DONE, days(-15))
    status_event(items[3], Status.TODO, Status.NOT_APPLICABLE, days(-15))
    status_event(items[3], Status.NOT_APPLICABLE, Status.TODO, days(-5))  # reopened
    status_event(items[4], Status.TODO, Status.DONE, days(-5))
    status_event(items[4], Status.DONE, Status.NOT_APPLICABLE, days(-2))  # closed to closed
    db.session.commit()
    return project, items


def test_burndown_actual_follows_the_history_and_plan_the_due_dates(ctx, world):
    project, items = constructed_history(world.project_a)
    total = len(items)
    data = burndown(project, today())
    assert (data.start, data.today, data.total) == (days(-40), today(), total)
    assert data.end == max([project.go_live_date, *(i.due_date for i in items)])
    expected_actual = {
        days(-40): total - 1,  # every item but the one added later
        days(-26): total - 1,
        days(-25): total - 2,
        days(-20): total - 2,
        days(-15): total - 4,
        days(-11): total - 4,
        days(-10): total - 3,  # the added item
        days(-5): total - 3,  # one reopened, one closed
        days(-2): total - 3,
        days(0): total - 3,
    }
    assert {day: data.at(day).actual for day in expected_actual} == expected_actual
    assert data.at(days(0)).actual == sum(1 for i in factories.items_of(project.id) if i.is_open)
    assert data.at(days(1)).actual is None
    for day in (days(-40), days(-12), days(0), days(10), project.go_live_date, data.end):
        assert data.at(day).plan == sum(1 for i in items if i.due_date > day), day
    assert data.points[-1].plan == 0
    days_listed = [p.day for p in data.points]
    assert days_listed == sorted(set(days_listed))


def test_burndown_table_and_svg_on_the_project_page(app, world, login):
    with app.app_context():
        project, _ = constructed_history(world.project_a)
        data = burndown(project, today())
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    chart = svg(html, "burndown")
    assert 'role="img"' in chart and "<desc" in chart
    assert 'class="burndown-plan" d="M' in chart and 'class="burndown-actual" d="M' in chart
    assert 'data-milestone="today"' in chart
    table = re.search(r'data-testid="burndown-table".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</th>\s*<td>(.*?)</td><td>(\d+)</td></tr>", table)
    assert rows == [("—" if p.actual is None else str(p.actual), str(p.plan)) for p in data.points]


def test_burndown_reads_three_queries_whatever_the_history(ctx, world):
    project = db.session.get(Project, world.project_a)
    with count_queries(db.engine) as few:
        burndown(project, today())
    constructed_history(world.project_a)
    project = db.session.get(Project, world.project_a)
    with count_queries(db.engine) as many:
        burndown(project, today())
    assert few["n"] == many["n"] == 3


# --- the charts' layout: text in its own bands, inside the viewBox --------------------------

D = date(2026, 11, 28)  # "today" of the layout tests


def fake_project(kickoff: int, go_live: int, archived: int | None = None) -> SimpleNamespace:
    """What ``timeline`` reads of a project, dates in days from D."""
    return SimpleNamespace(
        kickoff_date=D + timedelta(days=kickoff),
        go_live_date=D + timedelta(days=go_live),
        archived_at=None if archived is None else datetime.combine(D + timedelta(archived), time()),
    )


def spans_between(first: int, last: int, overdue: int = 0) -> list[PhaseSpan]:
    """A span per phase, each a fifth of ``first``..``last`` (days from D); the last empty."""
    phases = list(Phase)
    step = (last - first) // len(phases)
    spans = [
        PhaseSpan(
            phase,
            D + timedelta(first + i * step),
            D + timedelta(first + (i + 1) * step),
            total=12,
            closed=5,
            overdue=overdue,
        )
        for i, phase in enumerate(phases[:-1])
    ]
    return [*spans, PhaseSpan(phases[-1])]


def assert_laid_out(chart: Timeline) -> None:
    """Every label inside the viewBox and on its own band; milestone labels beside their own
    line, apart from each other, and crossed by no other milestone's line."""
    extents = {}
    for m in chart.milestones:
        extent = anchored(m.label_x, text_width(m.label), m.anchor)
        assert extent.left >= 0 and extent.right <= chart.width, m
        assert m.label_y < chart.top  # the band on top
        assert m.line_top < m.label_y  # the line reaches up beside its label ...
        assert m.label_x == round(m.x + (GAP if m.anchor == "start" else -GAP), 1)  # ... there
        extents[m.key] = extent
    for a, b in combinations(chart.milestones, 2):
        if a.label_y == b.label_y:
            assert not extents[a.key].overlaps(extents[b.key]), (a.label, b.label)
        else:
            upper, lower = (a, b) if a.label_y < b.label_y else (b, a)
            assert not extents[lower.key].holds(upper.x), (upper.label, lower.label)
    bottom = chart.top
    for bar in chart.bars:
        assert bar.lines and bar.lines[0].y - FONT >= bottom  # below the previous bar ...
        for line in bar.lines:
            assert chart.label_x + text_width(line.text) <= chart.width, line.text
        assert bar.lines[-1].y + 4 <= bar.y  # ... and above its own, descenders included
        assert bar.x >= 0 and bar.x + bar.width <= chart.width
        bottom = bar.y + chart.bar_height
    assert bottom <= chart.axis_y < chart.height


@pytest.mark.parametrize(
    "project",
    [
        fake_project(-110, 25),  # the demo's: today and go-live close together
        fake_project(-30, 60),
        fake_project(-2, 3),  # all three within a few days
        fake_project(0, 0),  # on the same day
        fake_project(-200, -1, archived=-3),  # four, crowded at the right edge
        fake_project(5, 300),  # today before kickoff, at the left edge
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_timeline_labels_stay_in_their_bands_and_the_view_box(app, project, language):
    with app.test_request_context(), force_locale(language):
        chart = timeline(project, spans_between(-120, 120, overdue=3), D)
    assert_laid_out(chart)


def test_timeline_of_the_project_page_is_laid_out(ctx, world):
    project = db.session.get(Project, world.project_a)
    assert_laid_out(timeline(project, project_spans(project), today()))


def test_close_milestones_stack_into_two_rows_each_beside_its_line(app):
    # The demo project on a phone: kickoff far left, today and go-live 52 units apart.
    flags = [Flag(4, 110), Flag(216, 100), Flag(268, 160)]
    placed = place_flags(flags)
    assert [(p.row, p.anchor) for p in placed] == [(0, "start"), (0, "start"), (1, "start")]
    # No room right of the go-live line: its label goes left of it, and clear of today's
    # line and label.
    flags = [Flag(4, 110), Flag(216, 100), Flag(300, 160)]
    placed = place_flags(flags)
    assert placed[2].anchor == "end"
    for (a, pa), (b, pb) in combinations(zip(flags, placed, strict=True), 2):
        if pa.row == pb.row:
            assert not pa.extent.overlaps(pb.extent)
        else:  # a line runs down from its own label's row
            (upper, _), (_, lower) = sorted([(a, pa), (b, pb)], key=lambda f: f[1].row)
            assert not lower.extent.holds(upper.x)
    for flag, p in zip(flags, placed, strict=True):
        assert p.extent.left >= 0 and p.extent.right <= 440
        assert (p.extent.left > flag.x) == (p.anchor == "start")
    # Far apart, one row and every label right of its line.
    placed = place_flags([Flag(4, 80), Flag(200, 80), Flag(300, 80)])
    assert {(p.row, p.anchor) for p in placed} == {(0, "start")}
    # At the right edge, the label goes left of its line.
    (last,) = place_flags([Flag(430, 80)])
    assert last.anchor == "end" and last.extent.right == 426


def test_long_phase_labels_wrap_before_the_overdue_count(app):
    parts = ["Mise en production : 12 sur 19 clôturées (100 %)", "10 en retard"]
    assert text_width(" · ".join(parts)) > 428 > text_width(parts[0])
    assert wrap(parts, 428) == parts
    assert wrap(parts, 600) == [" · ".join(parts)]
    assert wrap(["short", "also short"], 300) == ["short · also short"]


def test_date_labels_are_medium_and_show_the_year_only_when_needed(app):
    with app.test_request_context(), force_locale("en"):
        within = [t.label for t in DateScale(date(2026, 3, 1), date(2026, 9, 1), 4, 436).ticks()]
        across = [t.label for t in DateScale(date(2026, 8, 10), date(2027, 3, 24), 4, 436).ticks()]
        chart = timeline(fake_project(-110, 25), spans_between(-110, 110), D)
    assert within[0] == "Mar 1" and not any(re.search(r"\d{4}", label) for label in within)
    assert across[0] == "Aug 10, 2026"
    assert [bool(re.search(r"\d{4}", label)) for label in across].count(True) == 2  # + 2027
    assert any(label.endswith(", 2027") for label in across)
    # Milestones: the year only for another year than today's; in full in the description.
    labels = {m.key: (m.label, m.description) for m in chart.milestones}
    assert labels["today"] == ("Today Nov 28", "Today Nov 28, 2026")
    assert labels["kickoff"][0] == "Kickoff Aug 10"
    with app.test_request_context(), force_locale("fr"):
        french = [t.label for t in DateScale(date(2026, 8, 10), date(2026, 12, 1), 4, 436).ticks()]
    assert french[0] == "10 août"


def test_burndown_labels_stay_inside_the_view_box(app):
    data = Burndown(
        start=D - timedelta(100),
        end=D + timedelta(100),
        today=D,
        total=1234,
        points=[BurndownPoint(D - timedelta(100), 1234, 1234), BurndownPoint(D, 600, 900)],
    )
    with app.test_request_context(), force_locale("fr"):
        chart = burndown_chart(data)
    today_label = anchored(chart.today.label_x, text_width(chart.today.label), chart.today.anchor)
    assert today_label.left >= 0 and today_label.right <= chart.width
    assert chart.today.label_y + 4 <= chart.top - FONT / 2  # above the highest number
    for tick in chart.y_ticks:  # the numbers, right-aligned left of the plot
        assert chart.left - 4 - text_width(tick.label) >= 0
    extents = [anchored(t.x, text_width(t.label), t.anchor) for t in chart.ticks]
    assert extents[0].left >= 0 and extents[-1].right <= chart.width
    assert all(not a.overlaps(b) for a, b in pairwise(extents))
    assert chart.height >= chart.bottom + LINE


# --- the portfolio -------------------------------------------------------------------------


def test_portfolio_shows_health_waiting_on_and_the_rule(app, world, login):
    with app.app_context():
        arrange(world.project_a, [(-3, DONE)] * 8 + [(-2, TODO)] * 2)  # late (20 %)
        arrange(world.project_b, [(3, TODO)])  # on track
    html = login(World.CSM).get("/projects").get_data(as_text=True)
    marks = re.findall(r'data-testid="health"><span class="health health-(\w+)"', html)
    assert sorted(marks) == ["late", "on_track"]
    assert "How health is judged" in html
    for threshold in (
        "2 or more items are overdue and they make at least 20 % of the items due so far",
        "the go-live is 14 days away or less and more than 50 % of the items due by go-live",
    ):
        assert threshold in html
    assert "/insights/heatmap" in html
    late = re.findall(r"(\d+) late</strong>\s*\((\d+) days?\)", html)
    assert (sum(int(n) for n, _ in late), sum(int(d) for _, d in late)) == (2, 4)


# --- the cost: a fixed number of queries per page ------------------------------------------


def statements_for(app, client, url: str) -> int:
    with app.app_context(), count_queries(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements["n"]


@pytest.mark.parametrize("url", ["/projects", "/insights/heatmap", "project"])
def test_pages_read_a_fixed_number_of_queries_as_projects_grow(app, world, login, url):
    client = login(World.CSM)
    page = f"/projects/{world.project_b}" if url == "project" else url
    client.get(page)  # warm up (first-request work)
    few = statements_for(app, client, page)
    with app.app_context():
        for number in range(4):
            project = factories.project(world.customer_a, world.csm, name=f"More {number}")
            constructed_history(project.id)
        constructed_history(world.project_b)
    many = statements_for(app, client, page)
    assert many == few


def test_adding_health_counts_sums_every_field():
    names = [f.name for f in dataclasses.fields(HealthCounts)]
    total = HealthCounts(**dict.fromkeys(names, 1))
    total.add(*range(1, len(names) + 1))
    assert [getattr(total, name) for name in names] == list(range(2, len(names) + 2))
