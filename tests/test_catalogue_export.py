"""Exporting a catalogue version as the YAML that `catalogue load` reads, and loading it again:
the same version ("unchanged")."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml

from tests import factories
from tests.test_catalogue import seed_row, version_count, write_catalogue
from tracker.catalogue.loader import CatalogueSpec, RowSpec, load_catalogue, parse_catalogue
from tracker.extensions import db
from tracker.models import Responsibility


def export(runner, *args: str):
    return runner.invoke(args=["catalogue", "export", *args])


def load(runner, path: Path):
    return runner.invoke(args=["catalogue", "load", str(path)])


def test_the_seed_version_exported_and_loaded_again_is_unchanged(runner, ctx, tmp_path):
    factories.catalogue()
    exported = tmp_path / "exported.yaml"
    assert export(runner, str(exported)).exit_code == 0

    result = load(runner, exported)

    assert result.exit_code == 0, result.output
    assert "Catalogue unchanged: version 1 is current." in result.output
    assert version_count() == 1


def test_a_version_from_a_changed_file_exported_and_loaded_again_is_unchanged(
    runner, ctx, tmp_path
):
    factories.catalogue()

    def change(data: dict) -> None:
        seed_row(data, "welcome_customer").update(due="G-3", parties=["client", "infor"])
        data["areas"][0]["rows"].reverse()
        data["areas"][1]["note_en"] = "A note.\nOn two lines."

    assert load(runner, write_catalogue(tmp_path, change)).exit_code == 0
    exported = tmp_path / "v2.yaml"
    assert export(runner, str(exported)).exit_code == 0

    result = load(runner, exported)

    assert "Catalogue unchanged: version 2 is current." in result.output
    assert version_count() == 2


def test_an_older_version_exported_and_loaded_becomes_the_newest_again(runner, ctx, tmp_path):
    factories.catalogue()
    changed = write_catalogue(
        tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="K+9")
    )
    assert load(runner, changed).exit_code == 0
    old = tmp_path / "v1.yaml"
    assert export(runner, "--version", "1", str(old)).exit_code == 0

    result = load(runner, old)

    assert "Loaded catalogue version 3" in result.output
    due = sa.select(Responsibility.due_offset_days).where(Responsibility.key == "welcome_customer")
    assert db.session.scalars(due.order_by(Responsibility.version_id)).all() == [5, 9, 5]


def test_export_to_standard_output_writes_the_yaml_there_and_the_summary_apart(runner, ctx):
    factories.catalogue()

    result = export(runner, "-")

    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert [area["key"] for area in data["areas"]][:2] == ["customer_welcome", "provisioning"]
    assert "Exported catalogue version 1 (14 areas, 28 rows) to standard output." in result.stderr


def test_the_export_names_every_field_of_the_loader_on_every_row(runner, ctx):
    factories.catalogue()

    rows = [
        row for area in yaml.safe_load(export(runner, "-").stdout)["areas"] for row in area["rows"]
    ]

    assert {tuple(row) for row in rows} == {tuple(RowSpec.model_fields)}


def test_an_unknown_version_is_refused(runner, ctx, tmp_path):
    factories.catalogue()
    target = tmp_path / "v7.yaml"

    result = export(runner, "--version", "7", str(target))

    assert result.exit_code != 0
    assert "There is no catalogue version 7." in result.output
    assert not target.exists()


def test_without_a_catalogue_the_export_says_so(runner, ctx, tmp_path):
    result = export(runner, str(tmp_path / "none.yaml"))

    assert result.exit_code != 0
    assert "No catalogue is loaded." in result.output


def test_an_export_into_a_missing_directory_says_it_cannot_write(runner, ctx, tmp_path):
    factories.catalogue()
    target = tmp_path / "missing" / "catalogue.yaml"

    result = export(runner, str(target))

    assert result.exit_code != 0
    assert f"cannot write {target}" in result.output


# Texts YAML would read as something else if written as they are: nulls, booleans, numbers,
# comments, mappings, lists, quotes, line breaks, spaces at the ends, no-break spaces...
AWKWARD = [
    "null",
    "yes",
    "0x1F",
    "1e3",
    "# not a comment",
    "key: value",
    "- a list?",
    "'quoted' and \"double\"",
    "K+5",
    "~",
    "@at",
    "%percent",
    "line one\nline two",
    "trailing spaces   \nand more  ",
    "  leading spaces\n",
    "\n\nblank lines first",
    "tab\there",
    "no\u00a0break ; space",
    "\u202eright to left\u202c",
    "emoji 🚀 and 日本語",
    "a" * 3000 + " " + "b" * 900,
]


def awkward_catalogue() -> CatalogueSpec:
    rows = [
        {
            "key": f"row_{number}",
            "text_fr": f"Texte {number}",
            "text_en": f"Text {number}",
            "parties": ["infor"],
            "phase": "onboarding",
            "due": "K+1",
            "rationale": text,
        }
        for number, text in enumerate(AWKWARD)
    ]
    return CatalogueSpec.model_validate(
        {
            "source": "awkward: # source",
            "areas": [
                {"key": "awkward", "title_fr": "yes", "title_en": "null", "rows": rows},
                {
                    "key": "notes",
                    "title_fr": "Notes",
                    "title_en": "Notes",
                    "note_fr": "ligne\nligne",
                    "note_en": "  ",
                    "rows": [{**rows[0], "key": "note_row"}],
                },
            ],
        }
    )


def test_awkward_texts_are_exported_as_they_are_stored(runner, ctx, tmp_path):
    load_catalogue(awkward_catalogue())
    exported = tmp_path / "awkward.yaml"
    assert export(runner, str(exported)).exit_code == 0

    read_back = parse_catalogue(exported.read_text(encoding="utf-8"))

    rationales = [row.rationale for row in read_back.areas[0].rows]
    assert rationales == AWKWARD
    assert read_back.areas[0].title_en == "null"
    assert (read_back.areas[1].note_fr, read_back.areas[1].note_en) == ("ligne\nligne", "  ")
    assert "Catalogue unchanged: version 1 is current." in load(runner, exported).output


# --- what counts as a change when loading -------------------------------------------------


def test_parties_in_another_order_and_a_padded_due_are_the_same_version(runner, ctx, tmp_path):
    factories.catalogue()

    def rewrite(data: dict) -> None:
        seed_row(data, "welcome_customer").update(due="K+05")
        seed_row(data, "maintain_relationship").update(parties=["client", "infor"])

    result = load(runner, write_catalogue(tmp_path, rewrite))

    assert "Catalogue unchanged: version 1 is current." in result.output


def test_a_file_that_differs_only_by_its_source_line_is_the_same_version(runner, ctx, tmp_path):
    factories.catalogue()

    result = load(runner, write_catalogue(tmp_path, lambda data: data.update(source="Elsewhere")))

    assert "Catalogue unchanged: version 1 is current." in result.output
