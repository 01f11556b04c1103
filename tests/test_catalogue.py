"""Loading the responsibility catalogue (seeds/catalogue.yaml) and its versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tests import factories
from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
from tracker.catalogue.queries import current_version
from tracker.enums import Anchor, CatalogueParty, Confidence, Role
from tracker.extensions import db
from tracker.models import Area, CatalogueVersion, Project, Responsibility

SOURCE_DOCUMENT = Path(__file__).parents[2] / "shared" / "seed" / "000_2bbffe0ec1d75865.txt"

# The matrix (shared/catalogue-matrix.md) reads the source document as 14 areas, 28 rows.
AREA_COUNT = 14
ROW_COUNT = 28


def seed_data() -> dict:
    return yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def seed_row(data: dict, key: str) -> dict:
    return next(row for area in data["areas"] for row in area["rows"] if row["key"] == key)


def write_catalogue(tmp_path: Path, change: Callable[[dict], None]) -> Path:
    """A copy of the default catalogue with ``change`` applied, written to ``tmp_path``."""
    data = seed_data()
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def version_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueVersion))


def responsibility_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Responsibility))


def rows_of(version: CatalogueVersion) -> list[Responsibility]:
    return list(
        db.session.scalars(
            sa.select(Responsibility)
            .where(Responsibility.version_id == version.id)
            .order_by(Responsibility.position)
        )
    )


def load(runner, path: Path | str):
    return runner.invoke(args=["catalogue", "load", str(path)])


@pytest.fixture
def people(ctx):
    customer = factories.organisation("Catalogue Customer")
    csm = factories.user("csm.catalogue@t.test", Role.CSM)
    return customer.id, csm.id


# --- the default catalogue --------------------------------------------------------------


def test_default_catalogue_loads_fourteen_areas(ctx):
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    assert len(version.areas) == AREA_COUNT
    assert [area.position for area in version.areas] == list(range(1, AREA_COUNT + 1))


def test_default_catalogue_loads_twenty_eight_rows_in_seed_order(ctx):
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    rows = rows_of(version)
    assert [row.seed_row for row in rows] == list(range(1, ROW_COUNT + 1))
    assert [row.position for row in rows] == list(range(1, ROW_COUNT + 1))


def test_rows_keep_the_keys_of_the_file_and_no_key_repeats(ctx):
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    keys = [row.key for row in rows_of(version)]
    expected = [row["key"] for area in seed_data()["areas"] for row in area["rows"]]
    assert keys == expected
    assert len(set(keys)) == len(keys)


def test_rows_are_grouped_under_the_area_of_the_file(ctx):
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    stored = {area.key: [row.key for row in area.responsibilities] for area in version.areas}
    expected = {area["key"]: [row["key"] for row in area["rows"]] for area in seed_data()["areas"]}
    assert stored == expected


def test_every_french_text_occurs_verbatim_in_the_source_document(ctx):
    if not SOURCE_DOCUMENT.is_file():
        pytest.skip(f"source document {SOURCE_DOCUMENT} is not on this machine")
    source = SOURCE_DOCUMENT.read_text(encoding="utf-8")
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    rows = rows_of(version)
    assert len(rows) == ROW_COUNT
    assert [row.key for row in rows if row.text_fr not in source] == []


def test_the_seed_names_the_contributors_its_wording_gives_and_no_other_accountable(ctx):
    """Rows 6 and 25 "en partenariat avec le client", row 7 "avec le prestataire de services
    et le client", row 16's refreshes "selon la demande écrite du client"."""
    rows = rows_of(load_catalogue_file(DEFAULT_CATALOGUE).version)
    assert {row.seed_row: row.contributor_marks for row in rows if row.contributors} == {
        6: [CatalogueParty.CLIENT],
        7: [CatalogueParty.IMPLEMENTER, CatalogueParty.CLIENT],
        16: [CatalogueParty.CLIENT],
        25: [CatalogueParty.CLIENT],
    }
    assert [row.seed_row for row in rows if row.accountable] == []


def test_the_seed_says_how_sure_each_reading_of_contributors_is_and_why(ctx):
    rows = rows_of(load_catalogue_file(DEFAULT_CATALOGUE).version)
    read = [row for row in rows if row.contributors]
    assert {row.seed_row: row.raci_confidence for row in read} == {
        6: Confidence.HIGH,
        7: Confidence.MEDIUM,
        16: Confidence.MEDIUM,
        25: Confidence.HIGH,
    }
    assert all(row.raci_rationale for row in read)


def test_default_catalogue_is_loaded_by_the_cli_without_a_path(runner, ctx):
    result = runner.invoke(args=["catalogue", "load"])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    assert f"{AREA_COUNT} areas, {ROW_COUNT} rows" in result.output
    assert version_count() == 1


# --- versions ---------------------------------------------------------------------------


def test_loading_the_same_file_twice_creates_no_second_version(runner, ctx):
    first = load(runner, DEFAULT_CATALOGUE)
    assert first.exit_code == 0, first.output
    rows_after_first = responsibility_count()

    second = load(runner, DEFAULT_CATALOGUE)

    assert second.exit_code == 0, second.output
    assert "unchanged" in second.output
    assert version_count() == 1
    assert responsibility_count() == rows_after_first


def test_loading_a_changed_file_creates_version_two(runner, ctx, tmp_path):
    factories.catalogue()
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="K+9")
    )

    result = load(runner, path)

    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert version_count() == 2
    assert current_version().number == 2
    changed = next(row for row in rows_of(current_version()) if row.key == "welcome_customer")
    assert (changed.due_anchor, changed.due_offset_days) == (Anchor.KICKOFF, 9)


def test_a_new_version_keeps_the_row_keys_of_the_old_one(runner, ctx, tmp_path):
    first = factories.catalogue()
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, "track_adoption").update(text_en="Changed.")
    )
    assert load(runner, path).exit_code == 0

    second = current_version()
    assert second.id != first.id
    assert [row.key for row in rows_of(second)] == [row.key for row in rows_of(first)]


def test_project_created_before_a_new_version_keeps_version_one_and_its_items(
    runner, ctx, tmp_path, people
):
    customer_id, csm_id = people
    project = factories.project(customer_id, csm_id)
    items_before = [
        (item.id, item.responsibility_id, item.party, item.status, item.due_date)
        for item in factories.items_of(project.id)
    ]
    path = write_catalogue(
        tmp_path,
        lambda data: seed_row(data, "welcome_customer").update(due="K+9", text_en="Changed."),
    )
    assert load(runner, path).exit_code == 0
    db.session.expire_all()

    project = db.session.get(Project, project.id)
    assert project.catalogue_version.number == 1
    items_after = [
        (item.id, item.responsibility_id, item.party, item.status, item.due_date)
        for item in factories.items_of(project.id)
    ]
    assert items_after == items_before
    assert {item.responsibility.version_id for item in factories.items_of(project.id)} == {
        project.catalogue_version_id
    }


def test_project_created_after_a_new_version_uses_version_two(runner, ctx, tmp_path, people):
    customer_id, csm_id = people
    factories.catalogue()
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, "welcome_customer").update(due="K+9")
    )
    assert load(runner, path).exit_code == 0

    project = factories.project(customer_id, csm_id)

    assert project.catalogue_version.number == 2
    items = factories.items_of(project.id)
    assert {item.responsibility.version_id for item in items} == {project.catalogue_version_id}
    welcome = factories.item_of(project.id, "welcome_customer")
    assert (welcome.due_date - project.kickoff_date).days == 9


# --- accountable and contributors --------------------------------------------------------

# A catalogue of one row, as catalogues were written before rows named an accountable party
# and contributors, and the checksum the loader of that time gave it.
BEFORE_ACCOUNTABLE = """\
source: "tiny"
areas:
  - key: welcome
    title_fr: "Accueil"
    title_en: "Welcome"
    rows:
      - key: welcome_customer
        text_fr: "Souhaiter la bienvenue."
        text_en: "Welcome the customer."
        parties: [infor]
        phase: onboarding
        due: "K+5"
"""
BEFORE_ACCOUNTABLE_CHECKSUM = "a2fe45ae0b7fbddd85709133feb167671ac8c456d817d93ff87214e964a55358"


def test_a_catalogue_loaded_before_rows_had_contributors_is_unchanged_when_loaded_again(
    runner, ctx, tmp_path
):
    """A database holding a version loaded by the earlier loader: the same file again is
    that version, not a new one."""
    db.session.add(
        CatalogueVersion(number=1, checksum=BEFORE_ACCOUNTABLE_CHECKSUM, source="tiny.yaml")
    )
    db.session.commit()
    path = tmp_path / "tiny.yaml"
    path.write_text(BEFORE_ACCOUNTABLE, encoding="utf-8")

    result = load(runner, path)

    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert version_count() == 1


def _with_contributors(data: dict) -> None:
    seed_row(data, "maintain_databases").update(
        accountable="client", contributors=["implementer"], raci_confidence="low"
    )


def test_a_row_keeps_its_accountable_party_contributors_and_their_confidence(runner, ctx, tmp_path):
    path = write_catalogue(tmp_path, _with_contributors)

    assert load(runner, path).exit_code == 0

    row = next(row for row in rows_of(current_version()) if row.key == "maintain_databases")
    assert (row.accountable, row.contributor_marks, row.raci_confidence) == (
        CatalogueParty.CLIENT,
        [CatalogueParty.IMPLEMENTER],
        Confidence.LOW,
    )


def test_a_row_without_them_has_no_accountable_party_and_no_contributors(ctx):
    version = load_catalogue_file(DEFAULT_CATALOGUE).version
    row = next(row for row in rows_of(version) if row.key == "welcome_customer")
    assert (row.accountable, row.contributors, row.raci_confidence) == (None, [], None)


def test_loading_a_file_with_contributors_twice_creates_no_second_version(runner, ctx, tmp_path):
    path = write_catalogue(tmp_path, _with_contributors)
    assert load(runner, path).exit_code == 0

    second = load(runner, path)

    assert "unchanged" in second.output
    assert version_count() == 1


def test_changing_only_a_rows_contributors_creates_a_new_version(runner, ctx, tmp_path):
    factories.catalogue()
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, "track_adoption").update(contributors=["client"])
    )

    result = load(runner, path)

    assert "version 2" in result.output
    assert version_count() == 2


# --- refused files ----------------------------------------------------------------------


def _set(key: str, field: str, value) -> Callable[[dict], None]:
    return lambda data: seed_row(data, key).update({field: value})


def _drop(key: str, field: str) -> Callable[[dict], None]:
    return lambda data: seed_row(data, key).pop(field)


def _duplicate_key(data: dict) -> None:
    data["areas"][0]["rows"][1]["key"] = data["areas"][0]["rows"][0]["key"]


@pytest.mark.parametrize(
    ("change", "row_key", "field"),
    [
        pytest.param(
            _set("welcome_customer", "phase", "launch"),
            "welcome_customer",
            "phase",
            id="invalid-phase",
        ),
        pytest.param(
            _drop("deliver_initial_deployment", "text_fr"),
            "deliver_initial_deployment",
            "text_fr",
            id="missing-text_fr",
        ),
        pytest.param(_set("track_adoption", "due", "X+3"), "track_adoption", "due", id="bad-due"),
        pytest.param(_duplicate_key, "welcome_customer", "key", id="duplicate-row-key"),
        pytest.param(
            _set("maintain_databases", "parties", ["infor", "vendor"]),
            "maintain_databases",
            "parties",
            id="unknown-party",
        ),
        pytest.param(
            _set("operate_infrastructure", "ims_eligible", True),
            "operate_infrastructure",
            "ims_eligible",
            id="ims-eligible-non-client-row",
        ),
        pytest.param(
            _set("maintain_databases", "accountable", "vendor"),
            "maintain_databases",
            "accountable",
            id="unknown-accountable-party",
        ),
        pytest.param(
            _set("maintain_databases", "contributors", ["client", "vendor"]),
            "maintain_databases",
            "contributors",
            id="unknown-contributor",
        ),
        pytest.param(
            _set("maintain_databases", "accountable", "infor"),
            "maintain_databases",
            "accountable",
            id="accountable-is-the-rows-own-party",
        ),
        pytest.param(
            _set("maintain_databases", "contributors", ["client", "client"]),
            "maintain_databases",
            "contributors",
            id="contributor-listed-twice",
        ),
        pytest.param(
            _set("maintain_databases", "contributors", ["infor"]),
            "maintain_databases",
            "contributors",
            id="contributor-does-the-work",
        ),
        pytest.param(
            lambda data: seed_row(data, "maintain_databases").update(
                accountable="client", contributors=["client"]
            ),
            "maintain_databases",
            "contributors",
            id="contributor-is-accountable",
        ),
        pytest.param(
            _set("maintain_databases", "contributors", ["ims"]),
            "maintain_databases",
            "contributors",
            id="ims-contributor-without-a-contract",
        ),
        pytest.param(
            _set("maintain_databases", "accountable", "ims"),
            "maintain_databases",
            "accountable",
            id="ims-accountable-without-a-contract",
        ),
        pytest.param(
            _set("maintain_databases", "raci_confidence", "certain"),
            "maintain_databases",
            "raci_confidence",
            id="unknown-raci-confidence",
        ),
    ],
)
def test_malformed_row_is_refused_naming_the_row_and_the_field(
    runner, ctx, tmp_path, change, row_key, field
):
    factories.catalogue()
    versions, rows = version_count(), responsibility_count()
    path = write_catalogue(tmp_path, change)

    result = load(runner, path)

    assert result.exit_code != 0
    assert "Catalogue refused" in result.output
    assert row_key in result.output
    assert field in result.output
    assert (version_count(), responsibility_count()) == (versions, rows)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("areas: [key: x\n  - : :", "not valid YAML", id="yaml-syntax-error"),
        pytest.param(
            "- key: customer_welcome\n- key: provisioning\n",
            "must be a mapping",
            id="top-level-list",
        ),
        pytest.param("just a sentence\n", "must be a mapping", id="top-level-scalar"),
        pytest.param("", "must be a mapping", id="empty-file"),
    ],
)
def test_file_that_is_not_a_catalogue_mapping_is_refused(runner, ctx, tmp_path, content, message):
    path = tmp_path / "catalogue.yaml"
    path.write_text(content, encoding="utf-8")

    result = load(runner, path)

    assert result.exit_code != 0
    assert message in result.output
    assert version_count() == 0


def test_missing_file_is_refused(runner, ctx, tmp_path):
    missing = tmp_path / "no-such-catalogue.yaml"

    result = load(runner, missing)

    assert result.exit_code != 0
    assert "cannot read" in result.output
    assert str(missing) in result.output
    assert version_count() == 0


def test_file_that_is_not_utf8_is_refused(runner, ctx, tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(DEFAULT_CATALOGUE.read_text(encoding="utf-8").encode("utf-16"))

    result = load(runner, path)

    assert result.exit_code != 0
    assert "cannot read" in result.output
    assert version_count() == 0


def test_directory_is_refused_as_a_catalogue_path(runner, ctx, tmp_path):
    result = load(runner, tmp_path)

    assert result.exit_code != 0
    assert version_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Area)) == 0


def test_refused_file_leaves_new_projects_on_the_current_version(runner, ctx, tmp_path, people):
    customer_id, csm_id = people
    factories.catalogue()
    path = write_catalogue(tmp_path, _set("welcome_customer", "due", "K+"))
    assert load(runner, path).exit_code != 0

    project = factories.project(customer_id, csm_id)

    assert project.catalogue_version.number == 1
    assert version_count() == 1
