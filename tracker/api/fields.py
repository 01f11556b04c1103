"""What each input of the API accepts, said once: the views validate with these types, and the
OpenAPI document says the same, with a ``pattern`` where JSON Schema has no keyword for it
(a date's bounds, text that is not blank). A value the document allows is accepted; any
other is refused with a 422 naming the field.

Query parameters arrive as text and are read as the document writes them: a whole number in
ASCII digits, ``true`` or ``false``, a date as YYYY-MM-DD; never through pydantic's lenient
conversions ("1.0", "+1", "yes", a Unix time as a date...). JSON bodies are read strictly by
their models (tracker.api.schemas): no text for a number, no number for a flag, though a whole
number written ``2.0`` is the integer 2, as in JSON Schema.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from typing import Annotated, NamedTuple

from pydantic import PlainValidator, WithJsonSchema

from tracker.queryargs import MAX_INT, counting_numbers_at_most
from tracker.text import CONTROL_CHARACTERS, has_control_characters
from tracker.timeutil import EARLIEST, LATEST

# --- dates --------------------------------------------------------------------------------

# The calendar dates from 2000-01-01 to 2100-12-31 (tracker.timeutil.EARLIEST and LATEST;
# tests/test_api.py checks that it matches exactly these), as an ECMAScript regular
# expression too: JSON Schema bounds numbers, not dates.
_MONTH_DAY = (
    "(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # the 1st to the 28th of every month
    "|(?:0[13-9]|1[0-2])-(?:29|30)"  # the 29th and the 30th, but in February
    "|(?:0[13578]|1[02])-31"  # the 31st of the long months
)
_LEAP_DAY = "20(?:0[048]|[2468][048]|[13579][26])-02-29"  # 2000 to 2096 (2100 is not leap)
DAY = f"(?:(?:20[0-9]{{2}}|2100)-(?:{_MONTH_DAY})|{_LEAP_DAY})"
_DAY = re.compile(DAY)
DAYS = f"from {EARLIEST.isoformat()} to {LATEST.isoformat()}"


def _day(value: object) -> date:
    if isinstance(value, str) and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    raise ValueError(f"Give a date {DAYS}, as YYYY-MM-DD.")


Day = Annotated[
    date,
    PlainValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{DAY}$"}),
]

# --- numbers ------------------------------------------------------------------------------


def JsonInt(*, minimum: int, maximum: int = MAX_INT):
    """A whole number from ``minimum`` to ``maximum``, in a JSON body: ``2.0`` is the same
    integer as ``2`` to JSON Schema, so it is taken; ``true`` and ``"2"`` are not numbers."""

    def parse(value: object) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is int and minimum <= value <= maximum:
            return value
        raise ValueError(f"Give a whole number from {minimum} to {maximum}.")

    return Annotated[
        int,
        PlainValidator(parse),
        WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum}),
    ]


# --- numbers and flags in query strings ---------------------------------------------------

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,20}")


def QueryInt(*, minimum: int, maximum: int = MAX_INT):
    """A whole number from ``minimum`` to ``maximum``, in a query string."""

    def parse(value: object) -> int:
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            number = int(value)
            if minimum <= number <= maximum:
                return number
        raise ValueError(f"Give a whole number from {minimum} to {maximum}.")

    return Annotated[
        int,
        PlainValidator(parse),
        WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum}),
    ]


def _flag(value: object) -> bool:
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("Give true or false.")


QueryBool = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"})]

# A page cursor of the overdue list: the due date and the id of the last item of a page.
CURSOR = f"(?:{DAY})\\.(?:{counting_numbers_at_most(MAX_INT)})"
_CURSOR = re.compile(CURSOR)


class Cursor(NamedTuple):
    due_date: date
    id: int


def _cursor(value: object) -> Cursor:
    if isinstance(value, str) and _CURSOR.fullmatch(value):
        due, _, last = value.partition(".")
        return Cursor(date.fromisoformat(due), int(last))
    raise ValueError("Give the cursor of a `next` link: <due date>.<item id>.")


OverdueCursor = Annotated[
    Cursor, PlainValidator(_cursor), WithJsonSchema({"type": "string", "pattern": f"^{CURSOR}$"})
]

# --- text ---------------------------------------------------------------------------------

# What str.strip() removes but no control character: text of only these is blank.
_SPACES = "".join(
    f"\\u{ord(c):04x}"
    for c in map(chr, range(sys.maxunicode + 1))
    if c.isspace() and not has_control_characters(c)
)
TEXT = f"[^{CONTROL_CHARACTERS}]*[^{CONTROL_CHARACTERS}{_SPACES}][^{CONTROL_CHARACTERS}]*"
_TEXT = re.compile(TEXT)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("Give text.")
    if not _TEXT.fullmatch(value):
        if has_control_characters(value):
            raise ValueError("Remove the control characters (NUL and the like).")
        raise ValueError("Write something: this is blank.")
    return value


def Text(*, max_length: int):
    """Text as people type it: not blank, and no control characters but tab and line breaks
    (refused as the forms refuse them). The document says so with a pattern."""

    def parse(value: object) -> str:
        text = _text(value)
        if len(text) > max_length:
            raise ValueError(f"At most {max_length} characters.")
        return text

    return Annotated[
        str,
        PlainValidator(parse),
        WithJsonSchema(
            {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": f"^{TEXT}$"}
        ),
    ]
