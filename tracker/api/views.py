"""The /api/v1 blueprint: authenticate (401), read the query string (422), load what the
path names (404), ask the use case whether the user may act on it (403), read the body
(415, 422), then call the same use cases as the web pages, which enforce their rules
themselves (403, 409, 422); the request boundary commits and answers every refusal as a
problem document."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, current_app, g, request, url_for
from pydantic import BaseModel, ValidationError

from tracker.api import schemas
from tracker.api.errors import ApiError, field_error, from_validation_error
from tracker.api.openapi import document, documented
from tracker.api.params import (
    CatalogueDiffQuery,
    CatalogueQuery,
    CatalogueVersionQuery,
    CustomerQuery,
    ItemQuery,
    OverdueQuery,
    ProjectQuery,
)
from tracker.api.queries import (
    customers_page,
    items_page,
    items_select,
    overdue_page,
    projects_page,
    visible_customers,
)
from tracker.api.services import user_for_token
from tracker.catalogue.diff import versions_diff
from tracker.catalogue.queries import current_version, version_numbered, version_summaries
from tracker.checklist.queries import Progress, progress_by_project
from tracker.checklist.services import (
    UNCHANGED,
    ItemChange,
    add_comment,
    change_item,
    require_may_change,
    require_may_comment,
)
from tracker.enums import Status
from tracker.errors import NotAllowed, NotFound, RuleBroken
from tracker.extensions import csrf, db
from tracker.files.downloads import download_response
from tracker.files.queries import item_attachments
from tracker.files.services import attach_file, require_may_attach
from tracker.golive.queries import Readiness, is_approver, readiness_of
from tracker.golive.services import sign_off
from tracker.models import (
    Area,
    Attachment,
    ChecklistItem,
    Organisation,
    Project,
    Responsibility,
    User,
)
from tracker.permissions import (
    can_see_attachment,
    can_sign_off,
    can_view_catalogue,
    can_view_project,
    sees_internal_comments,
)
from tracker.timeutil import today
from tracker.wording import item_reason

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
    g.api_user = user


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error.response()


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


def _next_url(endpoint: str, rows: list, limit: int, after) -> str | None:
    """The URL of the next page, or None: ``rows`` holds up to ``limit + 1`` results."""
    if len(rows) <= limit:
        return None
    args = request.args.to_dict()
    args.update(limit=limit, after=after)
    return url_for(endpoint, _external=True, **args)


def _not_found() -> NotFound:
    return NotFound("There is no such resource, or you may not see it.")


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
        responsible=item.party,
        accountable=item.accountable,
        contributors=item.contributor_parties,
        party=item.party,
        status=item.status,
        due_date=item.due_date,
        overdue=overdue,
        days_overdue=(on - item.due_date).days if overdue else 0,
        reason=item_reason(item),
        assignee=_ref(item.assignee),
        completed_at=item.completed_at,
        completed_by=_ref(item.completed_by),
        version=item.version,
        url=url_for("api.item", item_id=item.id, _external=True),
    )


def _load_item(item_id: int):
    """The item ``item_id`` with its row, area and project, if the token's user may see it."""
    row = db.session.execute(items_select(_user()).where(ChecklistItem.id == item_id)).first()
    if row is None:
        raise _not_found()
    return row


# --- customers ----------------------------------------------------------------------------


def _customer_doc(org: Organisation) -> schemas.Customer:
    return schemas.Customer(
        id=org.id, name=org.name, url=url_for("api.customer", customer_id=org.id, _external=True)
    )


@bp.get("/customers")
@documented(
    operation_id="listCustomers", query=CustomerQuery, ok=schemas.CustomerPage, refusals=(401, 422)
)
def customers():
    """Customers whose projects you may see"""
    query = _query(CustomerQuery)
    rows = db.session.scalars(customers_page(_user(), after=query.after, limit=query.limit)).all()
    page = rows[: query.limit]
    return _json(
        schemas.CustomerPage(
            data=[_customer_doc(o) for o in page],
            next=_next_url("api.customers", rows, query.limit, page[-1].id if page else None),
        )
    )


@bp.get("/customers/<int:customer_id>")
@documented(operation_id="getCustomer", ok=schemas.Customer, refusals=(401, 404))
def customer(customer_id: int):
    """A customer"""
    org = db.session.scalar(visible_customers(_user()).where(Organisation.id == customer_id))
    if org is None:
        raise _not_found()
    return _json(_customer_doc(org))


# --- projects -----------------------------------------------------------------------------


@bp.get("/projects")
@documented(
    operation_id="listProjects", query=ProjectQuery, ok=schemas.ProjectPage, refusals=(401, 422)
)
def projects():
    """Projects you may see, with progress per phase and party"""
    query = _query(ProjectQuery)
    rows = db.session.scalars(
        projects_page(
            _user(),
            archived=query.archived,
            customer=query.customer,
            csm=query.csm,
            after=query.after,
            limit=query.limit,
        )
    ).all()
    page = rows[: query.limit]
    progress = progress_by_project([p.id for p in page], today())
    return _json(
        schemas.ProjectPage(
            data=[_project_doc(p, progress[p.id]) for p in page],
            next=_next_url("api.projects", rows, query.limit, page[-1].id if page else None),
        )
    )


@bp.get("/projects/<int:project_id>")
@documented(operation_id="getProject", ok=schemas.Project, refusals=(401, 404))
def project(project_id: int):
    """A project with its progress"""
    found = db.session.get(Project, project_id)
    if found is None or not can_view_project(_user(), found):
        raise _not_found()
    return _json(_project_doc(found, progress_by_project([found.id], today())[found.id]))


# --- items --------------------------------------------------------------------------------


@bp.get("/items")
@documented(operation_id="listItems", query=ItemQuery, ok=schemas.ItemPage, refusals=(401, 422))
def items():
    """Checklist items of the projects you may see"""
    query = _query(ItemQuery)
    on = today()
    rows = db.session.execute(items_page(_user(), on, query)).all()
    page = rows[: query.limit]
    return _json(
        schemas.ItemPage(
            data=[_item_doc(i, r, a, p, on) for i, r, a, p in page],
            next=_next_url("api.items", rows, query.limit, page[-1][0].id if page else None),
        )
    )


@bp.get("/items/<int:item_id>")
@documented(operation_id="getItem", ok=schemas.Item, refusals=(401, 404))
def item(item_id: int):
    """A checklist item"""
    found, row, area, proj = _load_item(item_id)
    return _json(_item_doc(found, row, area, proj, today()))


@bp.patch("/items/<int:item_id>")
@documented(
    operation_id="updateItem",
    body=schemas.ItemUpdate,
    ok=schemas.Item,
    refusals=(401, 403, 404, 409, 415, 422),
)
def update(item_id: int):
    """Change an item's status, reason, assignee or due date, or comment

    Send the `version` you read. A change based on an older version answers 409 with
    `current_version`; repeating the item's current state changes nothing and answers 200.
    """
    loaded = _load_item(item_id)
    found = loaded[0]
    require_may_change(_user(), found)  # refused before its body is read
    body = _body(schemas.ItemUpdate)
    if body.lacks_a_reason:
        raise field_error("reason", f"Say why the item is {Status(body.status).english.lower()}.")
    change = ItemChange(
        status=Status(body.status) if body.status else UNCHANGED,
        reason=body.reason,
        assignee_id=body.assignee_id if "assignee_id" in body.model_fields_set else UNCHANGED,
        due_date=body.due_date,
    )
    try:
        change_item(found, change, actor=_user(), version=body.version)
    except RuleBroken as refusal:
        raise _as_the_api_answers(refusal) from refusal
    if body.comment is not None:
        add_comment(found, actor=_user(), body=body.comment, internal=body.comment_internal)
    return _json(_item_doc(*loaded, today()))  # the same objects, changed


def _as_the_api_answers(refusal: RuleBroken) -> Exception:
    """The checklist's rules refuse, as an error of the item's form (422), an assignee who
    cannot hold this item of this project now; the API's document allows any user id there,
    so the API answers 409: a conflict with the project's state, which another assignee
    resolves."""
    if refusal.field == "assignee_id":
        return field_error("assignee_id", refusal.message, status=409)
    return refusal


@bp.post("/items/<int:item_id>/comments")
@documented(
    operation_id="addComment",
    body=schemas.CommentCreate,
    ok=schemas.Comment,
    created=True,
    refusals=(401, 403, 404, 415, 422),
)
def comment(item_id: int):
    """Comment on an item"""
    found, *_ = _load_item(item_id)
    require_may_comment(_user(), found)
    body = _body(schemas.CommentCreate)
    created = add_comment(found, actor=_user(), body=body.body, internal=body.internal)
    return _json(
        schemas.Comment(
            id=created.id,
            item_id=found.id,
            author=_ref(_user()),
            body=created.body,
            internal=created.internal,
            created_at=created.created_at,
        ),
        201,
    )


# --- attached files -----------------------------------------------------------------------


def _attachment_doc(attachment: Attachment) -> schemas.Attachment:
    return schemas.Attachment(
        id=attachment.id,
        item_id=attachment.item_id,
        comment_id=attachment.comment_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        internal=attachment.internal,
        uploaded_by=_ref(attachment.uploader),
        created_at=attachment.created_at,
        url=url_for("api.attachment", attachment_id=attachment.id, _external=True),
        download_url=url_for("api.attachment_content", attachment_id=attachment.id, _external=True),
    )


@bp.get("/items/<int:item_id>/attachments")
@documented(operation_id="listAttachments", ok=schemas.AttachmentList, refusals=(401, 404))
def attachments(item_id: int):
    """An item's files, oldest first (removed ones left out)"""
    found, *_ = _load_item(item_id)
    files = item_attachments(found.id, internal=sees_internal_comments(_user()))
    return _json(schemas.AttachmentList(items=[_attachment_doc(a) for a in files]))


@bp.post("/items/<int:item_id>/attachments")
@documented(
    operation_id="attachFile",
    ok=schemas.Attachment,
    created=True,
    refusals=(401, 403, 404, 413, 415, 422),
)
def attach(item_id: int):
    """Attach a file to an item

    Send it as `multipart/form-data`, in the field `file`. Accepted: PDF, images, office
    documents, text, CSV and ZIP files whose content matches their name, up to MAX_UPLOAD_MB.
    """
    found, *_ = _load_item(item_id)
    require_may_attach(_user(), found)  # refused before the upload is read
    if request.mimetype != "multipart/form-data":
        raise ApiError(
            415, "Unsupported Media Type", "Send the file as multipart/form-data, field 'file'."
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise field_error("file", "Send the file in the multipart field 'file', with its name.")
    created = attach_file(found, actor=_user(), filename=upload.filename, stream=upload.stream)
    return _json(_attachment_doc(created), 201)


def _visible_attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_see_attachment(_user(), attachment):
        raise _not_found()
    return attachment


@bp.get("/attachments/<int:attachment_id>")
@documented(operation_id="getAttachment", ok=schemas.Attachment, refusals=(401, 404))
def attachment(attachment_id: int):
    """An attached file's description, with the address to download it"""
    return _json(_attachment_doc(_visible_attachment(attachment_id)))


@bp.get("/attachments/<int:attachment_id>/content")
@documented(operation_id="downloadAttachment", ok=schemas.Attachment, refusals=(401, 404))
def attachment_content(attachment_id: int):
    """Download an attached file"""
    return download_response(_visible_attachment(attachment_id))


# --- go-live ------------------------------------------------------------------------------


def _load_project(project_id: int) -> Project:
    found = db.session.get(Project, project_id)
    if found is None or not can_view_project(_user(), found):
        raise _not_found()
    return found


def _readiness_doc(readiness: Readiness) -> schemas.Readiness:
    project = readiness.project
    signed = readiness.sign_off
    return schemas.Readiness(
        project=_ref(project),
        state=readiness.state,
        go_live_date=project.go_live_date,
        went_live_on=project.went_live_on,
        blocking=[
            schemas.BlockingItem(
                id=entry.item.id,
                text=entry.row.text_en,
                responsible=entry.item.party,
                status=entry.item.status,
                due_date=entry.item.due_date,
                waived=entry.waiver is not None,
                waiver_reason=entry.waiver.reason if entry.waiver else None,
            )
            for entry in readiness.items
        ],
        still_open={party.value: count for party, count in readiness.open_by_party.items()},
        sign_off=schemas.SignOff(
            signed_by=_ref(signed.signed_by),
            signed_at=signed.signed_at,
            note=signed.note,
            rating=signed.rating,
            rating_comment=signed.rating_comment,
        )
        if signed
        else None,
    )


@bp.get("/projects/<int:project_id>/readiness")
@documented(operation_id="getReadiness", ok=schemas.Readiness, refusals=(401, 404))
def readiness(project_id: int):
    """A project's go-live readiness: its blocking items and the client's sign-off"""
    return _json(_readiness_doc(readiness_of(_load_project(project_id))))


@bp.post("/projects/<int:project_id>/sign-off")
@documented(
    operation_id="signOff",
    body=schemas.SignOffCreate,
    ok=schemas.Readiness,
    created=True,
    refusals=(401, 403, 404, 415, 422),
)
def sign_off_go_live(project_id: int):
    """Sign go-live off (a client lead or approver), optionally rating the onboarding

    Refused (422) with the list of the blocking items still open, unless the CSM waived them.
    """
    found = _load_project(project_id)
    if not can_sign_off(_user(), found, approver=is_approver(found.id, _user().id)):
        raise NotAllowed("Only a client lead or an approver of the customer signs go-live off.")
    body = _body(schemas.SignOffCreate)
    sign_off(
        found,
        actor=_user(),
        note=body.note,
        rating=body.rating,
        rating_comment=body.rating_comment,
    )
    return _json(_readiness_doc(readiness_of(found)), 201)


# --- overdue ------------------------------------------------------------------------------


@bp.get("/overdue")
@documented(
    operation_id="listOverdue", query=OverdueQuery, ok=schemas.ItemPage, refusals=(401, 422)
)
def overdue():
    """Open items past due on the projects you may see, most overdue first"""
    query = _query(OverdueQuery)
    on = today()
    ids = [r.id for r in db.session.execute(overdue_page(_user(), on, query))]
    page_ids = ids[: query.limit]
    found = (
        {
            i.id: (i, r, a, p)
            for i, r, a, p in db.session.execute(
                items_select(_user()).where(ChecklistItem.id.in_(page_ids))
            )
        }
        if page_ids
        else {}
    )
    docs = [_item_doc(*found[i], on) for i in page_ids]
    cursor = f"{docs[-1].due_date.isoformat()}.{docs[-1].id}" if docs else None
    return _json(
        schemas.ItemPage(data=docs, next=_next_url("api.overdue", ids, query.limit, cursor))
    )


# --- catalogue ----------------------------------------------------------------------------


@bp.get("/catalogue")
@documented(
    operation_id="getCatalogue",
    query=CatalogueQuery,
    ok=schemas.Catalogue,
    refusals=(401, 403, 404, 422),
)
def catalogue():
    """The responsibility catalogue (administrators and CSMs)"""
    _require_catalogue()
    number = _query(CatalogueQuery).version
    version = db.session.scalar(version_numbered(number)) if number else current_version()
    if version is None:
        raise _not_found()
    return _catalogue(version)


def _require_catalogue() -> None:
    if not can_view_catalogue(_user()):
        raise NotAllowed("Only administrators and CSMs may read the catalogue.")


def _catalogue(version):
    """Catalogue version ``version`` as the API's catalogue document."""
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
                            accountable=r.accountable,
                            contributors=r.contributor_marks,
                        )
                        for r in area.responsibilities
                    ],
                )
                for area in version.areas
            ],
        )
    )


@bp.get("/catalogue/versions")
@documented(
    operation_id="listCatalogueVersions",
    query=CatalogueVersionQuery,
    ok=schemas.CatalogueVersionPage,
    refusals=(401, 403, 422),
)
def catalogue_versions():
    """The catalogue's versions, oldest first, with their counts of areas and rows
    (administrators and CSMs)"""
    _require_catalogue()
    query = _query(CatalogueVersionQuery)
    rows = db.session.execute(version_summaries(after=query.after, limit=query.limit)).all()
    page = rows[: query.limit]
    return _json(
        schemas.CatalogueVersionPage(
            data=[
                schemas.CatalogueVersion(
                    number=version.number,
                    loaded_at=version.loaded_at,
                    source=version.source,
                    areas=areas,
                    rows=count,
                    url=url_for("api.catalogue_version", number=version.number, _external=True),
                )
                for version, areas, count in page
            ],
            next=_next_url(
                "api.catalogue_versions", rows, query.limit, page[-1][0].number if page else None
            ),
        )
    )


@bp.get("/catalogue/versions/<int:number>")
@documented(operation_id="getCatalogueVersion", ok=schemas.Catalogue, refusals=(401, 403, 404))
def catalogue_version(number: int):
    """A catalogue version, with its areas and rows (administrators and CSMs)"""
    _require_catalogue()
    version = db.session.scalar(version_numbered(number))
    if version is None:
        raise _not_found()
    return _catalogue(version)


@bp.get("/catalogue/diff")
@documented(
    operation_id="compareCatalogueVersions",
    query=CatalogueDiffQuery,
    ok=schemas.CatalogueDiff,
    refusals=(401, 403, 404, 422),
)
def catalogue_diff():
    """What changed from catalogue version `from` to version `to` (administrators and CSMs)

    Areas and rows are matched by key: each one added, removed or changed, with the fields
    that changed, before and after (every field, for one added or removed). `from` and `to`
    may be in either order; the same version twice has no differences. A number naming no
    version answers 404.
    """
    _require_catalogue()
    query = _query(CatalogueDiffQuery)
    before = db.session.scalar(version_numbered(query.from_))
    after = db.session.scalar(version_numbered(query.to))
    if before is None or after is None:
        raise _not_found()
    return _json(schemas.CatalogueDiff.model_validate(versions_diff(before, after).document()))


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(json.dumps(document(), indent=1), mimetype="application/json")
