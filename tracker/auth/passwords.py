"""The password policy for passwords that people choose: long enough and not easy to guess.

"Easy to guess" is zxcvbn's judgement: it recognises the 30,000 most common passwords and
their usual disguises (capitals, digits or a symbol added, l33t spelling, reversal), dictionary
words, names, keyboard walks, repeats, sequences and dates, and the person's own email and
name. A password it scores below ``MIN_SCORE`` (out of 4) is refused with its own warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import current_app
from wtforms import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's "safely unguessable" level: about 10^8 guesses or more.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); what follows adds only strength.
ZXCVBN_MAX_LENGTH = 72
MAX_LENGTH = 200

_WORD = re.compile(r"[^\W_]{3,}")


def personal_words(*texts: str | None) -> list[str]:
    """The words of an email address or a name that a password should not lean on."""
    return [word.lower() for text in texts if text for word in _WORD.findall(text)]


def password_problem(password: str, *, min_length: int, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=list(personal))
    if result["score"] >= MIN_SCORE:
        return None
    warning = result["feedback"]["warning"] or "This password is easy to guess."
    return f"{warning} Add a few uncommon words; a phrase of unrelated words works well."


class PasswordPolicy:
    """WTForms validator applying ``password_problem``.

    The form may define ``personal_words()`` (the email and name of the account the password
    is for), which zxcvbn then treats as guessable. An empty field is left to other validators.
    """

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        personal = form.personal_words() if hasattr(form, "personal_words") else []
        problem = password_problem(
            field.data,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            personal=personal,
        )
        if problem:
            raise ValidationError(problem)
