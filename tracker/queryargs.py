"""Bounded reading of query-string arguments: a value out of bounds is ignored, never a 500.
And the ids in URL paths: a number no id column holds matches no route (404)."""

from __future__ import annotations

import re
from enum import Enum
from typing import TypeVar

from flask import request
from werkzeug.routing import IntegerConverter

E = TypeVar("E", bound=Enum)
MAX_INT = 2**31 - 1
# ASCII digits only: int() would also take " 7", "+7", "1_000" and other scripts' digits.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,10}")


def digits_at_most(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to ``limit`` (no sign)."""
    digits = str(limit)
    shorter = f"[0-9]{{1,{len(digits) - 1}}}" if len(digits) > 1 else None
    return "|".join(filter(None, [shorter, *_as_long_at_most(digits)]))


def counting_numbers_at_most(limit: int) -> str:
    """A regular expression of the numbers from 1 to ``limit`` as they are written: no sign,
    no leading zero (also an ECMAScript one, for the API's document)."""
    digits = str(limit)
    if len(digits) == 1:
        return f"[1-{limit}]"
    return "|".join([f"[1-9][0-9]{{0,{len(digits) - 2}}}", *_as_long_at_most(digits)])


def _as_long_at_most(digits: str) -> list[str]:
    """Alternatives matching the numbers as long as ``digits`` (no leading zero, unless it
    is one digit long) up to it."""
    same_length = []
    for at, digit in enumerate(digits):
        rest = len(digits) - at - 1
        if digit != "0":
            low = "1" if at == 0 and len(digits) > 1 else "0"
            if int(digit) - 1 >= int(low):
                tail = f"[0-9]{{{rest}}}" if rest else ""
                same_length.append(f"{digits[:at]}[{low}-{int(digit) - 1}]{tail}")
    same_length.append(digits)
    return same_length


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route (tracker.create_app installs it): at most ``MAX_INT``, the
    largest id an INTEGER column holds on every database. A larger number matches no route,
    whatever the method (404), instead of reaching the database, which refuses it (SQLite
    with an OverflowError: a 500). The bound is in the pattern itself: a number refused only
    by the converter's ``max`` made werkzeug answer 405 to the methods of other rules."""

    regex = digits_at_most(MAX_INT)

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def enum_arg(name: str, enum_cls: type[E]) -> E | None:
    """A query argument that must be one of an enum's values; anything else is ignored."""
    value = request.args.get(name, "")
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def int_arg(name: str, *, minimum: int = 1, maximum: int = MAX_INT) -> int | None:
    """A whole number within [minimum, maximum]; anything else is ignored."""
    raw = request.args.get(name, "")
    if not _WHOLE_NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    if not (minimum <= value <= maximum):
        return None
    return value


def pattern_arg(name: str, pattern: re.Pattern[str]) -> str | None:
    """A value that must match ``pattern`` whole; anything else is ignored."""
    value = request.args.get(name, "")
    return value if pattern.fullmatch(value) else None


def page_arg(name: str = "page") -> int:
    """A page number: 1 unless a sensible one is given."""
    return int_arg(name, maximum=1_000_000) or 1


def flag_arg(name: str) -> bool:
    return request.args.get(name) == "1"
