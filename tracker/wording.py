"""How the tracker words what it records: the reasons it gives itself when a rule closes an
item, and the events of the audit trail. Both are stored as data (a code and its
parameters, values as codes) and written out here, in the reader's language, wherever they
are shown: pages, exports, e-mails and the API's readable fields (in English there)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import enums
from tracker.formatting import display_value

# --- the reasons the tracker gives itself --------------------------------------------------

# The row's condition no longer holds for the project: {"condition": Condition value}.
CONDITION_UNMET = "condition_unmet"
# The row now goes to other parties (or to nobody): {"parties": [Party values]}.
REASSIGNED = "reassigned"
# The row is not in the catalogue version the project moved to: {"version": its number}.
REMOVED_IN_VERSION = "removed_in_version"


def reason_text(code: str | None, params: Mapping | None, typed: str | None) -> str | None:
    """An item's reason as the reader reads it: the one a person typed, as typed; the one
    the tracker gave (``code`` with ``params``), in the reader's language."""
    if code is None:
        return typed
    params = params or {}
    if code == CONDITION_UNMET:
        condition = _enum(enums.Condition, params.get("condition"))
        if condition is not None:
            return _("No longer applies: %(condition)s.", condition=_in_sentence(condition.label))
    elif code == REASSIGNED:
        parties = [_enum(enums.Party, value) for value in params.get("parties") or ()]
        if not parties:
            return _("No longer applies: now assigned to nobody.")
        if all(parties):
            # "to the client and to IMS", "au client et à IMS": a whole phrase per party,
            # joined as the reader's language joins a list.
            shown = format_list([to_party(party) for party in parties], locale=get_locale() or "en")
            return _("No longer applies: now assigned %(to_parties)s.", to_parties=shown)
    elif code == REMOVED_IN_VERSION and params.get("version") is not None:
        return _("Removed in catalogue version %(version)s.", version=params["version"])
    return typed or code  # a code this version does not know: shown as stored


def _in_sentence(label) -> str:
    """A label inside a sentence: "Only with an IMS contract" -> "only with an IMS contract".
    A label whose first word is an acronym ("VPN ...", "PRE-PROD ...", "DMF ...") keeps it as
    written, in every language."""
    label = str(label)
    first = label.split(" ", 1)[0]
    if any(letter.isupper() for letter in first[1:]):
        return label
    return label[:1].lower() + label[1:]


def item_reason(item) -> str | None:
    """``item``'s reason (``reason_text``), from an item or a row with its reason columns."""
    return reason_text(item.reason_code, item.reason_params, item.reason)


def _enum(enum_cls, value):
    try:
        return enum_cls(value)
    except ValueError:
        return None


# --- a party in a sentence: who the work waits on, whom it goes to ----------------------

_WITH_PARTY = {
    enums.Party.INFOR: _l("with Infor"),
    enums.Party.CLIENT: _l("with the client"),
    enums.Party.IMS: _l("with IMS"),
    enums.Party.PARTNER: _l("with the partner"),
}


def with_party(party: enums.Party) -> str:
    """ "with the client" and the like, a whole phrase per party (French needs "du côté du
    client", "du côté d'Infor": a party's label cannot simply be put after a preposition)."""
    return str(_WITH_PARTY[party])


_TO_PARTY = {
    enums.Party.INFOR: _l("to Infor"),
    enums.Party.CLIENT: _l("to the client"),
    enums.Party.IMS: _l("to IMS"),
    enums.Party.PARTNER: _l("to the partner"),
}


def to_party(party: enums.Party) -> str:
    """ "to the client" and the like, a whole phrase per party (French: "au client",
    "à Infor"; never "à Client")."""
    return str(_TO_PARTY[party])


# --- a project's milestones ---------------------------------------------------------------


def next_milestone(project, on: date) -> tuple[str, date] | None:
    """The project's next milestone on ``on``: kickoff, then go-live; None once live."""
    if on < project.kickoff_date:
        return str(enums.Anchor.KICKOFF.label), project.kickoff_date
    if on <= project.go_live_date:
        return str(enums.Anchor.GO_LIVE.label), project.go_live_date
    return None


# --- the audit trail ------------------------------------------------------------------------

_EVENT_LABELS = {
    "project.created": _l("Project created"),
    "project.checklist_created": _l("Checklist created"),
    "project.items_added": _l("Items added"),
    "project.archived": _l("Project archived"),
    "project.restored": _l("Project restored"),
    "project.progress_link_created": _l("Progress link created"),
    "project.progress_link_revoked": _l("Progress link revoked"),
    "item.comment": _l("Comment"),
    "item.file_attached": _l("File attached"),
    "item.file_hidden": _l("File removed"),
    "item.file_restored": _l("File restored"),
    "item.takeover": _l("Takeover"),
    "item.kept_done": _l("Kept done"),
    "item.kept_open": _l("Kept open"),
    "item.review_created": _l("Review due"),
    "item.review_done": _l("Review done"),
    "project.catalogue_upgraded": _l("Catalogue version changed"),
    "item.catalogue_row": _l("Catalogue row changed"),
    "golive.approver_added": _l("Go-live approver designated"),
    "golive.item_waived": _l("Waived for go-live"),
    "golive.signed_off": _l("Go-live signed off"),
    "golive.confirmed": _l("Went live"),
}

# What of a catalogue row changed (tracker.rollout.plan.ROW_FIELDS), in a sentence.
ROW_CHANGES = {
    "text": _l("text"),
    "phase": _l("phase"),
    "parties": _l("parties"),
    "due": _l("due date"),
    "condition": _l("condition"),
}


def row_changes_text(changes) -> str:
    """ "text and due date": what changed of a row, as the reader's language lists it."""
    shown = [str(ROW_CHANGES[name]) for name in changes if name in ROW_CHANGES]
    return format_list(shown, locale=get_locale() or "en") if shown else ""


# What changed, by the field an event names (project and item fields).
_FIELD_CHANGES = {
    "status": _l("Status changed"),
    "reason": _l("Reason changed"),
    "assignee": _l("Assignee changed"),
    "due_date": _l("Due date changed"),
    "name": _l("Name changed"),
    "customer_id": _l("Customer changed"),
    "csm_id": _l("CSM changed"),
    "deployment": _l("Deployment changed"),
    "environment": _l("Environment changed"),
    "ims_contract": _l("IMS contract changed"),
    "ims_scope": _l("IMS scope changed"),
    "implementer": _l("Implementer changed"),
    "partner_id": _l("Partner changed"),
    "data_migration": _l("Data migration changed"),
    "vpn_required": _l("VPN required changed"),
    "kickoff_date": _l("Kickoff date changed"),
    "go_live_date": _l("Go live date changed"),
}

_VALUE_ENUMS = {
    "status": enums.Status,
    "party": enums.Party,
    "deployment": enums.Deployment,
    "environment": enums.Environment,
    "implementer": enums.Implementer,
}

# Fields whose values the trail keeps as "yes"/"no", and as ISO dates (tracker.audit).
_BOOLEAN_FIELDS = {"ims_contract", "data_migration", "vpn_required"}
_DATE_FIELDS = {"due_date", "kickoff_date", "go_live_date", "review", "went_live_on"}


def event_label(event) -> str:
    """What an event is: 'Status changed', 'Go live date changed', 'Checklist created'..."""
    if event.action in _EVENT_LABELS:
        return str(_EVENT_LABELS[event.action])
    name = event.field or event.action
    if name in _FIELD_CHANGES:
        return str(_FIELD_CHANGES[name])
    field = name.replace("_id", "").replace("_", " ")
    return _("%(field)s changed", field=field.capitalize())


def event_before(event, names=None) -> str:
    """An event's old value as people read it (``event_value``)."""
    return event_value(event, event.old_value, names)


def event_after(event, names=None) -> str:
    """An event's new value as people read it: what an event of a code and parameters says
    ("26 items from catalogue version 1"), else ``event_value`` of its new value."""
    if event.params:
        return _event_text(event) or event.new_value or ""
    return event_value(event, event.new_value, names)


def event_value(event, value: str | None, names=None) -> str:
    """One of an event's stored values as people read it: labels rather than stored codes,
    catalogue rows by their text (``names``: tracker.audit.names.EventNames), dates written
    out, "Yes" or "No"."""
    if value is None:
        return ""
    if event.field == "ims_scope" and names is not None:
        return names.rows(value)
    enum_cls = _VALUE_ENUMS.get(event.field or "")
    if enum_cls is not None:
        member = _enum(enum_cls, value)
        return display_value(member) if member is not None else value
    if event.field in _BOOLEAN_FIELDS and value in ("yes", "no"):
        return display_value(value == "yes")
    if event.field in _DATE_FIELDS:
        try:
            return display_value(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def _event_text(event) -> str | None:
    action, params = event.action, event.params
    items = params.get("items")
    if action == "golive.signed_off" and params.get("rating") is not None:
        # {"rating": 1 to 5}; the sign-off's note is the event's new value
        rated = _("Rated %(rating)s out of 5", rating=params["rating"])
        note = event.new_value
        return _("%(rating)s: %(note)s", rating=rated, note=note) if note else rated
    if action == "project.checklist_created" and items is not None:
        return ngettext(
            "%(num)s item from catalogue version %(version)s",
            "%(num)s items from catalogue version %(version)s",
            items,
            version=params.get("catalogue_version"),
        )
    if action == "project.catalogue_upgraded" and params.get("to") is not None:
        # {"from", "to": version numbers, and the counts of tracker.rollout.plan}
        return _(
            "From catalogue version %(before)s to %(after)s: %(added)s added, %(retired)s "
            "retired, %(changed)s changed, %(reopened)s reopened.",
            before=params.get("from"),
            after=params["to"],
            added=params.get("add", 0),
            retired=params.get("retire", 0),
            changed=params.get("changed", 0),
            reopened=params.get("reopen", 0),
        )
    if action == "item.catalogue_row" and params.get("to") is not None:
        # {"from", "to", "changes": ROW_CHANGES names, "kept": the item kept its old row,
        #  "due_flagged": a date set by hand kept though the row's offset moved}
        changed = row_changes_text(params.get("changes") or ())
        if params.get("kept"):
            return _(
                "Catalogue version %(after)s changed its row (%(changes)s); this item was "
                "closed against version %(before)s and keeps what it was.",
                after=params["to"],
                before=params.get("from"),
                changes=changed,
            )
        if params.get("due_flagged"):
            return _(
                "Follows its row of catalogue version %(after)s (%(changes)s changed); its "
                "due date, set by hand, was kept.",
                after=params["to"],
                changes=changed,
            )
        return _(
            "Follows its row of catalogue version %(after)s (%(changes)s changed).",
            after=params["to"],
            changes=changed,
        )
    if action == "project.items_added" and items is not None:
        return ngettext("%(num)s item", "%(num)s items", items)
    party = _enum(enums.Party, params.get("party"))
    if action == "item.takeover" and party is not None:
        # {"item": the id of the item replaced, "party": its party}
        return _("Takes over item #%(id)s (%(party)s)", id=params.get("item"), party=party.label)
    if action == "item.kept_open" and params.get("code"):
        # {"code", "params": the rule's reason the item was kept open against}
        return reason_text(params["code"], params.get("params"), None)
    if action == "item.kept_done" and party is not None:
        # {"party": the party the row passed to}
        return _(
            "The row now goes %(to_party)s; this item was already done, so it stays done and "
            "no new item was created.",
            to_party=to_party(party),
        )
    return None


# --- the catalogue's audit trail (tracker/catalogue/drafts) ---------------------------------

_CATALOGUE_ACTIONS = {
    "draft_started": _l("Started a draft"),
    "draft_discarded": _l("Discarded the draft"),
    "published": _l("Published the draft"),
    "area_added": _l("Added area %(key)s"),
    "area_changed": _l("Changed area %(key)s"),
    "area_removed": _l("Removed area %(key)s"),
    "area_moved_up": _l("Moved area %(key)s up"),
    "area_moved_down": _l("Moved area %(key)s down"),
    "row_added": _l("Added row %(key)s"),
    "row_changed": _l("Changed row %(key)s"),
    "row_removed": _l("Removed row %(key)s"),
    "row_moved_up": _l("Moved row %(key)s up"),
    "row_moved_down": _l("Moved row %(key)s down"),
}


def catalogue_event_text(event) -> str:
    """ "Changed row kickoff_call": one entry of the catalogue's audit trail, in the reader's
    language (the keys and field names stay as the catalogue file writes them)."""
    key = (event.target or "").partition(":")[2]
    wording = _CATALOGUE_ACTIONS.get(event.action)
    if wording is None:
        return event.action
    return str(wording) % {"key": key}
