"""The OpenAPI 3.1 document of /api/v1, built from the same pydantic models the views use."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracker.api import params, schemas

REF = "#/components/schemas/{model}"


def _schema_components() -> dict:
    models = [
        schemas.Problem,
        schemas.Customer,
        schemas.CustomerPage,
        schemas.Project,
        schemas.ProjectPage,
        schemas.Item,
        schemas.ItemPage,
        schemas.ItemUpdate,
        schemas.CommentCreate,
        schemas.Comment,
        schemas.Catalogue,
    ]
    modes = [
        (m, "validation" if m in (schemas.ItemUpdate, schemas.CommentCreate) else "serialization")
        for m in models
    ]
    _, top = models_json_schema(modes, ref_template=REF)
    return top["$defs"]


def _parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    params = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": False, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def _json_content(name: str) -> dict:
    return {"application/json": {"schema": _ref(name)}}


def _problems(*codes: int) -> dict:
    titles = {
        400: "Malformed request",
        401: "No valid API token",
        403: "Not allowed",
        404: "Not found, or not visible to you",
        409: "Version conflict",
        415: "Not JSON",
        422: "Invalid input: the fields are named",
    }
    return {
        str(code): {
            "description": titles[code],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
        for code in codes
    }


def _id_param(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def _get(
    summary: str,
    model: str,
    *,
    query: type[BaseModel] | None = None,
    path_id: str | None = None,
    problems=(401, 422),
) -> dict:
    params = ([_id_param(path_id)] if path_id else []) + (_parameters(query) if query else [])
    operation = {
        "summary": summary,
        "parameters": params,
        "responses": {
            "200": {"description": "OK", "content": _json_content(model)},
            **_problems(*problems),
            "414": {"description": "The URL is longer than the server accepts"},
        },
    }
    if not params:
        del operation["parameters"]
    return operation


@cache
def document() -> dict:
    """The OpenAPI document (built once per process)."""
    catalogue_version = {
        "name": "version",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
        "description": "A catalogue version number; default the newest.",
    }
    paths = {
        "/customers": {
            "get": {
                **_get(
                    "Customers whose projects you may see",
                    "CustomerPage",
                    query=params.CustomerQuery,
                ),
                "operationId": "listCustomers",
            }
        },
        "/customers/{customer_id}": {
            "get": {
                **_get("A customer", "Customer", path_id="customer_id", problems=(401, 404)),
                "operationId": "getCustomer",
            }
        },
        "/projects": {
            "get": {
                **_get(
                    "Projects you may see, with progress per phase and party",
                    "ProjectPage",
                    query=params.ProjectQuery,
                ),
                "operationId": "listProjects",
            }
        },
        "/projects/{project_id}": {
            "get": {
                **_get(
                    "A project with its progress",
                    "Project",
                    path_id="project_id",
                    problems=(401, 404),
                ),
                "operationId": "getProject",
            }
        },
        "/items": {
            "get": {
                **_get(
                    "Checklist items of the projects you may see",
                    "ItemPage",
                    query=params.ItemQuery,
                ),
                "operationId": "listItems",
            }
        },
        "/items/{item_id}": {
            "get": {
                **_get("A checklist item", "Item", path_id="item_id", problems=(401, 404)),
                "operationId": "getItem",
            },
            "patch": {
                "operationId": "updateItem",
                "summary": "Change an item's status, reason, assignee or due date, or comment",
                "description": "Send the `version` you read. A change based on an older "
                "version answers 409 with `current_version`; repeating the "
                "item's current state changes nothing and answers 200.",
                "parameters": [_id_param("item_id")],
                "requestBody": {"required": True, "content": _json_content("ItemUpdate")},
                "responses": {
                    "200": {
                        "description": "The item after the change",
                        "content": _json_content("Item"),
                    },
                    **_problems(400, 401, 403, 404, 409, 415, 422),
                },
            },
        },
        "/items/{item_id}/comments": {
            "post": {
                "operationId": "addComment",
                "summary": "Comment on an item",
                "parameters": [_id_param("item_id")],
                "requestBody": {"required": True, "content": _json_content("CommentCreate")},
                "responses": {
                    "201": {"description": "The comment", "content": _json_content("Comment")},
                    **_problems(400, 401, 403, 404, 415, 422),
                },
            }
        },
        "/overdue": {
            "get": {
                **_get(
                    "Open items past due on the projects you may see, most overdue first",
                    "ItemPage",
                    query=params.OverdueQuery,
                ),
                "operationId": "listOverdue",
            }
        },
        "/catalogue": {
            "get": {
                "operationId": "getCatalogue",
                "summary": "The responsibility catalogue (administrators)",
                "parameters": [catalogue_version],
                "responses": {
                    "200": {"description": "OK", "content": _json_content("Catalogue")},
                    **_problems(401, 403, 404, 422),
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Onboarding tracker API",
            "version": "1.0.0",
            "description": "Customers, projects, checklist items, the catalogue and the overdue "
            "list, with the same permissions as the web UI. Authenticate with a "
            "personal API token: `Authorization: Bearer <token>`. Errors are "
            "RFC 9457 problem details naming the invalid fields. Lists are "
            "paginated in a stable order; follow `next` until it is null.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": _schema_components(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
