"""The /api/v1 blueprint. Views: authenticate (401) -> load (404) -> authorize (403) ->
validate (422) -> call the same services as the web UI -> commit."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, current_app, g, request, url_for
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.api import schemas
from tracker.api.errors import (
    ApiError,
    field_error,
    from_validation_error,
    http_problem,
    problem_response,
)
from tracker.api.queries import CustomerQuery, ItemQuery, OverdueQuery, ProjectQuery
from tracker.api.services import user_for_token
from tracker.auth.models import User
from tracker.catalogue.loader import current_version
from tracker.catalogue.models import Area, CatalogueVersion, Responsibility
from tracker.checklist.models import ChecklistItem
from tracker.checklist.queries import Progress, is_overdue, progress_by_project
from tracker.checklist.services import add_comment, item_changes, update_item
from tracker.dashboard.queries import overdue_select
from tracker.enums import OrganisationKind, Status
from tracker.errors import RuleError
from tracker.extensions import csrf, db
from tracker.organisations.models import Organisation
from tracker.permissions import (
    can_be_assigned,
    can_change_due_date,
    can_comment,
    can_mark_not_applicable,
    can_update_item,
    can_view_catalogue,
    can_view_project,
    is_infor_staff,
    visible_projects_filter,
)
from tracker.projects.models import Project
from tracker.timeutil import today

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a cross-site request to ride on

PUBLIC_ENDPOINTS = {"api.openapi"}


# --- plumbing -----------------------------------------------------------------------------


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(value.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(
            401, "Unauthorized", "Send a valid personal API token: 'Authorization: Bearer <token>'."
        )
    db.session.commit()  # the token's last use, if it was recorded
    g.api_user = user


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    headers = (
        {"WWW-Authenticate": 'Bearer realm="tracker"'} if error.problem.status == 401 else None
    )
    return problem_response(error.problem, headers)


@bp.errorhandler(HTTPException)
def api_http_error(error: HTTPException):
    return http_problem(error)


def _user() -> User:
    return g.api_user


def _query(model: type[BaseModel]):
    repeated = [name for name, values in request.args.lists() if len(values) > 1]
    if repeated:
        raise field_error(repeated[0], "Give this parameter once.")
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise from_validation_error(error) from error


def _body(model: type[BaseModel]):
    if not request.is_json:
        raise ApiError(
            415, "Unsupported Media Type", "Send a JSON object with Content-Type: application/json."
        )
    try:
        # JSON mode and strict models: no silent coercion (false is not 0, "1" is not 1).
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        raise from_validation_error(error) from error


def _json(document: BaseModel, status: int = 200):
    return current_app.response_class(
        document.model_dump_json(), status=status, mimetype="application/json"
    )


def _next_url(endpoint: str, rows: list, limit: int, after=None, **cursor) -> str | None:
    """The URL of the next page, or None: ``rows`` holds up to ``limit + 1`` results."""
    if len(rows) <= limit:
        return None
    args = request.args.to_dict()
    args.update(limit=limit, **({"after": after} if after is not None else cursor))
    return url_for(endpoint, _external=True, **args)


def _not_found() -> ApiError:
    return ApiError(404, "Not Found", "There is no such resource, or you may not see it.")


# --- documents ----------------------------------------------------------------------------


def _ref(obj) -> schemas.Ref | None:
    return schemas.Ref(id=obj.id, name=obj.name) if obj is not None else None


def _tally(t) -> schemas.Tally:
    return schemas.Tally(
        total=t.total, closed=t.closed, open=t.open, overdue=t.overdue, percent=t.percent
    )


def _project_doc(project: Project, progress: Progress) -> schemas.Project:
    return schemas.Project(
        id=project.id,
        name=project.name,
        customer=_ref(project.customer),
        csm=_ref(project.csm),
        deployment=project.deployment,
        environment=project.environment,
        ims_contract=project.ims_contract,
        implementer=project.implementer,
        partner=_ref(project.partner),
        data_migration=project.data_migration,
        vpn_required=project.vpn_required,
        kickoff_date=project.kickoff_date,
        go_live_date=project.go_live_date,
        archived=project.archived_at is not None,
        catalogue_version=project.catalogue_version.number,
        version=project.version,
        progress=schemas.Progress(
            overall=_tally(progress.overall),
            phases={phase: _tally(t) for phase, t in progress.phases.items()},
            parties={party: _tally(t) for party, t in progress.parties.items()},
        ),
        url=url_for("api.project", project_id=project.id, _external=True),
        items_url=url_for("api.items", project=project.id, _external=True),
    )


def _item_doc(
    item: ChecklistItem, row: Responsibility, area: Area, project: Project, on: date
) -> schemas.Item:
    overdue = item.is_overdue(on)
    return schemas.Item(
        id=item.id,
        project=_ref(project),
        responsibility=schemas.Responsibility(
            key=row.key,
            area=area.title_en,
            area_fr=area.title_fr,
            phase=row.phase,
            text_en=row.text_en,
            text_fr=row.text_fr,
        ),
        party=item.party,
        status=item.status,
        due_date=item.due_date,
        overdue=overdue,
        days_overdue=(on - item.due_date).days if overdue else 0,
        reason=item.reason,
        assignee=_ref(item.assignee),
        completed_at=item.completed_at,
        completed_by=_ref(item.completed_by),
        version=item.version,
        url=url_for("api.item", item_id=item.id, _external=True),
    )


def _item_select() -> sa.Select:
    return (
        sa.select(ChecklistItem, Responsibility, Area, Project)
        .join(Project, ChecklistItem.project_id == Project.id)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .options(joinedload(ChecklistItem.assignee), joinedload(ChecklistItem.completed_by))
        .where(visible_projects_filter(_user()))
    )


def _load_item(item_id: int):
    row = db.session.execute(_item_select().where(ChecklistItem.id == item_id)).first()
    if row is None:
        raise _not_found()
    return row


# --- customers ----------------------------------------------------------------------------


def _customers_select() -> sa.Select:
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.CUSTOMER)
    if not is_infor_staff(_user()):
        query = query.where(
            Organisation.id.in_(
                sa.select(Project.customer_id).where(visible_projects_filter(_user()))
            )
        )
    return query


def _customer_doc(org: Organisation) -> schemas.Customer:
    return schemas.Customer(
        id=org.id, name=org.name, url=url_for("api.customer", customer_id=org.id, _external=True)
    )


@bp.get("/customers")
def customers():
    query = _query(CustomerQuery)
    select = _customers_select().order_by(Organisation.id).limit(query.limit + 1)
    if query.after:
        select = select.where(Organisation.id > query.after)
    rows = db.session.scalars(select).all()
    return _json(
        schemas.CustomerPage(
            data=[_customer_doc(o) for o in rows[: query.limit]],
            next=_next_url(
                "api.customers",
                rows,
                query.limit,
                rows[query.limit - 1].id if len(rows) > query.limit else None,
            ),
        )
    )


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int):
    org = db.session.scalar(_customers_select().where(Organisation.id == customer_id))
    if org is None:
        raise _not_found()
    return _json(_customer_doc(org))


# --- projects -----------------------------------------------------------------------------


@bp.get("/projects")
def projects():
    query = _query(ProjectQuery)
    select = (
        sa.select(Project)
        .options(
            joinedload(Project.customer),
            joinedload(Project.csm),
            joinedload(Project.partner),
            joinedload(Project.catalogue_version),
        )
        .where(visible_projects_filter(_user()))
        .where(
            Project.archived_at.is_not(None) if query.archived else Project.archived_at.is_(None)
        )
        .order_by(Project.id)
        .limit(query.limit + 1)
    )
    if query.after:
        select = select.where(Project.id > query.after)
    if query.customer:
        select = select.where(Project.customer_id == query.customer)
    if query.csm:
        select = select.where(Project.csm_id == query.csm)
    rows = db.session.scalars(select).all()
    page = rows[: query.limit]
    progress = progress_by_project([p.id for p in page], today())
    return _json(
        schemas.ProjectPage(
            data=[_project_doc(p, progress[p.id]) for p in page],
            next=_next_url("api.projects", rows, query.limit, page[-1].id if page else None),
        )
    )


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    found = db.session.get(Project, project_id)
    if found is None or not can_view_project(_user(), found):
        raise _not_found()
    return _json(_project_doc(found, progress_by_project([found.id], today())[found.id]))


# --- items --------------------------------------------------------------------------------


@bp.get("/items")
def items():
    query = _query(ItemQuery)
    on = today()
    select = _item_select().where(Project.archived_at.is_(None)).order_by(ChecklistItem.id)
    if query.after:
        select = select.where(ChecklistItem.id > query.after)
    if query.project:
        select = select.where(ChecklistItem.project_id == query.project)
    if query.party:
        select = select.where(ChecklistItem.party == query.party)
    if query.status:
        select = select.where(ChecklistItem.status == query.status)
    if query.overdue is not None:
        select = select.where(is_overdue(on) if query.overdue else sa.not_(is_overdue(on)))
    if query.due_before:
        select = select.where(ChecklistItem.due_date <= query.due_before)
    if query.due_after:
        select = select.where(ChecklistItem.due_date >= query.due_after)
    if query.assignee is not None:
        select = select.where(
            ChecklistItem.assignee_id == query.assignee
            if query.assignee
            else ChecklistItem.assignee_id.is_(None)
        )
    rows = db.session.execute(select.limit(query.limit + 1)).all()
    page = rows[: query.limit]
    return _json(
        schemas.ItemPage(
            data=[_item_doc(i, r, a, p, on) for i, r, a, p in page],
            next=_next_url("api.items", rows, query.limit, page[-1][0].id if page else None),
        )
    )


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    found, row, area, proj = _load_item(item_id)
    return _json(_item_doc(found, row, area, proj, today()))


@bp.patch("/items/<int:item_id>")
def update(item_id: int):
    found, row, area, proj = _load_item(item_id)
    user = _user()
    if not can_update_item(user, found):
        raise ApiError(403, "Forbidden", f"You may not update {found.party.label} items.")
    body = _body(schemas.ItemUpdate)
    status = Status(body.status) if body.status else None
    if (
        status is Status.NOT_APPLICABLE
        and found.status is not Status.NOT_APPLICABLE
        and not can_mark_not_applicable(user, found)
    ):
        raise field_error("status", "Only the project's CSM may mark an item not applicable.")
    if (
        body.due_date is not None
        and body.due_date != found.due_date
        and not can_change_due_date(user, found)
    ):
        raise ApiError(
            403,
            "Forbidden",
            "Only the project's CSM may move due dates.",
            errors=[schemas.FieldError(field="due_date", message="You may not change it.")],
        )
    changes: dict = {"status": status, "reason": body.reason, "due_date": body.due_date}
    if "assignee_id" in body.model_fields_set:
        assignee = db.session.get(User, body.assignee_id) if body.assignee_id else None
        if body.assignee_id and (
            assignee is None
            or (assignee != found.assignee and not can_be_assigned(assignee, found))
        ):
            raise field_error(
                "assignee_id",
                f"User {body.assignee_id} cannot be assigned "
                f"{found.party.label} items of this project.",
            )
        changes["assignee"] = assignee
    pending = item_changes(found, **changes)
    if body.comment is not None and not can_comment(user, found):
        raise ApiError(403, "Forbidden", "You may not comment on this item.")
    if pending and body.version != found.version:
        raise ApiError(
            409,
            "Conflict",
            f"The item changed since version {body.version}; it is at version "
            f"{found.version}. Read it again and base your change on that version.",
            current_version=found.version,
        )
    try:
        if pending:
            update_item(found, actor=user, **changes)
        if body.comment is not None:
            add_comment(found, actor=user, body=body.comment)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        raise field_error(error.field, error.message) from error
    except StaleDataError as error:
        db.session.rollback()
        current = db.session.get(ChecklistItem, item_id)
        raise ApiError(
            409,
            "Conflict",
            "Someone else saved this item at the same moment.",
            current_version=current.version if current else None,
        ) from error
    found, row, area, proj = _load_item(item_id)
    return _json(_item_doc(found, row, area, proj, today()))


@bp.post("/items/<int:item_id>/comments")
def comment(item_id: int):
    found, *_ = _load_item(item_id)
    if not can_comment(_user(), found):
        raise ApiError(403, "Forbidden", "You may not comment on this item.")
    body = _body(schemas.CommentCreate)
    try:
        created = add_comment(found, actor=_user(), body=body.body)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        raise field_error(error.field, error.message) from error
    return _json(
        schemas.Comment(
            id=created.id,
            item_id=found.id,
            author=_ref(_user()),
            body=created.body,
            created_at=created.created_at,
        ),
        201,
    )


# --- overdue ------------------------------------------------------------------------------


@bp.get("/overdue")
def overdue():
    query = _query(OverdueQuery)
    on = today()
    select = overdue_select(
        _user(), on, party=query.party, csm_id=query.csm, customer_id=query.customer
    )
    if (query.after_due is None) != (query.after_id is None):
        raise field_error("after_id", "Give both after_due and after_id, or neither.")
    if query.after_due is not None:
        select = select.where(
            sa.tuple_(ChecklistItem.due_date, ChecklistItem.id)
            > sa.tuple_(sa.literal(query.after_due), sa.literal(query.after_id))
        )
    ids = [r.id for r in db.session.execute(select.limit(query.limit + 1))]
    page_ids = ids[: query.limit]
    found = (
        {
            i.id: (i, r, a, p)
            for i, r, a, p in db.session.execute(
                _item_select().where(ChecklistItem.id.in_(page_ids))
            )
        }
        if page_ids
        else {}
    )
    docs = [_item_doc(*found[i], on) for i in page_ids]
    cursor = {"after_due": docs[-1].due_date.isoformat(), "after_id": docs[-1].id} if docs else {}
    return _json(
        schemas.ItemPage(data=docs, next=_next_url("api.overdue", ids, query.limit, **cursor))
    )


# --- catalogue ----------------------------------------------------------------------------


@bp.get("/catalogue")
def catalogue():
    if not can_view_catalogue(_user()):
        raise ApiError(403, "Forbidden", "Only administrators may read the catalogue.")
    number = request.args.get("version")
    if number is not None and not (number.isdigit() and len(number) < 10):
        raise field_error("version", "A catalogue version number.")
    version = (
        db.session.scalar(sa.select(CatalogueVersion).where(CatalogueVersion.number == int(number)))
        if number
        else current_version()
    )
    if version is None:
        raise _not_found()
    return _json(
        schemas.Catalogue(
            version=version.number,
            loaded_at=version.loaded_at,
            areas=[
                schemas.CatalogueArea(
                    key=area.key,
                    title_fr=area.title_fr,
                    title_en=area.title_en,
                    rows=[
                        schemas.CatalogueRow(
                            key=r.key,
                            seed_row=r.seed_row,
                            text_fr=r.text_fr,
                            text_en=r.text_en,
                            parties=r.parties,
                            ims_eligible=r.ims_eligible,
                            condition=r.condition,
                            phase=r.phase,
                            due_anchor=r.due_anchor,
                            due_offset_days=r.due_offset_days,
                            marks_inferred=r.marks_inferred,
                        )
                        for r in area.responsibilities
                    ],
                )
                for area in version.areas
            ],
        )
    )


@bp.get("/openapi.json")
def openapi():
    from tracker.api.openapi import document

    return current_app.response_class(json.dumps(document(), indent=1), mimetype="application/json")
