"""Creating a project instantiates its checklist from the catalogue rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.test_catalogue import seed_row, write_catalogue
from tracker.catalogue.loader import load_catalogue_file
from tracker.catalogue.queries import current_version
from tracker.enums import (
    Anchor,
    Condition,
    Deployment,
    Environment,
    Implementer,
    OrganisationKind,
    Party,
    Role,
    Status,
)
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Responsibility, User
from tracker.projects.services import create_project
from tracker.timeutil import today

# shared/catalogue-matrix.md: "a multi-tenant PROD project with no IMS contract, implemented
# by Infor, with no data migration and no VPN, gets rows 1-6, 8-9, 11-17, 19-28 = 25 rows,
# 26 items (row 28 gives two)".
DEFAULT_PROJECT_SEED_ROWS = {*range(1, 7), 8, 9, *range(11, 18), *range(19, 29)}
DEFAULT_PROJECT_ITEM_COUNT = 26


@pytest.fixture
def people(ctx):
    """A customer, a partner and a CSM to create projects with (ids)."""
    factories.catalogue()
    customer = factories.organisation("Instantiation Customer")
    partner = factories.organisation("Instantiation Partner", OrganisationKind.PARTNER)
    csm = factories.user("csm.instantiation@t.test", Role.CSM)
    return {"customer_id": customer.id, "partner_id": partner.id, "csm_id": csm.id}


def new_project(people, **overrides) -> Project:
    return factories.project(people["customer_id"], people["csm_id"], **overrides)


def applies(row: Responsibility, project: Project) -> bool:
    """The matrix's reading of a row's condition, independent of the service code."""
    return {
        None: True,
        Condition.MULTI_TENANT: project.deployment is Deployment.MULTI_TENANT,
        Condition.NOT_PRE_PROD: project.environment is not Environment.PRE_PROD,
        Condition.IMS_CONTRACT: project.ims_contract,
        Condition.DATA_MIGRATION: project.data_migration,
        Condition.VPN_REQUIRED: project.vpn_required,
    }[row.condition]


def catalogue_rows() -> list[Responsibility]:
    return list(
        db.session.scalars(
            sa.select(Responsibility)
            .where(Responsibility.version_id == current_version().id)
            .order_by(Responsibility.position)
        )
    )


def parties_by_key(project: Project) -> dict[str, set[Party]]:
    """{row key: parties of the project's items for that row}."""
    parties: dict[str, set[Party]] = defaultdict(set)
    for item in factories.items_of(project.id):
        parties[item.responsibility.key].add(item.party)
    return dict(parties)


def item_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChecklistItem))


def project_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


# --- the default project ----------------------------------------------------------------


def test_default_project_gets_the_twenty_five_rows_of_the_matrix(people):
    project = new_project(people)
    seed_rows = {item.responsibility.seed_row for item in factories.items_of(project.id)}
    assert seed_rows == DEFAULT_PROJECT_SEED_ROWS


def test_default_project_gets_twenty_six_items(people):
    project = new_project(people)
    assert len(factories.items_of(project.id)) == DEFAULT_PROJECT_ITEM_COUNT


def test_maintain_relationship_gives_one_item_to_infor_and_one_to_the_client(people):
    project = new_project(people)
    assert parties_by_key(project)["maintain_relationship"] == {Party.INFOR, Party.CLIENT}


def test_every_row_of_the_default_project_yields_its_marked_parties(people):
    project = new_project(people)
    expected = {}
    for row in catalogue_rows():
        if not applies(row, project):
            continue
        parties = set()
        if row.party_infor or row.party_implementer:
            parties.add(Party.INFOR)
        if row.party_client:
            parties.add(Party.CLIENT)
        expected[row.key] = parties
    assert parties_by_key(project) == expected


def test_new_items_start_open_unassigned_and_not_done(people):
    project = new_project(people)
    items = factories.items_of(project.id)
    assert {item.status for item in items} == {Status.TODO}
    assert [item for item in items if item.assignee_id or item.completed_at] == []
    assert not any(item.not_applicable_by_rule for item in items)


# --- conditions -------------------------------------------------------------------------


def _keys_with_condition(condition: Condition) -> set[str]:
    keys = {row.key for row in catalogue_rows() if row.condition is condition}
    assert keys, f"the catalogue has no {condition.value} row to test with"
    return keys


def test_single_tenant_project_gets_no_high_availability_items(people):
    multi_tenant = new_project(people, name="MT")
    single_tenant = new_project(people, name="ST", deployment=Deployment.SINGLE_TENANT)

    dropped = set(parties_by_key(multi_tenant)) - set(parties_by_key(single_tenant))

    assert dropped == _keys_with_condition(Condition.MULTI_TENANT)
    assert set(parties_by_key(single_tenant)) <= set(parties_by_key(multi_tenant))


def test_pre_prod_project_gets_no_monitoring_items(people):
    prod = new_project(people, name="PROD")
    pre_prod = new_project(people, name="PRE-PROD", environment=Environment.PRE_PROD)

    dropped = set(parties_by_key(prod)) - set(parties_by_key(pre_prod))

    assert dropped == _keys_with_condition(Condition.NOT_PRE_PROD)
    assert set(parties_by_key(pre_prod)) <= set(parties_by_key(prod))


def test_data_migration_adds_an_infor_item_to_migrate_legacy_data(people):
    without = parties_by_key(new_project(people, name="No DMF"))
    with_dmf = parties_by_key(new_project(people, name="DMF", data_migration=True))

    added = {key: parties for key, parties in with_dmf.items() if key not in without}

    assert added == {"migrate_legacy_data": {Party.INFOR}}
    assert _keys_with_condition(Condition.DATA_MIGRATION) == {"migrate_legacy_data"}


def test_vpn_required_adds_a_client_item_to_maintain_the_vpn(people):
    without = parties_by_key(new_project(people, name="No VPN"))
    with_vpn = parties_by_key(new_project(people, name="VPN", vpn_required=True))

    added = {key: parties for key, parties in with_vpn.items() if key not in without}

    assert added == {"maintain_vpn": {Party.CLIENT}}


# --- implementer ------------------------------------------------------------------------


def _implementer_keys() -> set[str]:
    keys = {row.key for row in catalogue_rows() if row.party_implementer}
    assert keys == {"lead_implementation"}
    return keys


def test_partner_implementation_makes_lead_implementation_a_partner_item(people):
    project = new_project(people, implementer=Implementer.PARTNER, partner_id=people["partner_id"])
    parties = parties_by_key(project)
    assert {key: parties[key] for key in _implementer_keys()} == {
        "lead_implementation": {Party.PARTNER}
    }
    assert [key for key, marks in parties.items() if Party.PARTNER in marks] == [
        "lead_implementation"
    ]


def test_infor_implementation_makes_lead_implementation_an_infor_item(people):
    project = new_project(people, implementer=Implementer.INFOR)
    parties = parties_by_key(project)
    assert {key: parties[key] for key in _implementer_keys()} == {
        "lead_implementation": {Party.INFOR}
    }
    assert not any(Party.PARTNER in marks for marks in parties.values())


# --- IMS contract -----------------------------------------------------------------------


def _applicable_eligible_keys(project: Project) -> set[str]:
    """IMS-eligible client rows whose condition holds on ``project``."""
    return {
        row.key
        for row in catalogue_rows()
        if row.ims_eligible and row.party_client and applies(row, project)
    }


def test_ims_contract_with_default_scope_assigns_every_eligible_client_row_to_ims(people):
    project = new_project(people, ims_contract=True, ims_scope=None, vpn_required=True)
    parties = parties_by_key(project)
    eligible = _applicable_eligible_keys(project)

    assert eligible
    assert {key: parties[key] for key in eligible} == {key: {Party.IMS} for key in eligible}
    assert project.ims_scope_keys == {row.key for row in catalogue_rows() if row.ims_eligible}


def test_ims_contract_leaves_client_rows_that_are_not_eligible_with_the_client(people):
    project = new_project(people, ims_contract=True, ims_scope=None)
    parties = parties_by_key(project)
    not_eligible = {
        row.key for row in catalogue_rows() if row.party_client and not row.ims_eligible
    }

    assert not_eligible
    assert all(Party.CLIENT in parties[key] for key in not_eligible)
    assert all(Party.IMS not in parties[key] for key in not_eligible)


def test_ims_contract_adds_support_extensions_for_ims(people):
    without = parties_by_key(new_project(people, name="No IMS"))
    with_ims = parties_by_key(new_project(people, name="IMS", ims_contract=True))

    added = {key: parties for key, parties in with_ims.items() if key not in without}

    assert added == {"support_extensions": {Party.IMS}}
    assert _keys_with_condition(Condition.IMS_CONTRACT) == {"support_extensions"}


def test_ims_contract_with_a_partial_scope_moves_only_those_rows(people):
    eligible = sorted(row.key for row in catalogue_rows() if row.ims_eligible)
    scope = set(eligible[:2])
    project = new_project(people, ims_contract=True, ims_scope=scope, vpn_required=True)
    parties = parties_by_key(project)

    moved = {key for key in eligible if parties[key] == {Party.IMS}}
    kept = {key for key in eligible if parties[key] == {Party.CLIENT}}

    assert moved == scope
    assert kept == set(eligible) - scope
    assert project.ims_scope_keys == scope


def test_ims_scope_without_a_contract_is_ignored(people):
    default = parties_by_key(new_project(people, name="Default"))
    eligible = {row.key for row in catalogue_rows() if row.ims_eligible}
    scoped = new_project(people, name="Scope only", ims_contract=False, ims_scope=eligible)

    assert parties_by_key(scoped) == default
    assert scoped.ims_scope_keys == set()


def test_ims_scope_with_a_row_that_is_not_eligible_is_refused(people):
    not_eligible = next(row.key for row in catalogue_rows() if not row.ims_eligible)
    data = factories.project_data(
        people["customer_id"], people["csm_id"], ims_contract=True, ims_scope={not_eligible}
    )

    with pytest.raises(RuleBroken) as refused:
        create_project(data, actor=db.session.get(User, people["csm_id"]))

    assert refused.value.field == "ims_scope"
    assert not_eligible in refused.value.message
    db.session.rollback()
    assert (project_count(), item_count()) == (0, 0)


# --- responsible, accountable, contributing -----------------------------------------------


def accountable_by_item(project: Project) -> dict[tuple[str, Party], Party]:
    """{(row key, responsible party): accountable party} of the project's items."""
    return {
        (item.responsibility.key, item.party): item.accountable
        for item in factories.items_of(project.id)
    }


def test_every_item_of_the_default_project_answers_to_its_own_party(people):
    project = new_project(people)
    accountable = accountable_by_item(project)
    assert accountable == {(key, party): party for key, party in accountable}


def test_an_ims_item_of_a_client_row_answers_to_the_client(people):
    project = new_project(people, ims_contract=True)
    accountable = accountable_by_item(project)
    assert accountable[("configure_identity_and_access", Party.IMS)] is Party.CLIENT


def test_the_row_only_ims_does_answers_to_ims(people):
    project = new_project(people, ims_contract=True)
    assert accountable_by_item(project)[("support_extensions", Party.IMS)] is Party.IMS


def test_the_implementation_run_by_a_partner_answers_to_infor(people):
    project = new_project(people, implementer=Implementer.PARTNER, partner_id=people["partner_id"])
    assert accountable_by_item(project)[("lead_implementation", Party.PARTNER)] is Party.INFOR


def contributors_by_key(project: Project) -> dict[str, list[Party]]:
    """{row key: contributors} of the project's items that have some."""
    return {
        item.responsibility.key: item.contributor_parties
        for item in factories.items_of(project.id)
        if item.contributors
    }


def test_the_client_contributes_to_the_rows_infor_does_in_partnership_with_it(people):
    project = new_project(people)
    assert contributors_by_key(project) == {
        "lead_implementation": [Party.CLIENT],
        "maintain_databases": [Party.CLIENT],
        "prepare_infor_tools": [Party.CLIENT],
    }


def test_the_client_contributes_to_the_data_migration_infor_implements(people):
    project = new_project(people, data_migration=True)
    assert contributors_by_key(project)["migrate_legacy_data"] == [Party.CLIENT]


def test_the_partner_and_the_client_contribute_to_the_data_migration_a_partner_implements(
    people,
):
    project = new_project(
        people,
        data_migration=True,
        implementer=Implementer.PARTNER,
        partner_id=people["partner_id"],
    )
    assert contributors_by_key(project)["migrate_legacy_data"] == [Party.PARTNER, Party.CLIENT]


def _load_catalogue_with(tmp_path, change) -> None:
    assert load_catalogue_file(write_catalogue(tmp_path, change)).created
    db.session.commit()


def test_a_row_naming_an_accountable_party_gives_it_the_rows_items(people, tmp_path):
    _load_catalogue_with(
        tmp_path, lambda data: seed_row(data, "track_adoption").update(accountable="client")
    )
    project = new_project(people)
    assert accountable_by_item(project)[("track_adoption", Party.INFOR)] is Party.CLIENT


def _contributing_implementer(data: dict) -> None:
    seed_row(data, "track_adoption").update(contributors=["implementer", "client"])


def test_the_implementer_contributing_to_its_own_row_is_left_out(people, tmp_path):
    _load_catalogue_with(tmp_path, _contributing_implementer)
    project = new_project(people, implementer=Implementer.INFOR)
    item = factories.item_of(project.id, "track_adoption")
    assert item.contributor_parties == [Party.CLIENT]


def test_a_partner_implementing_contributes_where_the_row_names_the_implementer(people, tmp_path):
    _load_catalogue_with(tmp_path, _contributing_implementer)
    project = new_project(people, implementer=Implementer.PARTNER, partner_id=people["partner_id"])
    item = factories.item_of(project.id, "track_adoption")
    assert item.contributor_parties == [Party.PARTNER, Party.CLIENT]


# --- due dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="default"),
        pytest.param(
            {"ims_contract": True, "data_migration": True, "vpn_required": True},
            id="every-optional-row",
        ),
    ],
)
def test_due_dates_are_the_anchor_plus_the_row_offset(people, options):
    start = today()
    project = new_project(
        people,
        kickoff_date=start - timedelta(days=17),
        go_live_date=start + timedelta(days=101),
        **options,
    )
    items = factories.items_of(project.id)
    assert items

    wrong = []
    for item in items:
        row = item.responsibility
        anchor = project.kickoff_date if row.due_anchor is Anchor.KICKOFF else project.go_live_date
        if item.due_date != anchor + timedelta(days=row.due_offset_days):
            wrong.append((row.key, item.party, item.due_date))
    assert wrong == []
    assert {item.responsibility.due_anchor for item in items} == set(Anchor)


# --- the insert -------------------------------------------------------------------------


def test_checklist_is_created_with_one_bulk_insert(people):
    statements = []

    def count_item_inserts(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO CHECKLIST_ITEMS"):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count_item_inserts)
    try:
        project = new_project(people, ims_contract=True, data_migration=True, vpn_required=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_item_inserts)

    assert len(factories.items_of(project.id)) > 1
    assert len(statements) == 1


# --- refused projects and the catalogue version -----------------------------------------


def test_go_live_before_kickoff_is_refused(people):
    start = today()
    data = factories.project_data(
        people["customer_id"],
        people["csm_id"],
        kickoff_date=start,
        go_live_date=start - timedelta(days=1),
    )

    with pytest.raises(RuleBroken) as refused:
        create_project(data, actor=db.session.get(User, people["csm_id"]))

    assert refused.value.field == "go_live_date"
    db.session.rollback()
    assert (project_count(), item_count()) == (0, 0)


def test_go_live_on_the_kickoff_day_is_accepted(people):
    start = today()
    project = new_project(people, kickoff_date=start, go_live_date=start)
    assert len(factories.items_of(project.id)) == DEFAULT_PROJECT_ITEM_COUNT


def test_project_records_the_catalogue_version_it_was_created_from(people):
    version = current_version()
    project = new_project(people)

    assert project.catalogue_version_id == version.id
    assert {item.responsibility.version_id for item in factories.items_of(project.id)} == {
        version.id
    }
