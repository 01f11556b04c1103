"""The French catalogue of the e-mails: complete, and compiled from its current .po file.

The compiled catalogue (messages.mo) is kept in the repository next to its .po file, so that
a fresh clone runs without a build step; these tests catch a .po edited without compiling it
again, and a message added to the code or templates without a French translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "tracker" / "translations" / "fr" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def translations(catalog) -> dict:
    """msgid -> translation; a plural message's ids and forms as tuples (the .mo reader
    gives lists)."""
    return {_hashable(message.id): _hashable(message.string) for message in catalog if message.id}


def _hashable(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def french_po():
    with (FRENCH / "messages.po").open("rb") as po:
        return read_po(po)


def extracted_ids() -> set:
    """Every message of the code and templates, as ``pybabel extract -F babel.cfg`` finds."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS
        )
    }


def test_compiled_french_catalogue_is_up_to_date_with_its_po_file():
    with (FRENCH / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)

    assert translations(compiled) == translations(french_po())


def test_every_message_of_the_code_and_templates_has_a_french_translation():
    catalog = french_po()
    untranslated = sorted(
        str(message_id)
        for message_id in extracted_ids()
        if (message := catalog.get(message_id)) is None
        or message.fuzzy
        or not all(message.string if isinstance(message.string, tuple) else [message.string])
    )

    assert untranslated == []
