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
from tracker.enums import Anchor, CatalogueParty, Condition, Confidence, Phase
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
    condition: Condition | None = None
    phase: Phase
    due: Annotated[str, StringConstraints(pattern=DUE_PATTERN.pattern)]
    marks_inferred: bool = True
    confidence: Confidence | None = None
    rationale: Annotated[str, StringConstraints(max_length=4000)] | None = None

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
        return f"{due[0]}{int(due[1:]):+d}"

    @model_validator(mode="after")
    def _consistent(self) -> RowSpec:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties: a party is listed twice")
        if self.ims_eligible and CatalogueParty.CLIENT not in self.parties:
            raise ValueError("ims_eligible: only a client row can be taken over by IMS")
        if CatalogueParty.IMS in self.parties and self.condition is not Condition.IMS_CONTRACT:
            raise ValueError("condition: an IMS row needs the condition ims_contract")
        return self

    @property
    def anchor(self) -> Anchor:
        return Anchor.KICKOFF if self.due[0] == "K" else Anchor.GO_LIVE

    @property
    def offset_days(self) -> int:
        return int(self.due[1:])


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

    @property
    def checksum(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
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
                    condition=row.condition,
                    phase=row.phase,
                    due_anchor=row.anchor,
                    due_offset_days=row.offset_days,
                    marks_inferred=row.marks_inferred,
                    confidence=row.confidence,
                    rationale=row.rationale,
                )
            )
        db.session.add(area)
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
# ``parties`` are four marks, its ``due`` an anchor and an offset. Every other field of
# RowSpec and AreaSpec is read from the attribute of the same name.
STORED_AS = {
    "parties": lambda row: row.parties,
    "due": lambda row: row.due_label,
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
