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


# --- French as a French reader reads it ----------------------------------------------------
# What can be checked by machine of the review of every French message: typography (the
# catalogue's non-breaking space, U+00A0, before : ; ! ? and %, inside « guillemets », after
# n°), no English left, one French word per concept, French plural forms.

# Translations that are the English message itself: the same word in French, proper names,
# product terms and codes.
SAME_IN_FRENCH = {
    "Notifications",
    "Phases",
    "Invitations",
    "Actions",
    "condition",
    "parties",
    "phase",
    "Note",
    "Position",
    "CSM",
    "CSM %(name)s",
    "Catalogue",
    "Client",
    "Condition",
    "IMS",
    "Infor",
    "Multi-tenant (MT)",
    "Onboard.",
    "Onboarding",
    "Organisation",
    "Organisations",
    "PRE-PROD",
    "PROD",
    "Pages",
    "Parties",
    "Phase",
    "Provis.",
    "Single-tenant",
    "Version",
    "[%(party)s] %(area)s — %(project)s",
    "version %(number)s",
}
# One French word per concept: an English message that names the concept has a translation
# that says it the catalogue's way (docs/development.md, "Translations").
VOCABULARY = {
    r"\bitems?\b": r"tâche",
    r"\bgo-?live\b": r"mise en production|\bMEP\b",
    r"\bkickoff\b": r"lancement",
    r"\bdue dates?\b": r"échéance",
    r"\boverdue\b": r"retard",
    r"\bpart(?:y|ies)\b": r"parti|côté",
    r"\btracker\b": r"suivi",
    r"\barea\b": r"domaine",
    r"\bchecklist\b": r"liste de contrôle",
    r"\bportfolio\b": r"portefeuille",
}
# English words that have no business in a French sentence.
ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|with|to|is|are|your|you|items?)\b", re.I)
# The product names and terms kept in English in the French text.
KEPT_IN_ENGLISH = re.compile(
    r"Infor Managed Services|Data Migration Factory|\((?:go-live|kickoff)\)"
)


def french_forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def english_forms(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def prose(text: str) -> str:
    """A translation as read: without its markup and placeholders (%(name)s)."""
    return PLACEHOLDER.sub("X", re.sub(r"<[^>]*>", "", text))


def typography_problems(text: str) -> list[str]:
    """Where ``text`` breaks French typography as this catalogue writes it."""
    read = re.sub(r"<[^>]*>", "", text)  # an attribute's quotes are not text
    checks = [
        (r"(?<!\u00a0)[:;!?]", "a non-breaking space (U+00A0) before : ; ! ?"),
        (r"(?<!\u00a0)%%", "a non-breaking space before %"),
        (r"«(?!\u00a0)|(?<!\u00a0)»", "non-breaking spaces inside « »"),
        (r"n°(?!\u00a0)", "a non-breaking space after n°"),
        (r"['\"\u201c\u201d]", "« » and \u2019, not English quotes or apostrophes"),
        (r"\s\u202f|\u202f|  ", "one space, the catalogue's U+00A0 where it is non-breaking"),
    ]
    return [rule for pattern, rule in checks if re.search(pattern, read)]


def test_french_typography_non_breaking_spaces_quotes_and_apostrophes():
    problems = [
        f"{message.id!r} -> {text!r}: {rule}"
        for message in french_po()
        if message.id
        for text in french_forms(message)
        for rule in typography_problems(text)
    ]
    assert problems == []


def english_left(text: str) -> bool:
    """Whether a translation still has English words in it (kept product names aside)."""
    return ENGLISH_WORDS.search(KEPT_IN_ENGLISH.sub("", prose(text))) is not None


def vocabulary_problems(english: str, french: str) -> list[str]:
    """The concepts ``english`` names that ``french`` does not say the catalogue's way."""
    return [
        word
        for term, word in VOCABULARY.items()
        if re.search(term, prose(english), re.I) and not re.search(word, prose(french), re.I)
    ]


def test_the_checks_catch_what_they_look_for():
    assert typography_problems("Statut : À faire") != []  # an ordinary space
    assert typography_problems("Statut\u202f: À faire") != []  # the narrow one, not ours
    assert typography_problems("Statut: À faire") != []
    assert typography_problems("« Synchro CRM»") != []
    assert typography_problems("l'outil") != []
    assert typography_problems("75 %%") != []
    assert typography_problems("Tâche n° 3") != []
    assert typography_problems('<a href="%(url)s">l\u2019historique</a>\u00a0: 75\u00a0%%') == []
    assert english_left("%(num)d items en retard")
    assert english_left("Statut modifié with succès")
    assert not english_left("Contrat IMS (Infor Managed Services)")
    assert vocabulary_problems("%(num)d overdue items", "%(num)d éléments en retard") == [r"tâche"]
    assert vocabulary_problems("Go-live", "Mise en prod") != []
    assert vocabulary_problems("Due date", "Échéance") == []


def test_no_french_translation_is_left_in_english():
    same = sorted(
        str(message.id)
        for message in french_po()
        if message.id
        and french_forms(message)[0] == english_forms(message)[0]
        and english_forms(message)[0] not in SAME_IN_FRENCH
    )
    english = sorted(
        f"{message.id!r} -> {text!r}"
        for message in french_po()
        if message.id
        for text in french_forms(message)
        if english_left(text)
    )
    assert (same, english) == ([], [])


def test_french_says_each_concept_with_the_catalogues_word():
    problems = [
        f"{english_forms(message)[0]!r} -> {text!r}: {', '.join(missing)}"
        for message in french_po()
        if message.id
        for text in french_forms(message)
        if (missing := vocabulary_problems(english_forms(message)[0], text))
    ]
    assert problems == []


def test_french_plurals_fill_every_form_and_tell_one_from_many():
    """French has three forms in Babel's data (one: 0 and 1; many; other); where English
    tells one from many, so does French's "one" form."""
    catalog = french_po()
    problems = []
    for message in catalog:
        if not isinstance(message.id, tuple):
            continue
        forms = french_forms(message)
        if len(forms) != catalog.num_plurals:
            problems.append(f"{message.id[0]!r}: {len(forms)} forms")
        elif message.id[0] != message.id[1] and forms[0] == forms[-1]:
            problems.append(f"{message.id[0]!r}: the same text for one and for many")
    assert catalog.num_plurals == 3
    assert problems == []
