"""The catalogue draft's forms: an area, a row, and the buttons that post the draft's
version (move, remove, publish, discard)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from tracker.catalogue.loader import KEY_PATTERN, RowSpec
from tracker.enums import CatalogueParty, Condition, Confidence, Phase, ReviewRhythm
from tracker.forms import BoundedIntegerField, MultiCheckboxField, TrackerForm

TEXT = 4000
NONE_CHOICE = SelectChoice("", _l("None"))


class VersionForm(TrackerForm):
    """A button on the draft: the draft version the page was loaded at goes with it."""

    version = HiddenField(
        validators=[Optional(), Regexp(r"^[0-9]{1,10}\Z", message=_l("Not a version."))]
    )

    def read_version(self) -> int:
        """The draft version the form was loaded at (0: unknown, never current)."""
        return int(self.version.data) if self.version.data else 0


def _key_field() -> StringField:
    return StringField(
        _l("Key"),
        validators=[
            InputRequired(),
            Length(max=64),
            Regexp(KEY_PATTERN[:-1] + r"\Z", message=_l("Lower-case letters, digits and _.")),
        ],
        description=_l(
            "Lower-case letters, digits and underscores, starting with a letter; it cannot "
            "be changed later."
        ),
    )


def _text(label, *, required: bool = False, area: bool = True):
    validators = [InputRequired(), DataRequired()] if required else [Optional()]
    field = TextAreaField if area else StringField
    return field(label, validators=[*validators, Length(max=TEXT)])


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class AreaForm(VersionForm):
    key = _key_field()
    title_fr = _text(_l("Title (French)"), required=True, area=False)
    title_en = _text(_l("Title (English)"), required=True, area=False)
    note_fr = _text(_l("Note (French)"))
    note_en = _text(_l("Note (English)"))
    submit = SubmitField(_l("Save area"))

    def fill(self, area: dict) -> None:
        for name in ("title_fr", "title_en", "note_fr", "note_en"):
            self[name].data = area.get(name)

    def values(self) -> dict:
        return {
            "key": self.key.data if "key" in self else None,
            "title_fr": self.title_fr.data.strip(),
            "title_en": self.title_en.data.strip(),
            "note_fr": _optional(self.note_fr.data),
            "note_en": _optional(self.note_en.data),
        }


PARTY_CHOICES = CatalogueParty.choices()
CONFIDENCE_CHOICES = [NONE_CHOICE, *Confidence.choices()]
MARKS = [SelectChoice("confirmed", _l("Confirmed")), SelectChoice("inferred", _l("Inferred"))]


class RowForm(VersionForm):
    key = _key_field()
    area = SelectField(_l("Area"), validators=[InputRequired()])
    text_fr = _text(_l("Text (French)"), required=True)
    text_en = _text(_l("Text (English)"), required=True)
    parties = MultiCheckboxField(_l("Parties"), choices=PARTY_CHOICES)
    ims_eligible = BooleanField(_l("IMS may take over the client's items"))
    blocks_go_live = BooleanField(_l("Its items must be closed before go-live"), default=True)
    condition = SelectField(
        _l("Condition"), choices=[NONE_CHOICE, *Condition.choices()], default=""
    )
    phase = SelectField(_l("Phase"), choices=Phase.choices())
    due = StringField(
        _l("Due"),
        validators=[InputRequired(), Length(max=6)],
        description=_l(
            "K+n or K-n: n days after or before kick-off; G+n or G-n: around go-live; "
            "+n: n days after the row it follows."
        ),
    )
    follows = SelectField(_l("Follows"), default="")
    marks = RadioField(_l("Party marks"), choices=MARKS, default="inferred")
    confidence = SelectField(_l("Confidence"), choices=CONFIDENCE_CHOICES, default="")
    rationale = _text(_l("Source note (English)"))
    rationale_fr = _text(_l("Source note (French)"))
    accountable = SelectField(_l("Accountable"), choices=[NONE_CHOICE, *PARTY_CHOICES], default="")
    contributors = MultiCheckboxField(_l("Contributors"), choices=PARTY_CHOICES)
    raci_confidence = SelectField(
        _l("Confidence of accountable and contributors"), choices=CONFIDENCE_CHOICES, default=""
    )
    raci_rationale = _text(_l("Source note on accountable and contributors"))
    review_every = SelectField(
        _l("Review"),
        choices=[NONE_CHOICE, *ReviewRhythm.choices()],
        default="",
        description=_l("Operations rows: how often their items are reviewed after go-live."),
    )
    seed_row = BoundedIntegerField(
        _l("Row of the source spreadsheet"),
        digits=6,
        validators=[Optional(), NumberRange(min=1, max=999_999)],
    )
    submit = SubmitField(_l("Save row"))

    def __init__(self, *args, areas: list[dict], row_keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(area["key"], area["title_en"]) for area in areas]
        self.follows.choices = [NONE_CHOICE, *(SelectChoice(key, key) for key in row_keys)]

    def fill(self, area_key: str, row: dict) -> None:
        self.area.data = area_key
        for name in RowSpec.model_fields:
            if name in self and name != "key":
                value = row.get(name, True if name == "blocks_go_live" else None)
                self[name].data = "" if value is None and name != "seed_row" else value
        self.marks.data = "inferred" if row.get("marks_inferred", True) else "confirmed"

    def values(self) -> dict:
        """The row in the loader's file format (every field of RowSpec)."""
        return {
            "key": self.key.data if "key" in self else None,
            "seed_row": self.seed_row.data,
            "text_fr": self.text_fr.data.strip(),
            "text_en": self.text_en.data.strip(),
            "parties": list(self.parties.data or []),
            "ims_eligible": bool(self.ims_eligible.data),
            "blocks_go_live": bool(self.blocks_go_live.data),
            "condition": self.condition.data or None,
            "phase": self.phase.data,
            "due": self.due.data.strip(),
            "follows": self.follows.data or None,
            "marks_inferred": self.marks.data != "confirmed",
            "confidence": self.confidence.data or None,
            "rationale": _optional(self.rationale.data),
            "accountable": self.accountable.data or None,
            "contributors": list(self.contributors.data or []),
            "raci_confidence": self.raci_confidence.data or None,
            "raci_rationale": _optional(self.raci_rationale.data),
            "rationale_fr": _optional(self.rationale_fr.data),
            "review_every": self.review_every.data or None,
        }
