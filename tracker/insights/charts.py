"""Geometry of the SVG charts, in the charts' own coordinates (the ``viewBox``).

Templates draw the shapes (templates/insights/); this module only places them, so that the
numbers drawn and the numbers in the charts' tables come from the same objects.

Each SVG is drawn at 100 % of its container's width, from about 360 px on a phone up to
the 36rem (576 px) that charts.css allows. One SVG serves both, so its text scales with it:
at WIDTH 440 and FONT 14 the text is about 11.5 px high on a phone. (A wider viewBox would
make it smaller still: 13 units in 640 are 7 px there.) The layout is made for that size;
from 576 px wide charts.css draws the text at 12.5 units (16 px), which fits wherever the
larger text did, since each label keeps its anchor and only gets shorter.

Text never sits on a bar: each phase has a band for its label above its bar, and the
milestones' labels have their own band at the top, in rows, each label beside its own
line and inside the viewBox. Where a label goes depends on how wide its text is, which
only the browser knows: ``text_width`` estimates it generously (DejaVu Sans, a wide font).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale, gettext

from tracker.insights.queries import Burndown, PhaseSpan
from tracker.models import Project

WIDTH = 440  # viewBox units; the SVG is drawn at 100 % of its container's width
FONT = 14  # font size, in viewBox units
LINE = FONT + 6  # height of a row of text
EDGE = 4  # margin between the drawing and the viewBox's left and right sides
GAP = 4  # between a milestone's line and its label
TICKS = (4, 3, 2)  # intervals on a date axis: the most whose labels do not collide

# Advance widths in em, about those of DejaVu Sans (wider than most interface fonts).
_NARROW = set(" .,:;'!|()[]/·-ijlftrI\u00a0\u202f")
_WIDE = set("mwMW%@—")


def text_width(text: str, font: float = FONT) -> float:
    """An estimate, on the generous side, of the width of ``text`` in viewBox units."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.36
        elif char in _WIDE:
            em += 0.95
        elif char.isupper() or char.isdigit():
            em += 0.7
        else:
            em += 0.62
    return round(em * font, 1)


def day_label(day: date, with_year: bool = False) -> str:
    """A day in the page's language, medium length: "Aug 10" (or "Aug 10, 2026"), "10 août"."""
    return _skeleton("yMMMd" if with_year else "MMMd", day, get_locale())


def _skeleton(skeleton: str, day: date, locale) -> str:
    return format_skeleton(skeleton, day, locale=locale)


def full_date(day: date) -> str:
    return format_date(day, "medium")


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str  # text-anchor: start, middle or end


@dataclass(frozen=True)
class Extent:
    left: float
    right: float

    def overlaps(self, other: Extent, gap: float = 0) -> bool:
        return self.left < other.right + gap and other.left < self.right + gap

    def holds(self, x: float, gap: float = 0) -> bool:
        return self.left - gap <= x <= self.right + gap


def anchored(x: float, width: float, anchor: str) -> Extent:
    """Where text of ``width`` drawn at ``x`` with ``text-anchor: anchor`` lies."""
    if anchor == "start":
        return Extent(x, x + width)
    if anchor == "end":
        return Extent(x - width, x)
    return Extent(x - width / 2, x + width / 2)


class DateScale:
    """Days ``start``..``end`` (inclusive) over ``left``..``right``."""

    def __init__(self, start: date, end: date, left: float, right: float) -> None:
        self.start, self.end = start, end
        self.left, self.right = left, right
        self.days = max((end - start).days, 1)

    @property
    def one_year(self) -> bool:
        """Whether every day of the scale falls in one calendar year: labels then omit it."""
        return self.start.year == self.end.year

    def x(self, day: date) -> float:
        offset = (day - self.start).days
        return round(self.left + (self.right - self.left) * offset / self.days, 1)

    def ticks(self) -> list[Tick]:
        """Evenly spaced days, as many as fit; the year on the first and at each new year."""
        for count in TICKS:
            ticks = self._ticks(count)
            extents = [anchored(t.x, text_width(t.label), t.anchor) for t in ticks]
            if all(not a.overlaps(b, gap=FONT / 2) for a, b in itertools.pairwise(extents)):
                break
        return ticks

    def _ticks(self, count: int) -> list[Tick]:
        days = sorted(
            {self.start + timedelta(days=round(self.days * k / count)) for k in range(count + 1)}
        )
        last = len(days) - 1
        ticks = []
        for i, day in enumerate(days):
            with_year = not self.one_year and (i == 0 or day.year != days[i - 1].year)
            anchor = "start" if i == 0 else ("end" if i == last else "middle")
            ticks.append(Tick(self.x(day), day_label(day, with_year), anchor))
        return ticks


@dataclass(frozen=True)
class Milestone:
    key: str  # kickoff, go_live, today, archived: the CSS class of its line
    name: str
    label: str  # the name and the day, as drawn
    description: str  # the name and the full date, for the SVG's <desc>
    day: date
    x: float  # the line
    label_x: float
    label_y: float  # the baseline
    line_top: float  # the line runs from beside its label down to the axis
    anchor: str  # start: the label right of its line; end: left of it


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: float  # the baseline


@dataclass(frozen=True)
class PhaseBar:
    span: PhaseSpan
    label: str
    lines: list[LabelLine]  # the label as drawn, in the band above the bar: a line or two
    y: float
    x: float = 0
    width: float = 0
    done_width: float = 0


@dataclass
class Timeline:
    width: int
    height: int
    font: int
    bar_height: int
    axis_y: float
    top: float  # where the phases' rows, and the grid, begin
    label_x: float  # phase labels start there
    milestones: list[Milestone]
    bars: list[PhaseBar]
    ticks: list[Tick]
    spans: list[PhaseSpan] = field(default_factory=list)

    @property
    def today(self) -> Milestone:
        return next(m for m in self.milestones if m.key == "today")


def _milestones(project: Project, today: date) -> list[tuple[str, str, date]]:
    found = [
        ("kickoff", gettext("Kickoff"), project.kickoff_date),
        ("go_live", gettext("Target go-live"), project.go_live_date),
        ("today", gettext("Today"), today),
    ]
    if project.archived_at is not None:
        found.append(("archived", gettext("Archived"), project.archived_at.date()))
    return sorted(found, key=lambda m: m[2])


def _phase_label(span: PhaseSpan) -> list[str]:
    """The parts of a phase's label, to be joined with " · "."""
    if not span.total:
        return [gettext("%(phase)s: no items", phase=span.phase.label)]
    parts = [
        gettext(
            "%(phase)s: %(closed)d of %(total)d closed (%(percent)d %%)",
            phase=span.phase.label,
            closed=span.closed,
            total=span.total,
            percent=span.percent,
        )
    ]
    if span.overdue:
        parts.append(gettext("%(count)d overdue", count=span.overdue))
    return parts


def wrap(parts: list[str], width: float, separator: str = " · ") -> list[str]:
    """``parts`` joined by ``separator`` into as few lines as fit in ``width``."""
    lines = [parts[0]]
    for part in parts[1:]:
        joined = lines[-1] + separator + part
        if text_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


# --- milestone labels ----------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A label to hang on a vertical line at ``x``."""

    x: float
    width: float


@dataclass(frozen=True)
class Placement:
    row: int
    anchor: str
    extent: Extent


def _placements(flag: Flag, rows: int, width: float) -> list[Placement]:
    found = []
    for row in range(rows):
        for anchor, x in (("start", flag.x + GAP), ("end", flag.x - GAP)):
            extent = anchored(x, flag.width, anchor)
            if extent.left >= 0 and extent.right <= width:
                found.append(Placement(row, anchor, extent))
    return found


def _clash(a: Flag, pa: Placement, b: Flag, pb: Placement) -> bool:
    if pa.row == pb.row:
        return pa.extent.overlaps(pb.extent, gap=FONT / 2)
    # A line runs from its own row down: through the labels of the rows below it.
    upper, lower = (a, pb) if pa.row < pb.row else (b, pa)
    return lower.extent.holds(upper.x, gap=GAP / 2)


def place_flags(flags: list[Flag], width: float = WIDTH) -> list[Placement]:
    """Rows and sides for labels on vertical lines: inside ``0..width``, apart from each
    other and crossed by no other line; as few rows as that takes, labels right of their
    lines where possible. (Four labels at most: trying every arrangement is cheap.)"""
    options = [_placements(flag, len(flags), width) for flag in flags]
    best, best_cost = None, None
    for choice in itertools.product(*options):
        pairs = itertools.combinations(zip(flags, choice, strict=True), 2)
        if any(_clash(a, pa, b, pb) for (a, pa), (b, pb) in pairs):
            continue
        rows = {p.row for p in choice}
        cost = (
            max(rows) + 1,
            sum(p.anchor == "end" for p in choice),
            sum(p.row for p in choice),
        )
        if best_cost is None or cost < best_cost:
            best, best_cost = list(choice), cost
    if best is not None:
        return best
    # Too crowded to avoid every clash: a row each, on whichever side has room.
    placed = []
    for row, flag in enumerate(flags):
        start = anchored(flag.x + GAP, flag.width, "start")
        if start.right <= width or flag.x < width / 2:
            placed.append(Placement(row, "start", start))
        else:
            placed.append(Placement(row, "end", anchored(flag.x - GAP, flag.width, "end")))
    return placed


def _text_x(placement: Placement) -> float:
    return placement.extent.left if placement.anchor == "start" else placement.extent.right


def milestone_text(name: str, day: str) -> str:
    """A milestone's label, e.g. "Today Nov 28", in the reader's word order."""
    return gettext("%(milestone)s %(date)s", milestone=name, date=day)


# --- the timeline --------------------------------------------------------------------------


def timeline(project: Project, spans: list[PhaseSpan], today: date) -> Timeline:
    """Phases laid over time (each from its first to its last due date), the milestones and
    a line for today."""
    marks = _milestones(project, today)
    days = [m[2] for m in marks]
    days += [d for s in spans for d in (s.first_due, s.last_due) if d is not None]
    # The last day's bar ends at the end of that day.
    scale = DateScale(min(days), max(days) + timedelta(days=1), EDGE, WIDTH - EDGE)

    labels = [
        milestone_text(name, day_label(day, not scale.one_year and day.year != today.year))
        for _, name, day in marks
    ]
    flags = [
        Flag(scale.x(day), text_width(label))
        for (_, _, day), label in zip(marks, labels, strict=True)
    ]
    placements = place_flags(flags)
    milestones = []
    for (key, name, day), label, flag, placed in zip(marks, labels, flags, placements, strict=True):
        baseline = placed.row * LINE + FONT
        milestones.append(
            Milestone(
                key=key,
                name=name,
                label=label,
                description=milestone_text(name, full_date(day)),
                day=day,
                x=flag.x,
                label_x=_text_x(placed),
                label_y=baseline,
                line_top=baseline - FONT + 2,
                anchor=placed.anchor,
            )
        )

    # Each phase: a band for its label (a line, or two if too long), its bar, then a gap.
    top = (max(p.row for p in placements) + 1) * LINE + 8
    label_x = EDGE + GAP  # clear of a kickoff line at the left edge
    bar_height, bar_gap = 14, 10
    bars = []
    y = top
    for span in spans:
        parts = _phase_label(span)
        texts = wrap(parts, WIDTH - label_x - EDGE)
        lines = [LabelLine(text, y + i * LINE + FONT) for i, text in enumerate(texts)]
        bar_y = y + len(lines) * LINE
        label = " · ".join(parts)
        if span.total and span.first_due and span.last_due:
            x = scale.x(span.first_due)
            width = round(max(scale.x(span.last_due + timedelta(days=1)) - x, 3), 1)
            done = round(width * span.closed / span.total, 1)
            bars.append(PhaseBar(span, label, lines, bar_y, x, width, done))
        else:
            bars.append(PhaseBar(span, label, lines, bar_y))
        y = bar_y + bar_height + bar_gap
    axis_y = y
    return Timeline(
        width=WIDTH,
        height=round(axis_y + LINE + 4),
        font=FONT,
        bar_height=bar_height,
        axis_y=axis_y,
        top=top,
        label_x=label_x,
        milestones=milestones,
        bars=bars,
        ticks=scale.ticks(),
        spans=spans,
    )


# --- the burn-down -----------------------------------------------------------------------


@dataclass(frozen=True)
class YTick:
    y: float
    label: str


@dataclass
class BurndownChart:
    width: int
    height: int
    font: int
    left: float
    right: float
    top: float
    bottom: float
    plan_path: str
    actual_path: str
    today: Milestone
    ticks: list[Tick]
    y_ticks: list[YTick]
    data: Burndown

    @property
    def today_x(self) -> float:
        return self.today.x


def _step_path(points: list[tuple[float, float]], end_x: float) -> str:
    """An SVG path that holds each value until the next point: a step line."""
    if not points:
        return ""
    (x, y), *rest = points
    parts = [f"M{x},{y}"]
    for x, y in rest:
        parts.append(f"H{x}V{y}")
    parts.append(f"H{end_x}")
    return "".join(parts)


def burndown_chart(data: Burndown) -> BurndownChart:
    highest = max([data.total, *(p.actual or 0 for p in data.points), 1])
    values = sorted({0, highest // 2, highest})
    # The today label's row on top; the numbers, right-aligned, left of the plot.
    top, bottom = LINE + 10.0, LINE + 190.0
    left = EDGE + max(text_width(str(v)) for v in values) + 6
    right = WIDTH - EDGE
    scale = DateScale(data.start, data.end, left, right)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / highest, 1)

    plan = [(scale.x(p.day), y(p.plan)) for p in data.points]
    actual = [(scale.x(p.day), y(p.actual)) for p in data.points if p.actual is not None]

    name = gettext("Today")
    label = milestone_text(name, day_label(data.today))
    flag = Flag(scale.x(data.today), text_width(label))
    (placed,) = place_flags([flag])
    today = Milestone(
        key="today",
        name=name,
        label=label,
        description=milestone_text(name, full_date(data.today)),
        day=data.today,
        x=flag.x,
        label_x=_text_x(placed),
        label_y=FONT,
        line_top=2,
        anchor=placed.anchor,
    )
    return BurndownChart(
        width=WIDTH,
        height=round(bottom + LINE + 4),
        font=FONT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        plan_path=_step_path(plan, scale.x(data.end)),
        actual_path=_step_path(actual, scale.x(data.today)),
        today=today,
        ticks=scale.ticks(),
        y_ticks=[YTick(y(v), str(v)) for v in values],
        data=data,
    )
