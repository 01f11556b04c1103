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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's "safely unguessable" level: about 10^8 guesses or more.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); what follows adds only strength.
ZXCVBN_MAX_LENGTH = 72
MAX_LENGTH = 200

_WORD = re.compile(r"[^\W_]{3,}")

# zxcvbn's warnings are English only: the ones it gives, translated (any other as given).
_ZXCVBN_WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
}


def personal_words(*texts: str | None) -> list[str]:
    """The words of an email address or a name that a password should not lean on."""
    return [word.lower() for text in texts if text for word in _WORD.findall(text)]


def password_problem(password: str, *, min_length: int, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if len(password) < min_length:
        return _("Use at least %(num)d characters.", num=min_length)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=list(personal))
    if result["score"] >= MIN_SCORE:
        return None
    given = result["feedback"]["warning"]
    warning = _ZXCVBN_WARNINGS.get(given, given) or _("This password is easy to guess.")
    return _(
        "%(warning)s Add a few uncommon words; a phrase of unrelated words works well.",
        warning=warning,
    )


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
