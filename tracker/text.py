"""Text as people type it: what no person types is refused wherever text comes in."""

from __future__ import annotations

import re

# C0 and C1 control characters (Unicode category Cc) but tab, line feed and carriage return,
# as a regular expression's character class (also the API document's pattern).
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def has_control_characters(value: str) -> bool:
    """NUL and other control characters (tab and line breaks excepted) that no person types;
    PostgreSQL cannot even store NUL in text."""
    return bool(_CONTROL.search(value))
