"""Hostile input for the property tests: generated values, forms read from their pages, what
each field must refuse, where a page shows a field's error, and snapshots of the database.

A form is read from its page the way a browser sees it (names, current values, options), and
its field classes give the declared bounds, so that a field added to a form is covered by
the tests without changing them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

import sqlalchemy as sa
from flask import Flask
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, IntegerField, SelectFieldBase
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker.extensions import db
from tracker.forms import BoundedDateField
from tracker.timeutil import EARLIEST, LATEST

# --- generated values -------------------------------------------------------------------

CONTROL = [
    "\x00",
    "nul\x00inside",
    "\x01",
    "bell\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b[31mred",
    "\x7f",
    "next line\x85",
    "\x9b2J",
]
SQL = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "'; DROP TABLE projects; --",
    "1; SELECT pg_sleep(10)",
    '" OR ""="',
    "1 UNION SELECT password_hash FROM users",
    "%",
    "_%_",
    "\\",
    "\\'",
    "' || (SELECT version()) || '",
]
MARKUP = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "'\"",
    "</textarea><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{ 7 * 7 }}",
    "{% for x in y %}",
    "${7*7}",
    "<!--",
    "&lt;b&gt;",
    "&#0;",
]
UNICODE = [
    "مرحبا بالعالم",
    "שָׁלוֹם",
    "\u202eexe.evil\u202c",
    "\u200f\u200e\u2066\u2069",
    "🚀",
    "👩‍👩‍👧‍👦",
    "🇫🇷🏳️‍🌈",
    "\U0001d518\U0001d52b\U0001d526\U0001d520",  # mathematical Fraktur letters
    "e\u0301\u0301\u0301",
    "\ufeffbom",
    "zero\u200bwidth",
    "\u00a0",
    "\u3000",
    "\u2028\u2029",
    "İı ß ﬁ",
    "\uffff\ufffe",
    "\U0010fffd",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "日本語テキスト",
    "\ufffd",
]
WHITESPACE = ["", " ", "   ", "\t", "\n", "\r\n", " \n\t "]
NUMBERS = [
    "0",
    "-0",
    "-1",
    "1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9" * 20,
    "-" + "9" * 20,
    "9" * 400,
    "1.5",
    "-1.5",
    "1e309",
    "1e-309",
    "NaN",
    "inf",
    "-Infinity",
    "0x1F",
    "1_000",
    "٣",
    "\uff11\uff12",  # fullwidth digits
    " 7",
    "7 ",
    "+7",
    "1,000",
    "007",
    "1.0",
]
DATES = [
    "2024-02-30",
    "2023-02-29",
    "2024-02-29",
    "99999-01-01",
    "yesterday",
    "today",
    "0000-00-00",
    "2024-13-01",
    "2024-00-10",
    "2024-01-32",
    "1999-12-31",
    "2000-01-01",
    "2100-12-31",
    "2101-01-01",
    "0001-01-01",
    "9999-12-31",
    "2024/01/01",
    "01/02/2024",
    "2024-01-01T10:00",
    "2024-01-01 ",
    "20240101",
    "2024-1-1",
    "-2024-01-01",
    "\uff12\uff10\uff12\uff14-\uff10\uff11-\uff10\uff11",  # fullwidth digits
]
WORDS = [
    "TODO",
    "Done",
    "done ",
    " done",
    "not applicable",
    "NOT_APPLICABLE",
    "admin",
    "superuser",
    "null",
    "None",
    "undefined",
    "true",
    "false",
    "[]",
    "{}",
    "/",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "/projects?x=<script>",
    "../../etc/passwd",
]
SAMPLES = CONTROL + SQL + MARKUP + UNICODE + WHITESPACE + NUMBERS + DATES + WORDS

LONG = 10_000
# HTTP carries UTF-8: lone surrogates cannot be sent, everything else can.
_characters = st.characters(exclude_categories=("Cs",))

hostile_values = st.one_of(
    st.sampled_from(SAMPLES),
    st.builds(
        lambda unit, size: unit * size,
        st.sampled_from(["x", "é", "🚀", "\u202e", "'", "<", "9", " ", "\x00", "ش"]),
        st.sampled_from([LONG, LONG + 1]),
    ),
    st.text(_characters, max_size=30),
    st.integers().map(str),
    st.floats().map(str),
    st.dates().map(lambda day: day.isoformat()),
)

# Raw markup that must never come back from the server unescaped.
REFLECTION_MARKERS = ("<script>alert", "<img src=x onerror", "</textarea><script>")


def has_control_characters(value: str) -> bool:
    """Control characters (Unicode category Cc) other than tab and line breaks."""
    return any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in value)


# --- forms as a browser sees them -------------------------------------------------------


@dataclass
class Control:
    """A named control of an HTML form: what it would send, and what it offers."""

    name: str
    kind: str  # input type, or "select" / "textarea"
    sent: list[str]
    options: list[str]


class _FormReader(HTMLParser):
    """Reads the POST form that submits to ``action`` (explicitly, or as the page's own
    address): its named controls, what each would send and what it offers."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.controls: dict[str, Control] = {}
        self._select: Control | None = None
        self._option: dict[str, str | None] | None = None
        self._textarea: Control | None = None
        self._option_text = ""

    def _control(self, name: str, kind: str) -> Control:
        return self.controls.setdefault(name, Control(name, kind, [], []))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("method") or "get").lower() == "post" and (
                a.get("action") in (self.action, None, "")
            )
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            control = self._control(name, kind)
            value = a.get("value") or ""
            if kind in ("checkbox", "radio"):
                control.options.append(a.get("value") or "on")
                if "checked" in a:
                    control.sent.append(a.get("value") or "on")
            else:
                control.sent.append(value)
        elif tag == "select" and name:
            self._select = self._control(name, "select")
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a}
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = self._control(name, "textarea")
            self._textarea.sent.append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.sent[-1] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._select is not None and self._option is not None:
            value = self._option["value"]
            value = self._option_text if value is None else value
            self._select.options.append(value)
            if self._option["selected"]:
                self._select.sent[:] = [value]
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.sent and self._select.options:
                self._select.sent.append(self._select.options[0])  # what a browser sends
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea.sent[-1]
            # HTML drops one newline right after <textarea>.
            self._textarea.sent[-1] = text[1:] if text.startswith("\n") else text
            self._textarea = None


def read_form(html: str, action: str) -> dict[str, Control]:
    """The controls of the POST form of ``html`` that submits to ``action``."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action} on the page"
    return reader.controls


# --- what a field must refuse -----------------------------------------------------------


@dataclass
class FieldRule:
    """One field of a form: its posted name and label, its declared bounds, its options."""

    name: str
    label: str
    field: object  # a bound WTForms field
    options: list[str]

    @property
    def is_boolean(self) -> bool:
        return isinstance(self.field, BooleanField)  # a checkbox or a button

    def _validators(self, kind):
        return [v for v in self.field.validators if isinstance(v, kind)]

    @property
    def required(self) -> bool:
        return bool(self._validators((DataRequired, InputRequired)))

    @property
    def optional(self) -> bool:
        return bool(self._validators(Optional))

    def must_refuse(self, values: Sequence[str] | None) -> bool:
        """Whether sending ``values`` (None: leaving the field out) must be refused."""
        if self.is_boolean:
            return False  # only whether it was sent counts
        if getattr(self.field, "ignores_invalid", False):
            return False  # an invalid value is dropped, never refused
        if values is None:
            return self.required
        if any(has_control_characters(v) for v in values):
            return True
        first = values[0]
        blank = not first.strip()
        if blank and self.required:
            return True
        if blank and self.optional:
            return False
        for length in self._validators(Length):
            if length.max not in (None, -1) and len(first) > length.max:
                return True
            if length.min not in (None, -1) and len(first) < length.min:
                return True
        if any(not rule.regex.match(first) for rule in self._validators(Regexp)):
            return True
        if isinstance(self.field, SelectFieldBase):
            return self._refuses_choices(values)
        if isinstance(self.field, DateField):
            return len(values) == 1 and self._refuses_date(first)
        if isinstance(self.field, IntegerField):
            return self._refuses_integer(first)
        return False

    def _coerce(self, value: str):
        coerce = getattr(self.field, "coerce", str)
        try:
            return coerce(value)
        except (TypeError, ValueError):
            return _INVALID

    def _refuses_choices(self, values: Sequence[str]) -> bool:
        offered = {self._coerce(option) for option in self.options}
        if getattr(self.field, "type", "") in ("SelectMultipleField", "MultiCheckboxField"):
            return any(self._coerce(v) not in offered for v in values)
        return self._coerce(values[0]) not in offered

    def _refuses_date(self, value: str) -> bool:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            return True
        return isinstance(self.field, BoundedDateField) and not (EARLIEST <= day <= LATEST)

    def _refuses_integer(self, value: str) -> bool:
        try:
            number = int(value)
        except ValueError:
            return True
        for bounds in self._validators(NumberRange):
            if bounds.min is not None and number < bounds.min:
                return True
            if bounds.max is not None and number > bounds.max:
                return True
        return False

    def boundary_values(self) -> list[str]:
        """Values at and just past this field's declared bounds, and its offered options."""
        values = list(self.options)
        values += [option.upper() for option in self.options]
        values += [f" {option}" for option in self.options[:2]]
        for length in self._validators(Length):
            for size in (length.min, length.max):
                if size not in (None, -1):
                    values += [
                        "a" * size,
                        "a" * (size + 1),
                        "🚀" * size,
                        "ש" * (size + 1),
                        " " * size + "b",
                    ]
                    if size > 0:
                        values.append("a" * (size - 1))
        for bounds in self._validators(NumberRange):
            for limit in (bounds.min, bounds.max):
                if limit is not None:
                    values += [str(limit - 1), str(limit), str(limit + 1)]
        if isinstance(self.field, DateField):
            values += ["1999-12-31", "2000-01-01", "2100-12-31", "2101-01-01"]
        return values


class _Invalid:
    pass


_INVALID = _Invalid()


def field_rules(form, controls: dict[str, Control]) -> dict[str, FieldRule]:
    """The rules of each field of ``form`` (a WTForms form) that the page offers."""
    rules = {}
    for field in form:
        if field.type == "CSRFTokenField" or field.name not in controls:
            continue
        rules[field.name] = FieldRule(
            name=field.name,
            label=field.label.text,
            field=field,
            options=controls[field.name].options,
        )
    return rules


# --- mutations of a valid submission ----------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One field changed in a valid submission: new values, or None to leave it out."""

    field: str
    values: tuple[str, ...] | None

    def apply(self, baseline: list[tuple[str, str]]) -> MultiDict:
        pairs = [(name, value) for name, value in baseline if name != self.field]
        pairs += [(self.field, value) for value in self.values or ()]
        return MultiDict(pairs)

    def describe(self) -> str:
        if self.values is None:
            return f"{self.field} left out"
        shown = [v if len(v) <= 60 else f"{v[:20]!r}…({len(v)} chars)" for v in self.values]
        return f"{self.field} = {shown!r}"


def mutations(rules: dict[str, FieldRule], baseline: list[tuple[str, str]]) -> st.SearchStrategy:
    """A valid submission with one field made hostile: replaced, left out or repeated."""
    current = dict(baseline)

    def for_field(name: str) -> st.SearchStrategy:
        rule = rules[name]
        value = st.one_of(hostile_values, st.sampled_from(rule.boundary_values() or [""]))
        mine = current.get(name, "")
        return st.one_of(
            value.map(lambda v: (v,)),
            st.just(None),
            value.map(lambda v: (v, mine)),
            value.map(lambda v: (mine, v)),
            st.lists(value, min_size=2, max_size=4).map(tuple),
        ).map(lambda values: Mutation(name, values))

    # Checkboxes and buttons only count as sent or not: they get a third of the tries.
    names = [name for name in sorted(rules) for _ in range(1 if rules[name].is_boolean else 3)]
    return st.sampled_from(names).flatmap(for_field)


# Tried on every field of every form, before the generated values: one of each kind.
EVERY_FIELD = (
    "nul\x00inside",
    "x" * LONG,
    None,
    "' OR 1=1 --",
    '<script>alert("x")</script>',
    "\u202e\u0645\u0631\u062d\u0628\u0627 🚀",  # RTL override, Arabic, emoji
    "2024-02-30",
    "9" * 20,
    "-1",
)


def explicit_mutations(
    rules: dict[str, FieldRule], baseline: list[tuple[str, str]]
) -> list[Mutation]:
    """For each field: NUL, 10k characters, left out, SQL, markup, RTL and emoji, a date that
    does not exist, a huge and a negative number; and sent twice, valid then with NUL."""
    current = dict(baseline)
    return [
        Mutation(name, None if value is None else (value,))
        for name in sorted(rules)
        for value in EVERY_FIELD
    ] + [Mutation(name, (current.get(name, ""), EVERY_FIELD[0])) for name in sorted(rules)]


UNKNOWN_FIELDS = ["id", "role", "is_admin", "archived_at", "catalogue_version_id", "version_id"]


def unknown_field(prefix: str = "", withheld: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A field the form does not have, or does not offer this user (mass assignment): it
    must be ignored."""
    names = [*UNKNOWN_FIELDS, *(f"{prefix}{n}" for n in UNKNOWN_FIELDS), *withheld]
    values = st.one_of(hostile_values, st.dates().map(lambda day: day.isoformat()))
    return st.builds(lambda name, value: Mutation(name, (value,)), st.sampled_from(names), values)


# --- where a page shows a field's error -------------------------------------------------


class _ErrorReader(HTMLParser):
    """Collects, in document order, the named controls and the error messages of a page."""

    VOID = {"input", "br", "img", "hr", "meta", "link", "source", "col", "area", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.position = 0
        self.controls: list[tuple[int, str]] = []
        self.feedback: list[tuple[int, str]] = []
        self._depth = 0
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.position += 1
        a = dict(attrs)
        if tag in ("input", "select", "textarea", "button") and a.get("name"):
            self.controls.append((self.position, a["name"]))
        if self._text is not None:
            if tag not in self.VOID:
                self._depth += 1
        elif "invalid-feedback" in (a.get("class") or "").split():
            self._text, self._depth = [], 1

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._text is None:
            return
        self._depth -= 1
        if self._depth == 0:
            self.feedback.append((self.position, " ".join("".join(self._text).split())))
            self._text = None


def shown_errors(html: str, rules: dict[str, FieldRule]) -> dict[str, list[str]]:
    """Field name -> the error messages the page shows for it.

    An error (an element of class ``invalid-feedback``) belongs to a field when its text
    starts with the field's label and a colon ("Status: Not a valid choice."), or else when
    it follows the field's control with no other named control in between (the Bootstrap
    layout: the message right under the input, the radio group or the checkbox list).
    Errors that belong to no field are listed under "?".
    """
    reader = _ErrorReader()
    reader.feed(html)
    by_label = sorted(rules.values(), key=lambda rule: -len(rule.label))
    shown: dict[str, list[str]] = {}
    for position, text in reader.feedback:
        owner = next((r.name for r in by_label if r.label and text.startswith(r.label + ":")), None)
        if owner is None:
            before = [name for at, name in reader.controls if at < position]
            owner = before[-1] if before and before[-1] in rules else "?"
        shown.setdefault(owner, []).append(text)
    return shown


def reflected_markup(html: str) -> list[str]:
    return [marker for marker in REFLECTION_MARKERS if marker in html]


# --- the database, whole ----------------------------------------------------------------

Snapshot = dict[str, list[tuple]]


def snapshot(app: Flask) -> Snapshot:
    """Every row of every table, in primary-key order, as the test's transaction sees them."""
    with app.app_context():
        connection = db.session.connection()
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def restore(app: Flask, saved: Snapshot) -> None:
    """Put the database back to ``saved``, bypassing the ORM (events are append-only there)."""
    with app.app_context():
        connection = db.session.connection()
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in db.metadata.sorted_tables:
            rows = saved[table.name]
            if rows:
                names = [column.name for column in table.columns]
                connection.execute(
                    table.insert(), [dict(zip(names, row, strict=True)) for row in rows]
                )
        db.session.commit()


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
