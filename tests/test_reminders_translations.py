"""The French catalogue of the web pages and the e-mails: complete, consistent with the
English messages, and compiled from its current .po file.

The compiled catalogue (messages.mo) is kept in the repository next to its .po file, so that
a fresh clone runs without a build step; these tests catch a .po edited without compiling it
again, a message added to the code or templates without a French translation (a fuzzy entry,
which ``pybabel update`` guesses, counts as untranslated), and a translation that drops,
renames or adds a placeholder (``%(name)s``) or breaks the formatting.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "tracker" / "translations" / "fr" / "LC_MESSAGES"
# As the `pybabel extract` command of docs/development.md: lazy_gettext, imported as _l in the code.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
# %(name)s, %(num)d...: the placeholders of a python-format message, with their conversion.
PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])")


def translations(catalog) -> dict:
    """(msgid, context) -> translation; a plural message's ids and forms as tuples (the .mo
    reader gives lists)."""
    return {
        (_hashable(message.id), message.context): _hashable(message.string)
        for message in catalog
        if message.id
    }


def _hashable(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def french_po():
    with (FRENCH / "messages.po").open("rb") as po:
        return read_po(po)


def _scanned(directory: str) -> bool:
    """The directories docs/development.md's ``pybabel extract --ignore-dirs '.* __pycache__'``
    scans: hidden ones (.venv) are left out, templates/_macros is not."""
    name = Path(directory).name
    return not (name.startswith(".") or name == "__pycache__")


def extracted() -> set[tuple]:
    """Every message of the code and templates, as ``pybabel extract -F babel.cfg`` finds:
    (msgid, context)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {
        (message if isinstance(message, str) else tuple(message), context)
        for _, _, message, _, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_scanned
        )
    }


def test_extraction_reads_the_shared_macros():
    """Babel skips directories whose names start with "_" unless told otherwise."""
    assert ("Previous", None) in extracted()


def untranslated(message) -> bool:
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(forms)


def test_compiled_french_catalogue_is_up_to_date_with_its_po_file():
    with (FRENCH / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)

    assert translations(compiled) == translations(french_po())


def test_every_message_of_the_code_and_templates_has_a_french_translation():
    catalog = french_po()
    missing = sorted(
        str(message_id)
        for message_id, context in extracted()
        if (message := catalog.get(message_id, context=context)) is None or untranslated(message)
    )

    assert missing == []


def test_every_entry_of_the_french_catalogue_is_translated_and_not_fuzzy():
    assert sorted(str(m.id) for m in french_po() if m.id and untranslated(m)) == []


def test_the_catalogue_holds_no_message_the_code_no_longer_has():
    used = extracted()
    stale = sorted(
        str(m.id) for m in french_po() if m.id and (_hashable(m.id), m.context) not in used
    )
    assert stale == []


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, conversion[-1]) for name, conversion in PLACEHOLDER.findall(text)}


def placeholder_problem(message) -> str | None:
    """Why the translation's placeholders differ from its message's, or None."""
    if isinstance(message.id, tuple):
        singular, plural = (placeholders(text) for text in message.id)
        forms = [placeholders(text) for text in message.string]
        # The "one" form may leave the number out, as English "a minute" does.
        if forms[0] not in (singular, plural):
            return message.string[0]
        rest = zip(forms[1:], message.string[1:], strict=True)
        return next((text for form, text in rest if form != plural), None)
    if placeholders(message.string) != placeholders(message.id):
        return message.string
    return None


def test_every_translation_keeps_the_placeholders_of_its_message():
    problems = [
        f"{message.id!r} -> {problem!r}"
        for message in french_po()
        if message.id and (problem := placeholder_problem(message))
    ]
    assert problems == []


def _sample(conversion: str):
    return 7 if conversion in "diouxXc" else (1.5 if conversion in "eEfFgG" else "x")


def format_problem(message) -> str | None:
    """A translation that does not format where its message does, or None."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    values = {name: _sample(conv) for text in ids for name, conv in PLACEHOLDER.findall(text)}
    try:
        for text in ids:
            text % values
    except (ValueError, TypeError, KeyError):
        return None  # the message itself is not a format string
    for text in strings:
        try:
            text % values
        except (ValueError, TypeError, KeyError) as error:
            return f"{text!r}: {error}"
    return None


def test_every_translation_formats_wherever_its_message_does():
    """Templates format every message (``_()`` in Jinja), even without placeholders: a lone
    "%" in a translation (French "75 %") must be written "%%"."""
    problems = [
        problem for message in french_po() if message.id and (problem := format_problem(message))
    ]
    assert problems == []
