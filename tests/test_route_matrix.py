"""Every route, every role, every ownership: the authorization matrix (issue "Trust", §1).

``EXPECTATIONS`` names, for each (endpoint, method) of the URL map, the objects to try it on
(``TARGETS``: project_a and project_b, an item of each party on each project where it exists,
archived projects, a user, organisations, reset-link and API tokens...) and the answer each
role gets (the JSON API's requests carry the role's bearer token instead of a session):

- ``LOGIN``: 302 to the sign-in page with ``?next=`` (anonymous visitors of a protected page);
- ``OK``: allowed, i.e. 200 or a 302 elsewhere than the sign-in page; a POST whose minimal
  form data is not valid may also answer 409 or 422: it got past the authorization checks;
- ``TO_SIGN_IN``: the view's own 302 to the sign-in page, without ``?next=`` (signing out,
  setting a password with a reset link);
- a number: exactly that status (401, 403, 404, 410).

``test_every_route_has_expectations`` fails when the URL map has an endpoint or a method
(or a URL rule of an endpoint) the table does not cover, or the table names one that is gone.

Every case also checks that nothing answers 500, that a refused request writes nothing, and
that the response shows the client, IMS and partner users nothing of customers, projects or
partners they may not see (``LEAKS``). ``test_pages_show_nothing_of_others`` and
``test_counts_and_options_cover_only_visible_projects`` go through every list page and filter.

The scene is built once per backend (``_scene``) and each case runs in a transaction of its
own, rolled back after it (tests/database.py): the cases stay fast on both backends.
The end of the run prints "authorization cases checked: N" (tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Response, url_for
from openpyxl import load_workbook

from tests import factories
from tests.database import delete_every_row, rolled_back, rows_written
from tests.factories import CLIENT_ROW, IMS_ROW, INFOR_ROW, PARTNER_ROW, PASSWORD, World
from tracker.api.services import create_token
from tracker.calendar.services import feed_token, reset_feed, turn_on_feed
from tracker.catalogue.drafts.queries import the_draft
from tracker.catalogue.drafts.services import start_draft
from tracker.catalogue.loader import CatalogueSpec, load_catalogue, spec_of
from tracker.catalogue.queries import current_version
from tracker.checklist.services import add_comment
from tracker.enums import Implementer, Party, Role, Status
from tracker.extensions import db
from tracker.files.services import attach_file, hide_attachment
from tracker.models import (
    Attachment,
    ChecklistItem,
    Invitation,
    Notification,
    Organisation,
    PasswordResetToken,
    Project,
    RolloutRun,
    StandingReview,
    User,
    hash_link_token,
    hash_reset_token,
)
from tracker.permissions import can_update_item, can_view_project
from tracker.projects.services import archive_project
from tracker.rollout.runs import RolloutFilters, start_run
from tracker.sharing.services import create_progress_link
from tracker.timeutil import today, utcnow

ROLES = (
    "anonymous",
    "admin",
    "csm",  # manages project_a and project_b
    "other_csm",  # manages nothing
    "ims",
    "partner",  # Northwind, implements project_b
    "other_partner",  # Contoso, implements nothing
    "client_a",
    "client_b",
)

MATRIX_PDF = b"%PDF-1.4\n%%EOF\n"
NEW_PASSWORD = "violet-harbour-quill-tandem"  # passes the password policy
# Invitations to "Initech Matrix", a customer whose name no role must not see.
INVITATION_TOKENS = {
    "invitation_valid": "matrix-valid-invitation-token",
    "invitation_used": "matrix-used-invitation-token",
    "invitation_expired": "matrix-expired-invitation-token",
    "invitation_cancelled": "matrix-cancelled-invitation-token",
    "invitation_unknown": "matrix-unknown-invitation-token",  # never stored
}
RESET_TOKENS = {
    "token_valid": "matrix-valid-reset-token",
    "token_used": "matrix-used-reset-token",
    "token_expired": "matrix-expired-reset-token",
    "token_unknown": "matrix-unknown-reset-token",  # never stored
}

# Names the scene gives people and things, so that a leak of any of them is visible. A role
# must not see, anywhere in a response (case-insensitive), the name of a customer, project,
# partner or person it has no project in common with.
ACME = "acme"  # customer A: "Acme Test", "Acme rollout", "Acme archived pilot", "Alice Acme"
GLOBEX = "globex"  # customer B: "Globex Test", "Globex rollout", "Gloria Globex"...
NORTHWIND = "northwind"  # the partner of project_b: "Northwind Partners", "Nora Northwind"
CONTOSO = "contoso"  # a partner with no project: "Contoso Partners", "Connor Contoso"
# Internal comments (the vendor's, IMS's and partners' notes) are never for clients.
INTERNAL = "internalnote"  # "Internalnote: ..." on a client item of each project
LEAKS = {
    "client_a": (GLOBEX, NORTHWIND, CONTOSO, INTERNAL),
    "client_b": (ACME, CONTOSO, INTERNAL),
    "ims": (ACME, CONTOSO),  # IMS sees project_b (IMS contract), not project_a
    "partner": (ACME, CONTOSO),  # Northwind implements project_b only
    "other_partner": (ACME, GLOBEX, NORTHWIND),
}

# --- expected answers ----------------------------------------------------------------------

LOGIN = "login"
OK = "ok"
TO_SIGN_IN = "to sign-in"

# Shorthands for rows that recur; every row lists the roles in ROLES order:
#            anonymous admin csm  other_csm ims  partner other_partner client_a client_b
EVERYONE = (OK, OK, OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)
ADMIN_ONLY = (LOGIN, OK, 403, 403, 403, 403, 403, 403, 403)
INFOR_STAFF = (LOGIN, OK, OK, OK, 403, 403, 403, 403, 403)
SEES_A = (LOGIN, OK, OK, OK, 404, 404, 404, OK, 404)  # who sees project_a
SEES_B = (LOGIN, OK, OK, OK, OK, OK, 404, 404, OK)  # who sees project_b
MANAGES_A = (LOGIN, OK, OK, 403, 404, 404, 404, 403, 404)  # edits project_a
MANAGES_B = (LOGIN, OK, OK, 403, 403, 403, 404, 404, 403)  # edits project_b
READ_ONLY_A = (LOGIN, 403, 403, 403, 404, 404, 404, 403, 404)  # archived project_a: seen only
SIGNS_OFF_A = (LOGIN, 403, 403, 403, 404, 404, 404, OK, 404)  # client_a is Acme's lead
NOBODY = (LOGIN, 404, 404, 404, 404, 404, 404, 404, 404)
NO_DRAFT = (LOGIN, 404, 403, 403, 403, 403, 403, 403, 403)  # administrators: nothing to edit
# An organisation's people page: administrators, the CSMs of its projects (as customer or
# partner; other_csm is the CSM of pilot_b: Globex, Northwind), its leads (client_a and
# partner are leads in the scene). Everyone else: 404, as if there were no such page.
PEOPLE_A = (LOGIN, OK, OK, 404, 404, 404, 404, OK, 404)
PEOPLE_B = (LOGIN, OK, OK, OK, 404, 404, 404, 404, 404)
PEOPLE_PARTNER = (LOGIN, OK, OK, OK, 404, OK, 404, 404, 404)
PEOPLE_CONTOSO = (LOGIN, OK, 404, 404, 404, 404, 404, 404, 404)
FOLLOWS_RUN = (LOGIN, OK, OK, 404, 403, 403, 403, 403, 403)  # a bulk rollout the CSM started


def everyone(status: int) -> tuple:
    return (status,) * len(ROLES)


EXPECTATIONS: dict[tuple[str, str], dict[str, tuple]] = {
    # --- auth: public pages, and one's own account ---
    ("auth.login", "GET"): {"site": EVERYONE},
    ("auth.login", "POST"): {"site": EVERYONE},  # signed-in users are sent to the portfolio
    ("auth.logout", "POST"): {"site": (LOGIN, *(TO_SIGN_IN,) * 8)},
    ("auth.change_own_password", "GET"): {"site": SIGNED_IN},
    ("auth.change_own_password", "POST"): {"site": SIGNED_IN},
    # The token is the only credential: the same answer whoever is signed in.
    ("auth.reset_with_link", "GET"): {
        "token_valid": EVERYONE,
        "token_used": everyone(410),
        "token_expired": everyone(410),
        "token_unknown": everyone(404),
    },
    ("auth.reset_with_link", "POST"): {
        "token_valid": everyone(TO_SIGN_IN),
        "token_used": everyone(410),
        "token_expired": everyone(410),
        "token_unknown": everyone(404),
    },
    ("auth.forgot_password", "GET"): {"site": EVERYONE},
    # The same answer for any address: back to the sign-in page (signed-in users are sent
    # to the portfolio, as from the sign-in page).
    ("auth.forgot_password", "POST"): {"site": (TO_SIGN_IN, *(OK,) * 8)},
    # --- an organisation's people, invitations ---
    ("people.page", "GET"): {
        "org_customer_a": PEOPLE_A,
        "org_customer_b": PEOPLE_B,
        "org_partner": PEOPLE_PARTNER,
        "org_other_partner": PEOPLE_CONTOSO,
    },
    ("people.new_invitation", "POST"): {
        "org_customer_a": PEOPLE_A,
        "org_customer_b": PEOPLE_B,
        "org_partner": PEOPLE_PARTNER,
        "org_other_partner": PEOPLE_CONTOSO,
    },
    ("people.resend_invitation", "POST"): {
        "invitation_of_a": PEOPLE_A,
        "invitation_of_a_under_b": (LOGIN, *(404,) * 8),
    },
    ("people.cancel_invitation", "POST"): {
        "invitation_of_a": PEOPLE_A,
        "invitation_of_a_under_b": (LOGIN, *(404,) * 8),
    },
    ("people.deactivate_person", "POST"): {
        "person_of_a": PEOPLE_A,  # client_a: refused to themselves with a message (302)
        "person_of_b_under_a": (LOGIN, *(404,) * 8),
    },
    # The token is the only credential: the same answer whoever is signed in.
    ("people.accept", "GET"): {
        "invitation_valid": EVERYONE,
        "invitation_used": everyone(410),
        "invitation_expired": everyone(410),
        "invitation_cancelled": everyone(410),
        "invitation_unknown": everyone(404),
    },
    ("people.accept", "POST"): {
        "invitation_valid": EVERYONE,  # the new account, signed in, on its projects
        "invitation_used": everyone(410),
        "invitation_expired": everyone(410),
        "invitation_cancelled": everyone(410),
        "invitation_unknown": everyone(404),
    },
    # --- projects ---
    ("projects.index", "GET"): {"site": SIGNED_IN},
    ("projects.portfolio", "GET"): {"site": SIGNED_IN},
    ("projects.new_project", "GET"): {"site": INFOR_STAFF},
    ("projects.new_project", "POST"): {"site": INFOR_STAFF},
    ("projects.detail", "GET"): {
        "project_a": SEES_A,
        "project_b": SEES_B,
        "archived_a": SEES_A,
        "archived_b": SEES_B,
    },
    ("projects.summary", "GET"): {
        "project_a": SEES_A,
        "project_b": SEES_B,
        "archived_a": SEES_A,
        "archived_b": SEES_B,
    },
    # --- go-live: the readiness panel's forms, the handover page ---
    ("golive.add_approver", "POST"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,
    },
    ("golive.waive", "GET"): {
        "item_a_client": MANAGES_A,
        "item_b_ims": MANAGES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": READ_ONLY_A,
    },
    ("golive.waive", "POST"): {
        "item_a_client": MANAGES_A,
        "item_b_ims": MANAGES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": READ_ONLY_A,
    },
    ("golive.confirm", "POST"): {
        "project_a": MANAGES_A,  # not signed off: refused with a message (302)
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,
    },
    # client_a, a lead of Acme, signs off (refused with the open items: 302); client_b is
    # no lead of Globex; the vendor's people never sign off.
    ("golive.sign", "GET"): {
        "project_a": SIGNS_OFF_A,
        "project_b": (LOGIN, 403, 403, 403, 403, 403, 404, 404, 403),
        "archived_a": READ_ONLY_A,
    },
    ("golive.sign", "POST"): {
        "project_a": SIGNS_OFF_A,
        "project_b": (LOGIN, 403, 403, 403, 403, 403, 404, 404, 403),
        "archived_a": READ_ONLY_A,
    },
    ("golive.handover", "GET"): {
        "project_a": SEES_A,
        "project_b": SEES_B,
        "archived_a": SEES_A,
    },
    ("projects.history", "GET"): {
        "project_a": SEES_A,
        "project_b": SEES_B,
        "archived_a": SEES_A,
        "archived_b": SEES_B,
    },
    ("projects.edit_project", "GET"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,
    },
    ("projects.edit_project", "POST"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,
    },
    ("projects.archive", "POST"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,  # already archived: nobody archives it again
    },
    ("projects.restore", "POST"): {
        "archived_a": MANAGES_A,
        "archived_b": MANAGES_B,
        "project_a": READ_ONLY_A,  # not archived: nothing to restore
    },
    # --- moving a project to a newer catalogue version (a second version loaded first) ---
    ("rollout.preview", "GET"): {
        "upgrade_a": MANAGES_A,
        "upgrade_b": MANAGES_B,
        "archived_upgrade_a": READ_ONLY_A,
    },
    ("rollout.apply", "POST"): {
        "upgrade_a": MANAGES_A,
        "upgrade_b": MANAGES_B,
        "archived_upgrade_a": READ_ONLY_A,
    },
    # Bulk, from the catalogue: administrators any project, CSMs their own (other_csm has
    # none: starting refuses and goes back to the page); a run is its starter's and the
    # administrators'.
    ("rollout.bulk_preview", "GET"): {"upgrade_site": INFOR_STAFF},
    ("rollout.bulk_start", "POST"): {"upgrade_site": INFOR_STAFF},
    ("rollout.run_progress", "GET"): {"rollout_run": FOLLOWS_RUN},
    ("rollout.run_next", "POST"): {"rollout_run": FOLLOWS_RUN},
    # --- checklist items ---
    ("checklist.item", "GET"): {
        "item_a_infor": SEES_A,
        "item_a_client": SEES_A,
        "item_b_infor": SEES_B,
        "item_b_client": SEES_B,
        "item_b_ims": SEES_B,
        "item_b_partner": SEES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": SEES_A,
    },
    ("checklist.row", "GET"): {
        "item_a_infor": SEES_A,
        "item_a_client": SEES_A,
        "item_b_infor": SEES_B,
        "item_b_client": SEES_B,
        "item_b_ims": SEES_B,
        "item_b_partner": SEES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": SEES_A,
    },
    ("checklist.update", "POST"): {
        #                 anonymous admin csm other_csm ims  partner other_p client_a client_b
        "item_a_infor": (LOGIN, OK, OK, 403, 404, 404, 404, 403, 404),
        "item_a_client": (LOGIN, OK, OK, 403, 404, 404, 404, OK, 404),
        "item_b_infor": (LOGIN, OK, OK, 403, 403, 403, 404, 404, 403),
        "item_b_client": (LOGIN, OK, OK, 403, 403, 403, 404, 404, OK),
        "item_b_ims": (LOGIN, OK, OK, 403, OK, 403, 404, 404, 403),
        "item_b_partner": (LOGIN, OK, OK, 403, 403, OK, 404, 404, 403),
        "item_b_under_a": NOBODY,
        "archived_item_a_client": READ_ONLY_A,
    },
    ("checklist.comment", "POST"): {
        "item_a_infor": SEES_A,
        "item_a_client": SEES_A,
        "item_b_infor": SEES_B,
        "item_b_client": SEES_B,
        "item_b_ims": SEES_B,
        "item_b_partner": SEES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": READ_ONLY_A,
    },
    # The items to decide: whoever manages the project (the item is not one to decide:
    # refused by the rules, after the authorization checks).
    ("checklist.decide", "POST"): {
        "item_a_infor": MANAGES_A,
        "item_a_client": MANAGES_A,
        "item_b_infor": MANAGES_B,
        "item_b_client": MANAGES_B,
        "item_b_ims": MANAGES_B,
        "item_b_partner": MANAGES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": READ_ONLY_A,
    },
    # --- dashboards ---
    ("dashboard.overdue", "GET"): {"site": SIGNED_IN},
    ("dashboard.my_tasks", "GET"): {"site": SIGNED_IN},
    # --- exports (CSV and Excel): the rows of the page they export, for whoever sees it ---
    ("exports.portfolio", "GET"): {"csv": SIGNED_IN, "xlsx": SIGNED_IN},
    ("exports.overdue", "GET"): {"csv": SIGNED_IN, "xlsx": SIGNED_IN},
    ("exports.checklist", "GET"): {
        "project_a_csv": SEES_A,
        "project_a_xlsx": SEES_A,
        "project_b_csv": SEES_B,
        "project_b_xlsx": SEES_B,
        "archived_a_csv": SEES_A,
    },
    # --- catalogue ---
    # The vendor's staff read the catalogue (CSMs create projects from it).
    ("catalogue.browse", "GET"): {"site": INFOR_STAFF, "catalogue_version": INFOR_STAFF},
    # ... and compare its versions ("site": a single version, nothing to compare yet).
    ("catalogue.diff", "GET"): {"site": INFOR_STAFF, "catalogue_diff": INFOR_STAFF},
    # Its YAML file is for administrators, who load a new version from it.
    ("catalogue.export_yaml", "GET"): {"site": ADMIN_ONLY, "catalogue_version": ADMIN_ONLY},
    # The draft that becomes the next version is edited by administrators only ("site": no
    # draft yet; a page of the draft then is not found).
    ("catalogue_drafts.draft", "GET"): {"site": ADMIN_ONLY, "draft": ADMIN_ONLY},
    ("catalogue_drafts.start", "POST"): {"site": ADMIN_ONLY},
    ("catalogue_drafts.discard", "POST"): {"draft": ADMIN_ONLY, "site": NO_DRAFT},
    ("catalogue_drafts.publish", "GET"): {"draft": ADMIN_ONLY, "site": NO_DRAFT},
    ("catalogue_drafts.publish", "POST"): {"draft": ADMIN_ONLY},
    ("catalogue_drafts.area", "GET"): {"draft": ADMIN_ONLY, "draft_area": ADMIN_ONLY},
    ("catalogue_drafts.area", "POST"): {"draft": ADMIN_ONLY, "draft_area": ADMIN_ONLY},
    ("catalogue_drafts.row", "GET"): {"draft": ADMIN_ONLY, "draft_row": ADMIN_ONLY},
    ("catalogue_drafts.row", "POST"): {"draft": ADMIN_ONLY, "draft_row": ADMIN_ONLY},
    ("catalogue_drafts.move", "POST"): {
        "draft_row_down": ADMIN_ONLY,
        "draft_area_down": ADMIN_ONLY,
    },
    ("catalogue_drafts.remove", "POST"): {
        "draft_row_kind": ADMIN_ONLY,
        "draft_area_kind": ADMIN_ONLY,
    },
    # --- administration (refused before the object is looked up: no existence leak) ---
    ("admin.users", "GET"): {"site": ADMIN_ONLY},
    ("admin.new_user", "GET"): {"site": ADMIN_ONLY},
    ("admin.new_user", "POST"): {"site": ADMIN_ONLY},
    ("admin.edit_user", "GET"): {
        "user_client_b": ADMIN_ONLY,
        "user_missing": (LOGIN, 404, 403, 403, 403, 403, 403, 403, 403),
    },
    ("admin.edit_user", "POST"): {
        "user_client_b": ADMIN_ONLY,
        "user_missing": (LOGIN, 404, 403, 403, 403, 403, 403, 403, 403),
    },
    ("admin.new_reset_link", "POST"): {
        "user_client_b": ADMIN_ONLY,
        "user_missing": (LOGIN, 404, 403, 403, 403, 403, 403, 403, 403),
    },
    ("admin.organisations", "GET"): {"site": INFOR_STAFF},
    # CSMs add and rename customers; only administrators keep partners.
    ("admin.edit_organisation", "GET"): {
        "org_new": INFOR_STAFF,
        "org_customer_a": INFOR_STAFF,
        "org_customer_b": INFOR_STAFF,
        "org_partner": ADMIN_ONLY,
    },
    ("admin.edit_organisation", "POST"): {
        "org_new": INFOR_STAFF,
        "org_customer_a": INFOR_STAFF,
        "org_customer_b": INFOR_STAFF,
        "org_partner": ADMIN_ONLY,
    },
}

# The JSON API (tracker/api) authenticates each request with a personal bearer token, not the
# session: a request without one answers 401.
API = 401  # no token
API_SEES_A = (API, OK, OK, OK, 404, 404, 404, OK, 404)
API_SEES_B = (API, OK, OK, OK, OK, OK, 404, 404, OK)
API_SIGNED_IN = (API, OK, OK, OK, OK, OK, OK, OK, OK)
API_READ_ONLY_A = (API, 403, 403, 403, 404, 404, 404, 403, 404)
API_INFOR_STAFF = (API, OK, OK, OK, 403, 403, 403, 403, 403)
EXPECTATIONS |= {
    ("api.openapi", "GET"): {"site": EVERYONE},
    ("api.customers", "GET"): {"site": API_SIGNED_IN},
    ("api.customer", "GET"): {"api_customer_a": API_SEES_A, "api_customer_b": API_SEES_B},
    ("api.projects", "GET"): {"site": API_SIGNED_IN},
    ("api.project", "GET"): {
        "project_a": API_SEES_A,
        "project_b": API_SEES_B,
        "archived_a": API_SEES_A,
    },
    ("api.readiness", "GET"): {
        "project_a": API_SEES_A,
        "project_b": API_SEES_B,
        "archived_a": API_SEES_A,
    },
    ("api.sign_off_go_live", "POST"): {
        "project_a": (API, 403, 403, 403, 404, 404, 404, OK, 404),  # 422: items open
        "project_b": (API, 403, 403, 403, 403, 403, 404, 404, 403),
        "archived_a": API_READ_ONLY_A,
    },
    ("api.items", "GET"): {"site": API_SIGNED_IN},
    ("api.item", "GET"): {
        "api_item_a_infor": API_SEES_A,
        "api_item_a_client": API_SEES_A,
        "api_item_b_infor": API_SEES_B,
        "api_item_b_client": API_SEES_B,
        "api_item_b_ims": API_SEES_B,
        "api_item_b_partner": API_SEES_B,
        "api_archived_item_a_client": API_SEES_A,
    },
    ("api.update", "PATCH"): {
        #                     anonymous admin csm other_csm ims partner other_p client_a client_b
        "api_item_a_infor": (API, OK, OK, 403, 404, 404, 404, 403, 404),
        "api_item_a_client": (API, OK, OK, 403, 404, 404, 404, OK, 404),
        "api_item_b_infor": (API, OK, OK, 403, 403, 403, 404, 404, 403),
        "api_item_b_client": (API, OK, OK, 403, 403, 403, 404, 404, OK),
        "api_item_b_ims": (API, OK, OK, 403, OK, 403, 404, 404, 403),
        "api_item_b_partner": (API, OK, OK, 403, 403, OK, 404, 404, 403),
        "api_archived_item_a_client": API_READ_ONLY_A,
    },
    ("api.comment", "POST"): {
        "api_item_a_infor": API_SEES_A,
        "api_item_a_client": API_SEES_A,
        "api_item_b_infor": API_SEES_B,
        "api_item_b_client": API_SEES_B,
        "api_item_b_ims": API_SEES_B,
        "api_item_b_partner": API_SEES_B,
        "api_archived_item_a_client": API_READ_ONLY_A,
    },
    ("api.overdue", "GET"): {"site": API_SIGNED_IN},
    ("api.catalogue", "GET"): {"site": API_INFOR_STAFF, "catalogue_version": API_INFOR_STAFF},
    ("api.catalogue_versions", "GET"): {"site": API_INFOR_STAFF},
    ("api.catalogue_version", "GET"): {"api_catalogue_version": API_INFOR_STAFF},
    ("api.catalogue_diff", "GET"): {"catalogue_diff": API_INFOR_STAFF},
}


# Evidence files: attached by whoever may comment on the item; seen like the item, a file of
# an internal comment never by clients, a removed one only by whoever may restore it;
# removed by its uploader or the project's CSM, restored by the CSM.
#                     anonymous admin csm other_csm ims partner other_p client_a client_b
INTERNAL_B = (LOGIN, OK, OK, OK, OK, OK, 404, 404, 404)
REMOVED_A = (LOGIN, OK, OK, 404, 404, 404, 404, 404, 404)
EXPECTATIONS |= {
    ("checklist.attach_file_to_item", "POST"): dict(EXPECTATIONS[("checklist.comment", "POST")]),
    ("checklist.download_file", "GET"): {
        "file_a": SEES_A,
        "file_b": SEES_B,
        "file_b_internal": INTERNAL_B,
        "file_a_hidden": REMOVED_A,
        "file_b_under_a": NOBODY,
    },
    ("checklist.hide_file", "POST"): {
        "file_a": (LOGIN, OK, OK, 403, 404, 404, 404, OK, 404),
        "file_b": (LOGIN, OK, OK, 403, 403, 403, 404, 404, OK),
        "file_b_internal": (LOGIN, OK, OK, 403, 403, OK, 404, 404, 404),
        "file_a_hidden": REMOVED_A,
        "file_b_under_a": NOBODY,
    },
    ("checklist.restore_file", "POST"): {
        "file_a_hidden": REMOVED_A,
        "file_a": MANAGES_A,
        "file_b_under_a": NOBODY,
    },
    ("api.attachments", "GET"): dict(EXPECTATIONS[("api.item", "GET")]),
    ("api.attach", "POST"): dict(EXPECTATIONS[("api.comment", "POST")]),
    ("api.attachment", "GET"): {
        "api_file_a": API_SEES_A,
        "api_file_b": API_SEES_B,
        "api_file_b_internal": (API, *INTERNAL_B[1:]),
        "api_file_a_hidden": (API, *REMOVED_A[1:]),
    },
}
EXPECTATIONS[("api.attachment_content", "GET")] = dict(EXPECTATIONS[("api.attachment", "GET")])


# One's own account: preferences, and personal API tokens (another user's token is not found).
EXPECTATIONS |= {
    ("account.index", "GET"): {"site": SIGNED_IN},
    ("account.new_token", "POST"): {"site": SIGNED_IN},
    ("account.preferences", "POST"): {"site": SIGNED_IN},
    ("account.revoke", "POST"): {
        #                  anonymous admin csm other_csm ims partner other_p client_a client_b
        "api_token_of_client_a": (LOGIN, 404, 404, 404, 404, 404, 404, OK, 404),
        "api_token_of_admin": (LOGIN, OK, 404, 404, 404, 404, 404, 404, 404),
    },
}


# Notifications are one's own (another person's is not found); whoever sees an item may
# watch it, archived or not, and ask whom a comment on it may mention.
EXPECTATIONS |= {
    ("notifications.index", "GET"): {"site": SIGNED_IN},
    ("notifications.read_all", "POST"): {"site": SIGNED_IN},
    ("notifications.read", "POST"): {
        # anonymous admin csm other_csm ims partner other_p client_a client_b
        "notification_of_client_a": (LOGIN, 404, 404, 404, 404, 404, 404, OK, 404),
    },
    ("notifications.watch", "POST"): {
        "item_a_infor": SEES_A,
        "item_a_client": SEES_A,
        "item_b_infor": SEES_B,
        "item_b_client": SEES_B,
        "item_b_ims": SEES_B,
        "item_b_partner": SEES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": SEES_A,
    },
    ("notifications.candidates", "GET"): {
        "item_a_infor": SEES_A,
        "item_a_client": SEES_A,
        "item_b_infor": SEES_B,
        "item_b_client": SEES_B,
        "item_b_ims": SEES_B,
        "item_b_partner": SEES_B,
        "item_b_under_a": NOBODY,
        "archived_item_a_client": SEES_A,
    },
}


# The calendar feed: its URL (user id and token) is the credential, for whoever holds it; a
# wrong, revoked or switched-off URL is not found. Its settings are one's own.
EXPECTATIONS |= {
    ("calendar.feed", "GET"): {
        "feed_of_client_a": EVERYONE,
        "feed_of_client_a_with_b_token": everyone(404),
        "feed_of_client_a_revoked": everyone(404),
        "feed_off": everyone(404),
    },
    ("calendar.turn_on", "POST"): {"site": SIGNED_IN},
    ("calendar.reset", "POST"): {"site": SIGNED_IN},
    ("calendar.turn_off", "POST"): {"site": SIGNED_IN},
}


# The header's language switcher: anyone may choose the language of the pages (a signed-in
# user's choice is saved into their profile); it returns to the page it was used on.
EXPECTATIONS |= {
    ("language.switch", "POST"): {"site": EVERYONE},
}


# The heatmap lists the projects each role may see (tests/test_insights.py checks its rows).
EXPECTATIONS |= {
    ("insights.heatmap_page", "GET"): {"site": SIGNED_IN},
}


# Progress links (tracker/sharing): listed, created and revoked by whoever manages the
# project (not created on an archived one); the page a link opens is for whoever holds the
# link, showing its project only (the leak check is that of the project's client user); a
# revoked or expired link is gone, a token no link has is not found.
EXPECTATIONS |= {
    ("sharing.links", "GET"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": MANAGES_A,
    },
    ("sharing.links", "POST"): {
        "project_a": MANAGES_A,
        "project_b": MANAGES_B,
        "archived_a": READ_ONLY_A,
    },
    ("sharing.revoke", "POST"): {
        "link_a": MANAGES_A,
        "link_b": MANAGES_B,
        "link_b_under_a": (LOGIN, 404, 404, 403, 404, 404, 404, 403, 404),
    },
    ("sharing.progress", "GET"): {
        "progress_a": EVERYONE,
        "progress_b": EVERYONE,
        "progress_revoked": everyone(410),
        "progress_expired": everyone(410),
        "progress_unknown": everyone(404),
    },
}


# A standing responsibility's review is marked done by whoever may update its item; another
# project's review through this project's URL is not found.
EXPECTATIONS |= {
    ("reviews.done", "POST"): {
        "review_a_infor": MANAGES_A,
        "review_b_ims": (LOGIN, OK, OK, 403, OK, 403, 404, 404, 403),
        "review_b_under_a": NOBODY,
    },
}


# The liveness check (tracker/health.py): "ok" for anyone, nothing to see or leak.
EXPECTATIONS |= {
    ("health.healthz", "GET"): {"site": EVERYONE},
}


# API calls that take multipart/form-data rather than JSON.
MULTIPART = {"api.attach"}


def is_api(endpoint: str) -> bool:
    return endpoint.startswith("api.")


# Endpoints that are not the application's pages.
NOT_PAGES = {"static", "bootstrap.static", "favicon"}
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}


# --- the scene: the world, with something to leak in every corner -------------------------


@dataclass
class Scene:
    world: World
    items: dict[str, int]  # "a.infor" -> the id of project_a's Infor item of INFOR_ROW...
    pilot_a: int  # "Acme archived pilot": customer A, archived
    pilot_b: int  # "Globex archived pilot": customer B, IMS, Northwind, archived
    catalogue_number: int
    missing_user: int  # an id no user has
    api_tokens: dict[str, str] = field(default_factory=dict)  # role -> bearer token
    api_token_ids: dict[str, int] = field(default_factory=dict)  # role -> its id
    # role -> their calendar feed token; "revoked": client_a's previous one; "off": what
    # other_partner's would be, their feed being off
    feed_tokens: dict[str, str] = field(default_factory=dict)
    # "a", "b": a progress link to project_a, project_b; "revoked", "expired": project_a's
    progress_tokens: dict[str, str] = field(default_factory=dict)
    progress_link_ids: dict[str, int] = field(default_factory=dict)
    # "a.infor", "b.ims": the review of that item (a standing responsibility's)
    review_ids: dict[str, int] = field(default_factory=dict)
    # "a": client_a's file on a.client; "b": client_b's on b.client; "b.internal": the
    # partner's on an internal comment of b.client; "a.hidden": a file of a.client removed
    files: dict[str, int] = field(default_factory=dict)
    expected: dict[str, list[tuple]] = field(default_factory=dict)  # every row, to compare
    invitation_of_a: int = 0  # a pending invitation to customer A

    def user_id(self, role: str) -> int:
        return self.world.user_id(role)

    @property
    def projects(self) -> tuple[int, ...]:
        return (self.world.project_a, self.world.project_b, self.pilot_a, self.pilot_b)


ITEMS = {  # name: (project, catalogue row, party)
    "a.infor": ("project_a", INFOR_ROW, Party.INFOR),
    "a.client": ("project_a", CLIENT_ROW, Party.CLIENT),
    "b.infor": ("project_b", INFOR_ROW, Party.INFOR),
    "b.client": ("project_b", CLIENT_ROW, Party.CLIENT),
    "b.ims": ("project_b", IMS_ROW, Party.IMS),
    "b.partner": ("project_b", PARTNER_ROW, Party.PARTNER),
}


def _build_scene() -> Scene:
    world = factories.build_world()
    users = {role: db.session.get(User, world.user_id(role)) for role in World.USER_IDS}
    for role, name in (
        ("client_a", "Alice Acme"),
        ("client_b", "Gloria Globex"),
        ("partner", "Nora Northwind"),
        ("other_partner", "Connor Contoso"),
    ):
        users[role].name = name
    pilot_a = factories.project(world.customer_a, world.csm, name="Acme archived pilot")
    pilot_b = factories.project(
        world.customer_b,
        world.other_csm,
        name="Globex archived pilot",
        ims_contract=True,
        implementer=Implementer.PARTNER,
        partner_id=world.partner,
    )
    items = {
        name: factories.item_of(getattr(world, project), row, party)
        for name, (project, row, party) in ITEMS.items()
    }
    # Assignees and comments whose names would show a leak.
    csm = users["csm"]
    for item, role in (
        (items["a.client"], "client_a"),
        (items["b.client"], "client_b"),
        (items["b.ims"], "ims"),
        (items["b.partner"], "partner"),
    ):
        factories.change(item, actor=csm, assignee_id=users[role].id)
    for item, role, body in (
        (items["a.client"], "client_a", "Acme-only remark"),
        (items["b.client"], "client_b", "Globex-only remark"),
        (items["b.partner"], "partner", "Northwind-only remark"),
    ):
        add_comment(item, actor=users[role], body=body)
    for item, role in ((items["a.client"], "csm"), (items["b.client"], "partner")):
        add_comment(item, actor=users[role], body="Internalnote: chase them", internal=True)
    # Files: one per client item, one on an internal comment, one removed.
    files = {}
    for key, item, role, name, comment in (
        ("a", items["a.client"], "client_a", "evidence-a.pdf", None),
        ("b", items["b.client"], "client_b", "evidence-b.pdf", None),
        ("a.hidden", items["a.client"], "client_a", "removed-a.pdf", None),
        (
            "b.internal",
            items["b.client"],
            "partner",
            "internalnote-b.txt",
            add_comment(
                items["b.client"], actor=users["partner"], body="Internalnote: file", internal=True
            ),
        ),
    ):
        content = b"plain evidence" if name.endswith(".txt") else MATRIX_PDF
        files[key] = attach_file(
            item, actor=users[role], filename=name, stream=io.BytesIO(content), comment=comment
        ).id
    hide_attachment(db.session.get(Attachment, files["a.hidden"]), actor=csm)
    # On every project, for every party: an overdue item and an item due soon.
    now = today()
    for project in (world.project_a, world.project_b, pilot_a.id, pilot_b.id):
        for party in Party:
            of_party = [i for i in factories.items_of(project) if i.party is party]
            for item, days in zip(of_party, (-3, 3), strict=False):
                item.due_date = now + timedelta(days=days)
    db.session.flush()
    for pilot in (pilot_a, pilot_b):
        archive_project(pilot, actor=pilot.csm)
    # Reset links: one usable, one used, one expired (all for an Infor account).
    moment = utcnow()
    for name, expires, used in (
        ("token_valid", moment + timedelta(hours=48), None),
        ("token_used", moment + timedelta(hours=48), moment - timedelta(hours=1)),
        ("token_expired", moment - timedelta(hours=1), None),
    ):
        db.session.add(
            PasswordResetToken(
                user_id=world.other_csm,
                token_hash=hash_reset_token(RESET_TOKENS[name]),
                created_by_id=world.admin,
                created_at=moment - timedelta(hours=2),
                expires_at=expires,
                used_at=used,
            )
        )
    # Leads: client_a of Acme, partner of Northwind. Invitations: one pending to Acme; the
    # tokens of INVITATION_TOKENS to Initech.
    users["client_a"].is_lead = True
    users["partner"].is_lead = True
    initech = factories.organisation("Initech Matrix")
    invitations = {}
    for name, organisation, expires, used, cancelled in (
        ("of_a", world.customer_a, moment + timedelta(days=7), None, None),
        ("invitation_valid", initech.id, moment + timedelta(days=7), None, None),
        ("invitation_used", initech.id, moment + timedelta(days=7), moment, None),
        ("invitation_expired", initech.id, moment - timedelta(hours=1), None, None),
        ("invitation_cancelled", initech.id, moment + timedelta(days=7), None, moment),
    ):
        invitations[name] = Invitation(
            organisation_id=organisation,
            email=f"{name.replace('_', '.')}@invited.test",
            name="Ivy Invitee",
            role=Role.CLIENT,
            language="en",
            invited_by_id=world.csm,
            token_hash=hash_link_token(INVITATION_TOKENS.get(name, f"matrix-{name}")),
            created_at=moment - timedelta(hours=2),
            sent_at=moment - timedelta(hours=2),
            expires_at=expires,
            used_at=used,
            cancelled_at=cancelled,
        )
        db.session.add(invitations[name])
    db.session.flush()
    api_tokens = {role: create_token(user, name="matrix") for role, user in users.items()}
    # Calendar feeds: on for everyone but other_partner; client_a's URL was reset once.
    feed_tokens = {"off": feed_token(users["other_partner"])}
    turn_on_feed(users["client_a"])
    feed_tokens["revoked"] = feed_token(users["client_a"])
    reset_feed(users["client_a"])
    for role, user in users.items():
        if role != "other_partner":
            turn_on_feed(user)
            feed_tokens[role] = feed_token(user)
    # Progress links: one to each project, and project_a's revoked and expired ones.
    progress = {}
    for name, project in (
        ("a", world.project_a),
        ("b", world.project_b),
        ("revoked", world.project_a),
        ("expired", world.project_a),
    ):
        progress[name] = create_progress_link(
            db.session.get(Project, project), actor=csm, label=f"Matrix {name}", days=30
        )
    progress["revoked"][0].revoked_at = moment
    progress["expired"][0].expires_at = moment - timedelta(days=1)
    # Reviews of standing responsibilities, to mark done.
    reviews = {
        name: StandingReview(project_id=items[name].project_id, item_id=items[name].id, due_on=now)
        for name in ("a.infor", "b.ims")
    }
    db.session.add_all(reviews.values())
    db.session.commit()
    return Scene(
        world=world,
        progress_tokens={name: token for name, (_, token) in progress.items()},
        progress_link_ids={name: link.id for name, (link, _) in progress.items()},
        review_ids={name: review.id for name, review in reviews.items()},
        api_tokens={role: value for role, (_, value) in api_tokens.items()},
        api_token_ids={role: token.id for role, (token, _) in api_tokens.items()},
        feed_tokens=feed_tokens,
        items={name: item.id for name, item in items.items()},
        files=files,
        pilot_a=pilot_a.id,
        pilot_b=pilot_b.id,
        catalogue_number=current_version().number,
        missing_user=db.session.scalar(sa.select(sa.func.max(User.id))) + 1000,
        invitation_of_a=invitations["of_a"].id,
    )


# Columns a request may change without it being a change of data: signing in stamps these.
IGNORED_COLUMNS = frozenset({"last_login_at", "last_used_at"})  # API tokens' last use too


def _dump() -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order, as the case's transaction sees them."""
    connection = db.session.connection()
    return {
        table.name: [
            dict(row._mapping)
            for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }


def _comparable(dump: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    return {
        name: [tuple(v for k, v in row.items() if k not in IGNORED_COLUMNS) for row in rows]
        for name, rows in dump.items()
    }


@pytest.fixture(scope="module")
def _scene(_app, _base):
    """The scene, built once per database and committed, outside any test's transaction:
    the other tests' base is built again after it."""
    _base.invalidate()
    with _app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            delete_every_row(connection)
        scene = _build_scene()
        db.session.remove()
        with db.engine.connect() as connection:
            scene.expected = _comparable(
                {
                    table.name: [
                        dict(row._mapping)
                        for row in connection.execute(
                            sa.select(table).order_by(*table.primary_key.columns)
                        )
                    ]
                    for table in db.metadata.sorted_tables
                }
            )
    yield scene
    with _app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            delete_every_row(connection)


@pytest.fixture
def scene(_app, _scene) -> Iterator[Scene]:
    """The scene, in a transaction of the case's own, rolled back after it."""
    with rolled_back(_app, empty=False):
        yield _scene


# --- targets: the object a case is about -------------------------------------------------


@dataclass(frozen=True)
class Target:
    """How to build a case's URL: its path arguments (``args``, checked against the URL
    rules), their values for a scene, query-string arguments, and a change to make first."""

    args: tuple[str, ...] = ()
    values: Callable[[Scene], dict] = lambda scene: {}
    query: Callable[[Scene], dict] = lambda scene: {}
    setup: Callable[[Scene], None] | None = None
    # A URL that is its own credential shows its owner's data to whoever holds it: the leak
    # check is then the owner's.
    owner: str | None = None


def _archive(project: str) -> Callable[[Scene], None]:
    def setup(scene: Scene) -> None:
        db.session.execute(
            sa.update(Project)
            .where(Project.id == getattr(scene.world, project))
            .values(archived_at=utcnow())
        )

    return setup


def _project(project: str, *, archived: bool = False) -> Target:
    return Target(
        args=("project_id",),
        values=lambda scene: {"project_id": getattr(scene.world, project)},
        setup=_archive(project) if archived else None,
    )


def _item(project: str, item: str, *, archived: bool = False) -> Target:
    return Target(
        args=("project_id", "item_id"),
        values=lambda scene: {
            "project_id": getattr(scene.world, project),
            "item_id": scene.items[item],
        },
        setup=_archive(project) if archived else None,
    )


def _organisation(attribute: str) -> Target:
    return Target(
        args=("organisation_id",),
        values=lambda scene: {"organisation_id": getattr(scene.world, attribute)},
    )


def _export(fmt: str, target: Target | None = None) -> Target:
    """``target`` (or none) downloaded as ``fmt``."""
    target = target or Target()
    return Target(
        args=(*target.args, "fmt"),
        values=lambda scene: {**target.values(scene), "fmt": fmt},
        setup=target.setup,
    )


def _api_item(item: str, *, archived: bool = False) -> Target:
    return Target(
        args=("item_id",),
        values=lambda scene: {"item_id": scene.items[item]},
        setup=_archive("project_a") if archived else None,
    )


def _file(project: str, item: str, file: str) -> Target:
    return Target(
        args=("project_id", "item_id", "attachment_id"),
        values=lambda scene: {
            "project_id": getattr(scene.world, project),
            "item_id": scene.items[item],
            "attachment_id": scene.files[file],
        },
    )


def _api_file(file: str) -> Target:
    return Target(
        args=("attachment_id",), values=lambda scene: {"attachment_id": scene.files[file]}
    )


def _api_customer(attribute: str) -> Target:
    return Target(
        args=("customer_id",), values=lambda scene: {"customer_id": getattr(scene.world, attribute)}
    )


def _notify_client_a(scene: Scene) -> None:
    """A notification for client A's user: the CSM assigned them project_a's client item."""
    db.session.add(
        Notification(
            recipient_id=scene.user_id("client_a"),
            kind="assigned",
            project_id=scene.world.project_a,
            item_id=scene.items["a.client"],
            actor_id=scene.user_id("csm"),
            payload={},
        )
    )


def _notification_of_client_a(scene: Scene) -> int:
    return db.session.scalar(
        sa.select(Notification.id).where(Notification.recipient_id == scene.user_id("client_a"))
    )


def _api_token_of(role: str) -> Target:
    return Target(args=("token_id",), values=lambda scene: {"token_id": scene.api_token_ids[role]})


def _feed(owner: str, token: Callable[[Scene], str]) -> Target:
    return Target(
        args=("user_id", "token"),
        values=lambda scene: {"user_id": scene.user_id(owner), "token": token(scene)},
        owner=owner,
    )


def _second_catalogue_version(scene: Scene) -> None:
    """A version after the scene's: its first row due later."""
    data = spec_of(current_version()).model_dump(mode="json")
    data["areas"][0]["rows"][0]["due"] = "K+99"
    load_catalogue(CatalogueSpec.model_validate(data))


def _upgrade(project: str, *, archived: bool = False) -> Target:
    """A project on the scene's catalogue version, with a newer version loaded."""

    def setup(scene: Scene) -> None:
        _second_catalogue_version(scene)
        if archived:
            _archive(project)(scene)

    return Target(
        args=("project_id",),
        values=lambda scene: {"project_id": getattr(scene.world, project)},
        setup=setup,
    )


def _start_run(scene: Scene) -> None:
    """The CSM's bulk rollout of project_a and project_b to a newer version, not run yet."""
    _second_catalogue_version(scene)
    start_run(
        current_version(),
        [scene.world.project_a, scene.world.project_b],
        RolloutFilters(),
        actor=db.session.get(User, scene.user_id("csm")),
    )


def _latest_run(scene: Scene) -> dict:
    return {"run_id": db.session.scalar(sa.select(sa.func.max(RolloutRun.id)))}


def _start_draft(scene: Scene) -> None:
    start_draft(actor=db.session.get(User, scene.user_id("admin")))


def _draft_part(kind: str, *, with_kind: bool = False, direction: str | None = None) -> Target:
    """The first area or row of a draft started for the case (its kind and a direction in
    the URL when the route takes them)."""

    def values(scene: Scene) -> dict:
        area = the_draft().content["areas"][0]
        found = {"key": area["key"] if kind == "area" else area["rows"][0]["key"]}
        if with_kind:
            found["kind"] = kind
        if direction:
            found["direction"] = direction
        return found

    args = ("key", *(("kind",) if with_kind else ()), *(("direction",) if direction else ()))
    return Target(args=args, values=values, setup=_start_draft)


def _draft_form(scene: Scene, values: dict, role: str) -> dict:
    draft = the_draft()
    return {"version": str(draft.version) if draft else "1"}


def _draft_area_form(scene: Scene, values: dict, role: str) -> dict:
    return {
        **_draft_form(scene, values, role),
        "key": "matrix_area",
        "title_fr": "Matrice",
        "title_en": "Matrix",
    }


def _draft_row_form(scene: Scene, values: dict, role: str) -> dict:
    draft = the_draft()
    return {
        **_draft_form(scene, values, role),
        "key": "matrix_row",
        "area": draft.content["areas"][0]["key"] if draft else "",
        "text_fr": "Ligne de la matrice",
        "text_en": "Matrix row",
        "parties": ["infor"],
        "phase": "onboarding",
        "due": "K+1",
        "marks": "inferred",
    }


def _invitation_token(name: str) -> Target:
    return Target(args=("token",), values=lambda scene: {"token": INVITATION_TOKENS[name]})


def _invitation_of_a(organisation: str) -> Target:
    return Target(
        args=("organisation_id", "invitation_id"),
        values=lambda scene: {
            "organisation_id": getattr(scene.world, organisation),
            "invitation_id": scene.invitation_of_a,
        },
    )


def _progress_link(project: str, link: str) -> Target:
    return Target(
        args=("project_id", "link_id"),
        values=lambda scene: {
            "project_id": getattr(scene.world, project),
            "link_id": scene.progress_link_ids[link],
        },
    )


def _person(organisation: str, role: str) -> Target:
    return Target(
        args=("organisation_id", "user_id"),
        values=lambda scene: {
            "organisation_id": getattr(scene.world, organisation),
            "user_id": scene.user_id(role),
        },
    )


def _review(project: str, review: str) -> Target:
    return Target(
        args=("project_id", "review_id"),
        values=lambda scene: {
            "project_id": getattr(scene.world, project),
            "review_id": scene.review_ids[review],
        },
    )


def _progress_page(link: str, owner: str | None = None) -> Target:
    return Target(
        args=("token",),
        values=lambda scene: {"token": scene.progress_tokens.get(link, "matrix-unknown-link")},
        owner=owner,
    )


def _token(name: str) -> Target:
    return Target(args=("token",), values=lambda scene: {"token": RESET_TOKENS[name]})


TARGETS: dict[str, Target] = {
    "site": Target(),
    "project_a": _project("project_a"),
    "project_b": _project("project_b"),
    "archived_a": _project("project_a", archived=True),
    "archived_b": _project("project_b", archived=True),
    "item_a_infor": _item("project_a", "a.infor"),
    "item_a_client": _item("project_a", "a.client"),
    "item_b_infor": _item("project_b", "b.infor"),
    "item_b_client": _item("project_b", "b.client"),
    "item_b_ims": _item("project_b", "b.ims"),
    "item_b_partner": _item("project_b", "b.partner"),
    "item_b_under_a": _item("project_a", "b.infor"),  # project_b's item, project_a's URL
    "file_a": _file("project_a", "a.client", "a"),
    "file_b": _file("project_b", "b.client", "b"),
    "file_b_internal": _file("project_b", "b.client", "b.internal"),
    "file_a_hidden": _file("project_a", "a.client", "a.hidden"),
    "file_b_under_a": _file("project_a", "a.client", "b"),  # project_b's file, project_a's URL
    "api_file_a": _api_file("a"),
    "api_file_b": _api_file("b"),
    "api_file_b_internal": _api_file("b.internal"),
    "api_file_a_hidden": _api_file("a.hidden"),
    "archived_item_a_client": _item("project_a", "a.client", archived=True),
    "catalogue_version": Target(query=lambda scene: {"version": scene.catalogue_number}),
    "api_catalogue_version": Target(
        args=("number",), values=lambda scene: {"number": scene.catalogue_number}
    ),
    "catalogue_diff": Target(
        query=lambda scene: {"from": scene.catalogue_number, "to": scene.catalogue_number + 1},
        setup=_second_catalogue_version,
    ),
    "upgrade_a": _upgrade("project_a"),
    "upgrade_b": _upgrade("project_b"),
    "archived_upgrade_a": _upgrade("project_a", archived=True),
    "upgrade_site": Target(setup=_second_catalogue_version),
    "rollout_run": Target(args=("run_id",), values=_latest_run, setup=_start_run),
    "draft": Target(setup=_start_draft),
    "draft_area": _draft_part("area"),
    "draft_row": _draft_part("row"),
    "draft_area_kind": _draft_part("area", with_kind=True),
    "draft_row_kind": _draft_part("row", with_kind=True),
    "draft_area_down": _draft_part("area", with_kind=True, direction="down"),
    "draft_row_down": _draft_part("row", with_kind=True, direction="down"),
    "user_client_b": Target(args=("user_id",), values=lambda s: {"user_id": s.world.client_b}),
    "user_missing": Target(args=("user_id",), values=lambda s: {"user_id": s.missing_user}),
    "org_new": Target(),
    "org_customer_a": _organisation("customer_a"),
    "org_customer_b": _organisation("customer_b"),
    "org_partner": _organisation("partner"),
    "org_other_partner": _organisation("other_partner"),
    "invitation_of_a": _invitation_of_a("customer_a"),
    "invitation_of_a_under_b": _invitation_of_a("customer_b"),
    "person_of_a": _person("customer_a", "client_a"),
    "person_of_b_under_a": _person("customer_a", "client_b"),
    "invitation_valid": _invitation_token("invitation_valid"),
    "invitation_used": _invitation_token("invitation_used"),
    "invitation_expired": _invitation_token("invitation_expired"),
    "invitation_cancelled": _invitation_token("invitation_cancelled"),
    "invitation_unknown": _invitation_token("invitation_unknown"),
    "csv": _export("csv"),
    "xlsx": _export("xlsx"),
    "project_a_csv": _export("csv", _project("project_a")),
    "project_a_xlsx": _export("xlsx", _project("project_a")),
    "project_b_csv": _export("csv", _project("project_b")),
    "project_b_xlsx": _export("xlsx", _project("project_b")),
    "archived_a_csv": _export("csv", _project("project_a", archived=True)),
    "api_item_a_infor": _api_item("a.infor"),
    "api_item_a_client": _api_item("a.client"),
    "api_item_b_infor": _api_item("b.infor"),
    "api_item_b_client": _api_item("b.client"),
    "api_item_b_ims": _api_item("b.ims"),
    "api_item_b_partner": _api_item("b.partner"),
    "api_archived_item_a_client": _api_item("a.client", archived=True),
    "api_customer_a": _api_customer("customer_a"),
    "api_customer_b": _api_customer("customer_b"),
    "api_token_of_client_a": _api_token_of("client_a"),
    "notification_of_client_a": Target(
        args=("notification_id",),
        values=lambda scene: {"notification_id": _notification_of_client_a(scene)},
        setup=lambda scene: _notify_client_a(scene),
    ),
    "api_token_of_admin": _api_token_of("admin"),
    "feed_of_client_a": _feed("client_a", lambda s: s.feed_tokens["client_a"]),
    "feed_of_client_a_with_b_token": _feed("client_a", lambda s: s.feed_tokens["client_b"]),
    "feed_of_client_a_revoked": _feed("client_a", lambda s: s.feed_tokens["revoked"]),
    "feed_off": _feed("other_partner", lambda s: s.feed_tokens["off"]),
    "token_valid": _token("token_valid"),
    "token_used": _token("token_used"),
    "token_expired": _token("token_expired"),
    "token_unknown": _token("token_unknown"),
    "link_a": _progress_link("project_a", "a"),
    "link_b": _progress_link("project_b", "b"),
    "link_b_under_a": _progress_link("project_a", "b"),  # project_b's link, project_a's URL
    "progress_a": _progress_page("a", owner="client_a"),
    "progress_b": _progress_page("b", owner="client_b"),
    "progress_revoked": _progress_page("revoked"),
    "progress_expired": _progress_page("expired"),
    "progress_unknown": _progress_page("unknown"),
    "review_a_infor": _review("project_a", "a.infor"),
    "review_b_ims": _review("project_b", "b.ims"),
    "review_b_under_a": _review("project_a", "b.ims"),  # project_b's review, project_a's URL
}


# --- the form each POST sends: minimal, valid-looking, with the application's field names ---


def _project_form(scene: Scene, values: dict, role: str) -> dict:
    project = db.session.get(Project, values["project_id"])
    data = {
        "name": project.name,
        "customer_id": project.customer_id,
        "csm_id": project.csm_id,
        "deployment": project.deployment.value,
        "environment": project.environment.value,
        "implementer": project.implementer.value,
        "partner_id": project.partner_id or 0,
        "kickoff_date": project.kickoff_date.isoformat(),
        "go_live_date": project.go_live_date.isoformat(),
        "version": str(project.version),
    }
    if project.ims_contract:
        data["ims_contract"] = "y"
        data["ims_scope"] = sorted(project.ims_scope_keys)
    return data


def _new_project_form(scene: Scene, values: dict, role: str) -> dict:
    start = today()
    return {
        "name": "Matrix project",
        "customer_id": scene.world.customer_a,
        "csm_id": scene.world.csm,
        "deployment": "multi_tenant",
        "environment": "prod",
        "implementer": "infor",
        "partner_id": 0,
        "kickoff_date": start.isoformat(),
        "go_live_date": (start + timedelta(days=90)).isoformat(),
    }


def _item_form(scene: Scene, values: dict, role: str) -> dict:
    item = db.session.get(ChecklistItem, values["item_id"])
    prefix = f"item{item.id}-"
    return {
        prefix + "status": "in_progress" if item.status is Status.TODO else "todo",
        prefix + "reason": "",
        prefix + "assignee_id": str(item.assignee_id or 0),
        prefix + "version": str(item.version),
    }


def _user_form(scene: Scene, values: dict, role: str) -> dict:
    user = db.session.get(User, values["user_id"]) if "user_id" in values else None
    if user is None:  # a new user, or one that does not exist
        return {
            "email": "matrix.user@t.test",
            "name": "Matrix User",
            "role": "client",
            "organisation_id": scene.world.customer_a,
            "password": NEW_PASSWORD,
            "active": "y",
        }
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "organisation_id": user.organisation_id or 0,
        "password": "",
        "active": "y",
    }


def _organisation_form(scene: Scene, values: dict, role: str) -> dict:
    organisation = (
        db.session.get(Organisation, values["organisation_id"])
        if "organisation_id" in values
        else None
    )
    if organisation is None:
        return {"name": "Matrix Customer", "kind": "customer"}
    return {"name": organisation.name + " Renamed", "kind": organisation.kind.value}


FORMS: dict[str, Callable[[Scene, dict, str], dict]] = {
    "auth.login": lambda scene, values, role: {
        "email": World.EMAILS.get(role, World.CLIENT_A),
        "password": PASSWORD,
    },
    "auth.change_own_password": lambda scene, values, role: {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "auth.reset_with_link": lambda scene, values, role: {
        "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "auth.forgot_password": lambda scene, values, role: {
        "email": World.EMAILS.get(role, World.CLIENT_A)
    },
    "people.new_invitation": lambda scene, values, role: {
        "email": "matrix.invitee@invited.test",
        "name": "Matrix Invitee",
        "language": "en",
    },
    "people.accept": lambda scene, values, role: {
        "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "projects.new_project": _new_project_form,
    "projects.edit_project": _project_form,
    "checklist.update": _item_form,
    "checklist.comment": lambda scene, values, role: {"body": "A comment from the matrix."},
    "checklist.decide": lambda scene, values, role: {
        "decision": "keep",
        "note": "Kept by the matrix.",
        "version": db.session.get(ChecklistItem, values["item_id"]).version,
    },
    "rollout.apply": lambda scene, values, role: {
        "to": scene.catalogue_number + 1,
        "version": db.session.get(Project, values["project_id"]).version,
    },
    "rollout.bulk_start": lambda scene, values, role: {
        "to": scene.catalogue_number + 1,
        "behind": "y",
    },
    "catalogue_drafts.start": lambda scene, values, role: {},
    "catalogue_drafts.discard": _draft_form,
    "catalogue_drafts.publish": _draft_form,
    "catalogue_drafts.move": _draft_form,
    "catalogue_drafts.remove": _draft_form,
    "catalogue_drafts.area": _draft_area_form,
    "catalogue_drafts.row": _draft_row_form,
    "admin.new_user": _user_form,
    "admin.edit_user": _user_form,
    "admin.edit_organisation": _organisation_form,
    "account.new_token": lambda scene, values, role: {"name": "Matrix script"},
    "sharing.links": lambda scene, values, role: {"label": "Matrix board", "days": "30"},
    "notifications.watch": lambda scene, values, role: {"watching": "1"},
    "account.preferences": lambda scene, values, role: {
        "preferences-digest_enabled": "y",
        "preferences-language": "fr",
    },
    "language.switch": lambda scene, values, role: {"language": "fr", "next": "/projects"},
    "api.update": lambda scene, values, role: {
        "version": db.session.get(ChecklistItem, values["item_id"]).version,
        "status": "in_progress",
    },
    "api.comment": lambda scene, values, role: {"body": "A comment from the matrix."},
    "api.sign_off_go_live": lambda scene, values, role: {"rating": 4, "note": "Matrix"},
    "golive.add_approver": lambda scene, values, role: {"user_id": scene.user_id("client_a")},
    "golive.waive": lambda scene, values, role: {"reason": "Waived by the matrix."},
    "golive.sign": lambda scene, values, role: {"note": "Signed by the matrix.", "rating": "4"},
    "golive.confirm": lambda scene, values, role: {"went_live_on": today().isoformat()},
}


# --- the table covers the URL map ----------------------------------------------------------


def _routes(app) -> dict[tuple[str, str], list]:
    """(endpoint, method) -> its URL rules, for every page of the app."""
    routes: dict[tuple[str, str], list] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES:
            continue
        for method in sorted((rule.methods or set()) - AUTOMATIC_METHODS):
            routes.setdefault((rule.endpoint, method), []).append(rule)
    return routes


def test_every_route_has_expectations(_app):
    routes = _routes(_app)
    missing = sorted(
        f"{endpoint} {method} {', '.join(r.rule for r in rules)}"
        for (endpoint, method), rules in routes.items()
        if (endpoint, method) not in EXPECTATIONS
    )
    stale = sorted(f"{e} {m}" for e, m in EXPECTATIONS if (e, m) not in routes)
    assert not missing, (
        "endpoints without expected answers per role; add them to EXPECTATIONS in "
        "tests/test_route_matrix.py:\n  " + "\n  ".join(missing)
    )
    assert not stale, "EXPECTATIONS names endpoints that no longer exist:\n  " + "\n  ".join(stale)
    # Each URL rule of an endpoint is tried by at least one target, and each target fits one.
    untried = []
    for key, rules in routes.items():
        tried = {frozenset(TARGETS[target].args) for target in EXPECTATIONS[key]}
        untried += [f"{key[0]} {key[1]} {r.rule}" for r in rules if r.arguments not in tried]
        unfit = tried - {frozenset(r.arguments) for r in rules}
        assert not unfit, f"{key}: targets with arguments {unfit} fit no URL rule"
    assert not untried, "URL rules no target tries:\n  " + "\n  ".join(untried)


def test_expectation_table_is_well_formed():
    for key, targets in EXPECTATIONS.items():
        for target, row in targets.items():
            assert target in TARGETS, f"{key}: unknown target {target!r}"
            assert len(row) == len(ROLES), f"{key} {target}: {len(row)} answers for 9 roles"
            for answer in row:
                assert answer in (LOGIN, OK, TO_SIGN_IN) or isinstance(answer, int), answer


def test_project_a_has_no_ims_or_partner_items(_app, scene):
    """The matrix tries IMS and partner items on project_b only: project_a has none."""
    with _app.app_context():
        parties = {item.party for item in factories.items_of(scene.world.project_a)}
    assert parties == {Party.INFOR, Party.CLIENT}


# --- the matrix ---------------------------------------------------------------------------

CASES = [
    pytest.param(endpoint, method, target, role, id=f"{endpoint}-{method}-{target}-{role}")
    for (endpoint, method), targets in EXPECTATIONS.items()
    for target, row in targets.items()
    for role in ROLES[: len(row)]
]


# Each role's session cookie, signed in once per database: a case's own sign-in would be
# rolled back with it, and a session cookie holds nothing that needs the database.
SESSIONS: dict[tuple[str, str], str] = {}


def sign_in(app, role: str):
    """A test client signed in as ``role`` (or nobody, for "anonymous")."""
    client = app.test_client()
    if role == "anonymous":
        return client
    key = (app.config["SQLALCHEMY_DATABASE_URI"], role)
    if key not in SESSIONS:
        response = client.post("/login", data={"email": World.EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302, f"sign-in of {role} failed"
        SESSIONS[key] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    else:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], SESSIONS[key])
    return client


def api_headers(scene: Scene, role: str) -> dict[str, str]:
    """The API's credentials: ``role``'s bearer token (none for "anonymous")."""
    if role == "anonymous":
        return {}
    return {"Authorization": f"Bearer {scene.api_tokens[role]}"}


def _to_sign_in_page(response) -> tuple[bool, bool]:
    """(redirects to the sign-in page, with a ?next= back)."""
    if response.status_code != 302:
        return False, False
    location = urlsplit(response.headers["Location"])
    return location.path == "/login", "next" in parse_qs(location.query)


def check_answer(response, method: str, expected) -> None:
    status = response.status_code
    to_login, with_next = _to_sign_in_page(response)
    if expected == LOGIN:
        assert to_login and with_next, f"expected a redirect to sign in, got {status}"
    elif expected == TO_SIGN_IN:
        assert to_login and not with_next, f"expected the view's redirect to /login, got {status}"
    elif expected == OK:
        allowed = (200, 302) if method == "GET" else (200, 201, 302, 409, 422)
        assert status in allowed, f"expected an allowed answer, got {status}"
        assert not to_login, "expected an allowed answer, got a redirect to sign in"
    else:
        assert status == expected, f"expected {expected}, got {status}"


def leaks(role: str, text: str) -> list[str]:
    """The names ``role`` may not see that ``text`` shows, each with some context."""
    found = []
    lowered = text.lower()
    for token in LEAKS.get(role, ()):
        at = lowered.find(token)
        if at >= 0:
            found.append(f"{token!r} in …{text[max(0, at - 60) : at + 40]!r}…")
    return found


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_rows(content: bytes) -> list[list]:
    """Every row of every sheet of an Excel workbook, sheet names first."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = []
    for sheet in workbook.worksheets:
        rows.append([sheet.title])
        rows += [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows


# Random values a page carries (CSRF tokens, a new API token, reset links, the calendar
# feed's signature): random text can spell a name ("acMe"), and none of it is read by people.
RANDOM_VALUES = re.compile(
    r'(?<=csrf_token" type="hidden" value=")[^"]*'
    r'|(?<=name="csrf_token" value=")[^"]*'
    r"|trk_[A-Za-z0-9_-]+"
    r"|(?<=/reset-password/)[A-Za-z0-9_-]+"
    r"|(?<=/calendar/)[^\s\"<]+"
    r"|(?<=/progress/)[A-Za-z0-9_-]+"
)


def response_text(response) -> str:
    """All a response shows: its headers (Location, Content-Disposition...) and its body, an
    Excel download's cells included, without the random values it carries."""
    # Set-Cookie is left out: a signed session cookie is random text too.
    headers = "\n".join(
        f"{name}: {value}" for name, value in response.headers.items() if name != "Set-Cookie"
    )
    if response.mimetype == XLSX:
        body = "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for row in spreadsheet_rows(response.get_data())
        )
    else:
        body = response.get_data(as_text=True)
    return RANDOM_VALUES.sub("…", headers + "\n" + body)


def page_with(html: str) -> Response:
    return Response(f"<html><body>{html}</body></html>", mimetype="text/html")


def test_a_name_spelled_by_a_random_token_is_no_leak():
    """A CSRF token once held "acMe" and failed the matrix by chance."""
    page = page_with(
        '<input id="csrf_token" name="csrf_token" type="hidden" value="IjE4acMe9f">'
        '<input type="hidden" name="csrf_token" value="acme">'
        "<code>trk_xAcMe_1</code> <a href='/reset-password/Zacme'>link</a>"
    )
    assert leaks("other_partner", response_text(page)) == []


def test_a_name_shown_to_people_is_a_leak():
    page = page_with('<td>Acme rollout</td><input type="hidden" name="csrf_token" value="x">')
    assert leaks("other_partner", response_text(page)) != []


@pytest.mark.parametrize(("endpoint", "method", "target", "role"), CASES)
def test_route_authorization(_app, scene, endpoint, method, target, role):
    expected = EXPECTATIONS[(endpoint, method)][target][ROLES.index(role)]
    spec = TARGETS[target]
    with _app.app_context():
        if spec.setup is not None:
            spec.setup(scene)
            db.session.commit()
            before = _comparable(_dump())
        else:
            before = scene.expected
        written = rows_written(db.session.connection())
        values = spec.values(scene)
        data = FORMS.get(endpoint, lambda *_: {})(scene, values, role) if method != "GET" else None
    with _app.test_request_context():
        url = url_for(endpoint, **values, **spec.query(scene))

    if is_api(endpoint):  # a token, JSON, and no session
        client = _app.test_client()
        if endpoint in MULTIPART:  # a file upload: a form with no file in it
            response = client.open(
                url,
                method=method,
                data=data or {},
                content_type="multipart/form-data",
                headers=api_headers(scene, role),
            )
        else:
            response = client.open(url, method=method, json=data, headers=api_headers(scene, role))
    else:
        client = sign_in(_app, role)
        response = client.open(url, method=method, data=data)

    assert response.status_code != 500, f"{method} {url} as {role}: 500"
    check_answer(response, method, expected)
    if expected not in (OK, TO_SIGN_IN):
        with _app.app_context():
            if rows_written(db.session.connection()) != written:  # else no row changed
                assert _comparable(_dump()) == before, f"refused {method} {url} changed data"
    if expected == TO_SIGN_IN:
        assert _to_sign_in_page(client.get("/projects")) == (True, True), "still signed in"
    viewer = spec.owner if spec.owner and response.status_code == 200 else role
    shown = leaks(viewer, response_text(response))
    assert not shown, f"{method} {url} as {role} shows {viewer} " + "; ".join(shown)


# --- lists, filters and counts show nothing of others ------------------------------------


def _leak_urls(app, scene: Scene) -> list[str]:
    w = scene.world
    a, b = w.customer_a, w.customer_b
    urls = [
        "/",
        "/projects",
        "/projects?archived=1",
        f"/projects?customer={a}",
        f"/projects?customer={b}",
        f"/projects?archived=1&customer={a}",
        f"/projects?archived=1&customer={b}",
        f"/projects?csm={w.csm}",
        f"/projects?csm={w.other_csm}",
        f"/projects?archived=1&csm={w.other_csm}",
        "/projects?page=2",
        "/overdue",
        "/notifications",
        f"/overdue?customer={a}",
        f"/overdue?customer={b}",
        f"/overdue?csm={w.csm}",
        f"/overdue?csm={w.other_csm}",
        *(f"/overdue?party={party.value}" for party in Party),
        *(f"/overdue?party={party.value}&customer={b}" for party in Party),
        *(f"/overdue?party={party.value}&customer={a}" for party in Party),
        *(f"/overdue?accountable={party.value}" for party in Party),
        *(f"/overdue?accountable={party.value}&customer={b}" for party in Party),
        "/overdue?page=2&soon_page=2",
        "/my-tasks",
        "/my-tasks?page=2",
        "/my-tasks?answerable=1",
        *(
            f"{page}/export.{fmt}{query}"
            for fmt in ("csv", "xlsx")
            for page, query in (
                ("/projects", ""),
                ("/projects", "?archived=1"),
                ("/projects", f"?customer={b}"),
                ("/projects", f"?customer={a}"),
                ("/projects", f"?archived=1&customer={b}"),
                ("/projects", f"?archived=1&customer={a}"),
                ("/projects", f"?csm={w.other_csm}&archived=1"),
                ("/overdue", ""),
                ("/overdue", f"?customer={b}"),
                ("/overdue", f"?customer={a}"),
                *(("/overdue", f"?party={party.value}") for party in Party),
                *(("/overdue", f"?accountable={party.value}") for party in Party),
            )
        ),
        "/catalogue",
        "/admin/users",
        "/admin/organisations",
        "/account/password",
        "/account",
    ]
    with app.app_context():
        for project in scene.projects:
            urls += [
                f"/projects/{project}",
                *(f"/projects/{project}?party={party.value}" for party in Party),
                *(f"/projects/{project}?accountable={party.value}" for party in Party),
                f"/projects/{project}?status=todo",
                f"/projects/{project}?assignee=-1",
                *(
                    f"/projects/{project}?assignee={scene.user_id(r)}"
                    for r in ("client_a", "client_b")
                ),
                f"/projects/{project}/history",
                f"/projects/{project}/history?page=2",
                f"/projects/{project}/summary",
                f"/projects/{project}/export.csv",
                f"/projects/{project}/export.xlsx",
                f"/projects/{project}/export.csv?assignee={scene.user_id('client_b')}",
                f"/projects/{project}/export.csv?party=client",
                f"/projects/{project}/export.csv?accountable=client",
                f"/projects/{project}/edit",
            ]
            # The first two items of each party (the overdue one and the one due soon): the
            # assignee lists are per party, and the named items below hold the rest.
            items = factories.items_of(project)
            for party in Party:
                picked = [item for item in items if item.party is party][:2]
                urls += [f"/projects/{project}/items/{item.id}" for item in picked]
    for item_id in scene.items.values():
        for project in (w.project_a, w.project_b):  # under its project, and the other one
            urls.append(f"/projects/{project}/items/{item_id}")
            urls.append(f"/projects/{project}/items/{item_id}/row?editor=1")
    # The JSON API, with each role's token.
    urls += [
        "/api/v1/customers",
        *(f"/api/v1/customers/{customer}" for customer in (a, b)),
        "/api/v1/projects",
        "/api/v1/projects?archived=true",
        *(f"/api/v1/projects?customer={customer}" for customer in (a, b)),
        *(f"/api/v1/projects?archived=true&customer={customer}" for customer in (a, b)),
        f"/api/v1/projects?csm={w.other_csm}&archived=true",
        *(f"/api/v1/projects/{project}" for project in scene.projects),
        "/api/v1/items?limit=200",
        *(f"/api/v1/items?limit=200&project={project}" for project in scene.projects),
        *(f"/api/v1/items?limit=200&party={party.value}" for party in Party),
        *(f"/api/v1/items?limit=200&accountable={party.value}" for party in Party),
        *(f"/api/v1/items?assignee={scene.user_id(r)}" for r in ("client_a", "client_b")),
        *(f"/api/v1/items/{item_id}" for item_id in scene.items.values()),
        "/api/v1/overdue?limit=200",
        *(f"/api/v1/overdue?limit=200&customer={customer}" for customer in (a, b)),
        *(f"/api/v1/overdue?party={party.value}" for party in Party),
        *(f"/api/v1/overdue?accountable={party.value}" for party in Party),
        "/api/v1/catalogue",
    ]
    return urls


@pytest.mark.parametrize("role", list(LEAKS))
def test_pages_show_nothing_of_others(_app, scene, role):
    client = sign_in(_app, role)
    problems = []
    own_feed = f"/calendar/{scene.user_id(role)}/{scene.feed_tokens.get(role, 'off')}.ics"
    for url in [*_leak_urls(_app, scene), own_feed]:
        response = client.get(url, headers=api_headers(scene, role) if "/api/" in url else {})
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
        problems += [
            f"GET {url} ({response.status_code}) shows {leak}"
            for leak in leaks(role, response_text(response))
        ]
    assert not problems, f"{len(problems)} problems for {role}:\n  " + "\n  ".join(problems)


OWN_PROJECTS = {  # positive control: what each role's portfolio does list
    "client_a": ["Acme rollout"],
    "client_b": ["Globex rollout"],
    "ims": ["Globex rollout"],
    "partner": ["Globex rollout"],
    "other_partner": [],
}


def _number(pattern: str, html: str) -> int:
    match = re.search(pattern, html)
    assert match, f"no {pattern!r} on the page"
    return int(match.group(1))


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, f"no {name} filter on the page"
    return [text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1))]


OPEN = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)


def _expected_views(scene: Scene, role: str) -> dict:
    """What ``role``'s lists should show, worked out with the Python predicate (not the SQL
    twin the lists use): projects, customers, CSMs, and item counts."""
    user = db.session.get(User, scene.user_id(role))
    projects = [db.session.get(Project, pid) for pid in scene.projects]
    visible = [p for p in projects if can_view_project(user, p)]
    active = [p for p in visible if p.archived_at is None]
    now, days = today(), 7
    items = [i for p in active for i in factories.items_of(p.id) if i.status in OPEN]

    def count(customer=None, when=lambda i: True):
        return sum(
            1 for i in items if when(i) and (customer is None or i.project.customer_id == customer)
        )

    def overdue(i):
        return i.due_date < now

    def soon(i):
        return now <= i.due_date <= now + timedelta(days=days)

    party = {"client": Party.CLIENT, "ims": Party.IMS, "partner": Party.PARTNER}[user.role.value]
    w = scene.world
    return {
        "active": len(active),
        "archived": len(visible) - len(active),
        "customers": sorted({p.customer.name for p in visible}),
        "csms": sorted({p.csm.name for p in visible}),
        "overdue": {c: count(c, overdue) for c in (None, w.customer_a, w.customer_b)},
        "soon": {c: count(c, soon) for c in (None, w.customer_a, w.customer_b)},
        "my_tasks": sum(
            1
            for i in items
            if i.party is party
            and (
                i.project.customer_id == user.organisation_id
                if party is Party.CLIENT
                else i.assignee_id in (None, user.id)
            )
        ),
    }


def csv_rows(response) -> list[list[str]]:
    """The data rows of a CSV download (its header left out)."""
    assert response.status_code == 200, response.status_code
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


@pytest.mark.parametrize("role", list(LEAKS))
def test_counts_and_options_cover_only_visible_projects(_app, scene, role):
    with _app.app_context():
        expected = _expected_views(scene, role)
    client = sign_in(_app, role)
    w = scene.world

    portfolio = client.get("/projects").get_data(as_text=True)
    for name in OWN_PROJECTS[role]:
        assert name in portfolio
    assert _number(r"(\d+) projects?\.", portfolio) == expected["active"]
    assert len(csv_rows(client.get("/projects/export.csv"))) == expected["active"]
    archived = client.get("/projects?archived=1").get_data(as_text=True)
    assert _number(r"(\d+) archived projects?\.", archived) == expected["archived"]
    exported = csv_rows(client.get("/projects/export.csv?archived=1"))
    assert len(exported) == expected["archived"]

    for html in (portfolio, client.get("/overdue").get_data(as_text=True)):
        assert _options(html, "customer") == ["All", *expected["customers"]]
        assert _options(html, "csm") == ["All", *expected["csms"]]

    for customer in (None, w.customer_a, w.customer_b):
        query = f"?customer={customer}" if customer else ""
        html = client.get("/overdue" + query).get_data(as_text=True)
        overdue, soon = expected["overdue"][customer], expected["soon"][customer]
        assert _number(r'data-testid="overdue-count">(\d+)<', html) == overdue, query
        assert _number(r'data-testid="due-soon-count">(\d+)<', html) == soon, query
        exported = csv_rows(client.get("/overdue/export.csv" + query))
        assert len(exported) == overdue + soon, f"rows of /overdue/export.csv{query}"

    tasks = client.get("/my-tasks").get_data(as_text=True)
    assert _number(r'data-testid="task-count">(\d+)<', tasks) == expected["my_tasks"]

    # The JSON API agrees.
    headers = api_headers(scene, role)

    def api_data(path: str) -> list[dict]:
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 200, path
        return response.get_json()["data"]

    customers = sorted(c["name"] for c in api_data("/customers"))
    assert customers == expected["customers"]
    assert len(api_data("/projects")) == expected["active"]
    assert len(api_data("/projects?archived=true")) == expected["archived"]
    for customer in (None, w.customer_a, w.customer_b):
        query = f"&customer={customer}" if customer else ""
        overdue = api_data("/overdue?limit=200" + query)
        assert len(overdue) == expected["overdue"][customer], f"/api/v1/overdue{query}"


@pytest.mark.parametrize("role", [role for role in World.EMAILS if role != "other_partner"])
def test_calendar_feed_lists_exactly_the_items_one_may_update(_app, scene, role):
    """The feed's SQL (``updatable_items_filter``) agrees with ``can_update_item``: the open
    items of active projects that its owner may update, and nothing else."""
    with _app.app_context():
        user = db.session.get(User, scene.user_id(role))
        expected = sorted(
            item.id
            for project in scene.projects
            for item in factories.items_of(project)
            if item.project.archived_at is None
            and item.status in OPEN
            and can_update_item(user, item)
        )
    url = f"/calendar/{scene.user_id(role)}/{scene.feed_tokens[role]}.ics"
    response = _app.test_client().get(url)  # calendar apps do not sign in
    assert response.status_code == 200
    listed = sorted(int(i) for i in re.findall(r"UID:item-(\d+)@", response.get_data(as_text=True)))
    assert listed == expected
