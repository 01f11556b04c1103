"""Reading, validating and loading the catalogue YAML file."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from tracker.catalogue.queries import areas_select, current_version
from tracker.enums import Anchor, CatalogueParty, Condition, Confidence, Phase, ReviewRhythm
from tracker.extensions import db
from tracker.models import Area, CatalogueVersion, Responsibility

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "seeds" / "catalogue.yaml"
# libyaml's parser when PyYAML was built with it (its wheels are): ten times the pure-Python
# one's speed, for the same safe subset of YAML.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# An area or row key; the project page's area filter reads the same shape (tracker/queryargs).
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
DUE_PATTERN = re.compile(r"^(?P<anchor>[KG])(?P<offset>[+-]\d{1,4})$")
# The due date of a row that follows another: "+n", n days after the followed row's.
FOLLOW_DUE_PATTERN = re.compile(r"^\+(?P<days>\d{1,4})$")


class CatalogueError(ValueError):
    """A catalogue file that cannot be loaded; the message names the row and the field."""


class RowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    seed_row: int | None = None
    text_fr: Text
    text_en: Text
    parties: Annotated[list[CatalogueParty], Field(min_length=1, max_length=4)]
    ims_eligible: bool = False
    # False: the row's items need not be closed before go-live (tracker.golive).
    blocks_go_live: bool = True
    condition: Condition | None = None
    phase: Phase
    due: Annotated[
        str, StringConstraints(pattern=f"{DUE_PATTERN.pattern}|{FOLLOW_DUE_PATTERN.pattern}")
    ]
    follows: Key | None = None
    marks_inferred: bool = True
    confidence: Confidence | None = None
    rationale: Annotated[str, StringConstraints(max_length=4000)] | None = None
    # Who answers for the row's items when not the party it names; who contributes to them.
    accountable: CatalogueParty | None = None
    contributors: Annotated[list[CatalogueParty], Field(max_length=4)] = []
    raci_confidence: Confidence | None = None
    raci_rationale: Annotated[str, StringConstraints(max_length=4000)] | None = None
    rationale_fr: Annotated[str, StringConstraints(max_length=4000)] | None = None
    # How often the row's items are reviewed once the project is in operations.
    review_every: ReviewRhythm | None = None

    # One way of writing each row, whatever the file's (as the tables store it): parties in
    # the catalogue's order, a due offset without padding or sign trouble ("K+05", "G-0" are
    # "K+5", "G+0"). A version exported again (tracker.catalogue.export) reads the same.
    @field_validator("parties")
    @classmethod
    def _parties_in_order(cls, parties: list[CatalogueParty]) -> list[CatalogueParty]:
        return sorted(parties, key=list(CatalogueParty).index)

    @field_validator("due")
    @classmethod
    def _due_as_stored(cls, due: str) -> str:
        if FOLLOW_DUE_PATTERN.match(due):
            return f"+{int(due[1:])}"
        return f"{due[0]}{int(due[1:]):+d}"

    @model_validator(mode="after")
    def _consistent(self) -> RowSpec:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties: a party is listed twice")
        if self.ims_eligible and CatalogueParty.CLIENT not in self.parties:
            raise ValueError("ims_eligible: only a client row can be taken over by IMS")
        if CatalogueParty.IMS in self.parties and self.condition is not Condition.IMS_CONTRACT:
            raise ValueError("condition: an IMS row needs the condition ims_contract")
        self._consistent_raci()
        if self.follows is None and self.follow_days is not None:
            raise ValueError('due: "+n" is for a row that follows another (follows)')
        if self.follows is not None and self.follow_days is None:
            raise ValueError('due: a row that follows another falls due "+n" days after it')
        if self.follows == self.key:
            raise ValueError("follows: a row cannot follow itself")
        if self.review_every is not None and self.phase is not Phase.OPERATIONS:
            raise ValueError(
                "review_every: only an operations row is a standing responsibility to review"
            )
        return self

    def _consistent_raci(self) -> None:
        if self.accountable is not None and self.parties == [self.accountable]:
            raise ValueError(
                "accountable: the row's own party answers for it already; leave accountable out"
            )
        if len(set(self.contributors)) != len(self.contributors):
            raise ValueError("contributors: a party is listed twice")
        if owners := [p.value for p in self.contributors if p in self.parties]:
            raise ValueError(f"contributors: {', '.join(owners)} already does the work")
        if self.accountable in self.contributors:
            raise ValueError(f"contributors: {self.accountable.value} is the accountable party")
        for field, marks in (
            ("accountable", [self.accountable]),
            ("contributors", self.contributors),
        ):
            if CatalogueParty.IMS in marks and self.condition is not Condition.IMS_CONTRACT:
                raise ValueError(f"{field}: IMS takes part only with the condition ims_contract")

    @property
    def follow_days(self) -> int | None:
        """n of a "+n" due date: the days after the followed row's (None for K/G)."""
        match = FOLLOW_DUE_PATTERN.match(self.due)
        return int(match["days"]) if match else None

    @property
    def anchor(self) -> Anchor:
        """The milestone of a K/G due date (a row that follows another: the followed row's,
        ``CatalogueSpec.due_of``)."""
        return Anchor.KICKOFF if self.due[0] == "K" else Anchor.GO_LIVE

    @property
    def offset_days(self) -> int:
        return int(self.due[1:])


# The row fields added after catalogues were first loaded, with their defaults.
LATER_FIELDS = {
    "accountable": None,
    "contributors": [],
    "raci_confidence": None,
    "raci_rationale": None,
    "rationale_fr": None,
    "follows": None,
    "review_every": None,
    "blocks_go_live": True,
}


class AreaSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    title_fr: Text
    title_en: Text
    note_fr: Annotated[str, StringConstraints(max_length=4000)] | None = None
    note_en: Annotated[str, StringConstraints(max_length=4000)] | None = None
    rows: Annotated[list[RowSpec], Field(min_length=1)]


class CatalogueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Annotated[str, StringConstraints(max_length=255)] = "catalogue"
    areas: Annotated[list[AreaSpec], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_keys(self) -> CatalogueSpec:
        seen_areas: set[str] = set()
        seen_rows: set[str] = set()
        for area in self.areas:
            if area.key in seen_areas:
                raise ValueError(f"area {area.key!r}: key: duplicate area key")
            seen_areas.add(area.key)
            for row in area.rows:
                if row.key in seen_rows:
                    raise ValueError(f"row {row.key!r}: key: duplicate row key")
                seen_rows.add(row.key)
        return self

    @model_validator(mode="after")
    def _follows_rows_that_lead(self) -> CatalogueSpec:
        """A row follows a row of the catalogue that gives one item per project (one party
        mark: the item its items fall due after), and no row follows itself round a cycle."""
        rows = self.rows_by_key
        for row in rows.values():
            if row.follows is None:
                continue
            followed = rows.get(row.follows)
            if followed is None:
                raise ValueError(f"row {row.key!r}: follows: no row has the key {row.follows!r}")
            if len(followed.parties) != 1:
                raise ValueError(
                    f"row {row.key!r}: follows: the row it follows must have one party, to "
                    "give one item per project"
                )
            seen = [row.key]
            while followed is not None:
                if followed.key in seen:
                    cycle = " -> ".join([*seen, followed.key])
                    raise ValueError(f"row {row.key!r}: follows: a cycle ({cycle})")
                seen.append(followed.key)
                followed = rows.get(followed.follows) if followed.follows else None
        return self

    @property
    def rows_by_key(self) -> dict[str, RowSpec]:
        return {row.key: row for area in self.areas for row in area.rows}

    def due_of(self, row: RowSpec) -> tuple[Anchor, int]:
        """A row's default due date as a milestone and an offset: a row that follows another
        falls due its ``+n`` days after the followed row's."""
        if row.follows is None:
            return row.anchor, row.offset_days
        anchor, offset = self.due_of(self.rows_by_key[row.follows])
        return anchor, offset + row.follow_days

    @property
    def checksum(self) -> str:
        """The content's fingerprint: a file that leaves a field out (or gives its default)
        has the checksum of one that gives it. The fields added since the first catalogues
        (``LATER_FIELDS``) count only when given: a catalogue without them keeps the
        checksum it was loaded with, and loading it again changes nothing."""
        content = self.model_dump(mode="json")
        for area in content["areas"]:
            for row in area["rows"]:
                for field, default in LATER_FIELDS.items():
                    if row[field] == default:
                        del row[field]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def content(self) -> dict:
        """The areas and rows, which a version is: ``source`` only says where they came from."""
        return self.model_dump(mode="json", exclude={"source"})


def _describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location such as ('areas', 3, 'rows', 1, 'due') into words."""
    parts: list[str] = []
    node = data
    index = 0
    while index < len(loc):
        step = loc[index]
        if step in ("areas", "rows") and index + 1 < len(loc) and isinstance(loc[index + 1], int):
            position = loc[index + 1]
            try:
                node = node[step][position]
                key = node.get("key") if isinstance(node, dict) else None
            except (KeyError, IndexError, TypeError):
                node, key = None, None
            noun = "area" if step == "areas" else "row"
            parts.append(f"{noun} {position + 1}" + (f" ({key})" if key else ""))
            index += 2
            continue
        parts.append(f"field '{step}'")
        node = None
        index += 1
    return ", ".join(parts) or "file"


def parse_catalogue(text: str) -> CatalogueSpec:
    """Parse and validate catalogue YAML; raise CatalogueError naming the row and the field."""
    try:
        data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogueError(f"not valid YAML: {exc}") from exc
    return validate_catalogue(data)


def validate_catalogue(data: Any) -> CatalogueSpec:
    """Validate a catalogue read from a file (or a draft, held in the file's format); raise
    CatalogueError naming the row and the field. The one set of rules a catalogue meets."""
    if not isinstance(data, dict):
        raise CatalogueError("the file must be a mapping with 'areas'")
    try:
        return CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            where = _describe_location(data, tuple(error["loc"]))
            message = error["msg"].removeprefix("Value error, ")
            messages.append(f"{where}: {message}")
        raise CatalogueError("; ".join(messages)) from exc


@dataclass(frozen=True)
class LoadResult:
    version: CatalogueVersion
    created: bool


def load_catalogue(spec: CatalogueSpec, *, source: str | None = None) -> LoadResult:
    """Store ``spec`` as a new version unless it holds the current one's areas and rows, in
    the same order (its ``source`` and the file's comments are no content). Flushes, never
    commits."""
    latest = current_version()
    checksum = spec.checksum
    if latest is not None and (
        latest.checksum == checksum or spec.content == spec_of(latest).content
    ):
        return LoadResult(latest, created=False)
    version = CatalogueVersion(
        number=(latest.number + 1) if latest else 1,
        checksum=checksum,
        source=(source or spec.source)[:255],
    )
    db.session.add(version)
    position = 0
    loaded: dict[str, Responsibility] = {}
    for area_position, area_spec in enumerate(spec.areas, start=1):
        area = Area(
            version=version,
            key=area_spec.key,
            position=area_position,
            title_fr=area_spec.title_fr,
            title_en=area_spec.title_en,
            note_fr=area_spec.note_fr,
            note_en=area_spec.note_en,
        )
        for row in area_spec.rows:
            position += 1
            anchor, offset = spec.due_of(row)
            area.responsibilities.append(
                Responsibility(
                    version=version,
                    key=row.key,
                    position=position,
                    seed_row=row.seed_row,
                    text_fr=row.text_fr,
                    text_en=row.text_en,
                    party_infor=CatalogueParty.INFOR in row.parties,
                    party_client=CatalogueParty.CLIENT in row.parties,
                    party_ims=CatalogueParty.IMS in row.parties,
                    party_implementer=CatalogueParty.IMPLEMENTER in row.parties,
                    ims_eligible=row.ims_eligible,
                    blocks_go_live=row.blocks_go_live,
                    condition=row.condition,
                    phase=row.phase,
                    due_anchor=anchor,
                    due_offset_days=offset,
                    follow_days=row.follow_days,
                    marks_inferred=row.marks_inferred,
                    confidence=row.confidence,
                    rationale=row.rationale,
                    accountable=row.accountable,
                    contributors=[p.value for p in row.contributors],
                    raci_confidence=row.raci_confidence,
                    raci_rationale=row.raci_rationale,
                    rationale_fr=row.rationale_fr,
                    review_every=row.review_every,
                )
            )
            loaded[row.key] = area.responsibilities[-1]
        db.session.add(area)
    for key, row in spec.rows_by_key.items():
        if row.follows is not None:
            loaded[key].follows = loaded[row.follows]
    db.session.flush()
    return LoadResult(version, created=True)


def load_catalogue_file(path: Path | str) -> LoadResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read {path}: {exc}") from exc
    return load_catalogue(parse_catalogue(text), source=path.name)


# How the tables hold the loader's fields that they do not store as they are: a row's
# ``parties`` are four marks, its ``due`` an anchor and an offset (or, for a row that follows
# another, ``follow_days``), ``follows`` the followed row itself. Every other field of
# RowSpec and AreaSpec is read from the attribute of the same name.
STORED_AS = {
    "parties": lambda row: row.parties,
    "due": lambda row: f"+{row.follow_days}" if row.follows_id else row.due_label,
    "follows": lambda row: row.follows.key if row.follows_id else None,
}


def _fields(spec: type[BaseModel], stored, *, leave_out: set[str]) -> dict[str, Any]:
    values = {}
    for name in spec.model_fields:
        if name in leave_out:
            continue
        if name in STORED_AS:
            values[name] = STORED_AS[name](stored)
        elif hasattr(stored, name):
            values[name] = getattr(stored, name)
        else:  # a field added to the loader but not here: say where to add it
            raise AttributeError(
                f"{type(stored).__name__} has no {name!r}: say how the tables hold the "
                f"loader's field {spec.__name__}.{name} in STORED_AS (tracker/catalogue/loader.py)"
            )
    return values


def spec_of(version: CatalogueVersion) -> CatalogueSpec:
    """``version`` as the catalogue file it was loaded from would be read: the inverse of
    ``load_catalogue``, field by field of the loader's models, whatever fields they have.
    Its ``source`` is the version's (the name of the file it was loaded from)."""
    areas = db.session.scalars(areas_select(version.id)).all()
    return CatalogueSpec.model_validate(
        {
            "source": version.source,
            "areas": [
                {
                    **_fields(AreaSpec, area, leave_out={"rows"}),
                    "rows": [
                        _fields(RowSpec, row, leave_out=set()) for row in area.responsibilities
                    ],
                }
                for area in areas
            ],
        }
    )
