"""Catalogue rows that do not block go-live: the file format, the loader, the export and
the drafts editor."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tests.test_catalogue import seed_row, version_count, write_catalogue
from tracker.catalogue.drafts.services import start_draft
from tracker.extensions import db
from tracker.models import Responsibility, User

ROW = "welcome_customer"


def load(runner, path):
    return runner.invoke(args=["catalogue", "load", str(path)])


def stored_flag(key: str) -> list[bool]:
    return db.session.scalars(
        sa.select(Responsibility.blocks_go_live)
        .where(Responsibility.key == key)
        .order_by(Responsibility.version_id)
    ).all()


def not_blocking(data: dict) -> None:
    seed_row(data, ROW)["blocks_go_live"] = False


def test_rows_block_go_live_unless_the_file_says_otherwise(runner, ctx, tmp_path):
    factories.catalogue()
    assert stored_flag(ROW) == [True]
    result = load(runner, write_catalogue(tmp_path, not_blocking))
    assert result.exit_code == 0, result.output
    assert stored_flag(ROW) == [True, False]


def test_a_value_that_is_not_true_or_false_is_refused_naming_the_row(runner, ctx, tmp_path):
    factories.catalogue()
    path = write_catalogue(
        tmp_path, lambda data: seed_row(data, ROW).update(blocks_go_live="sometimes")
    )
    result = load(runner, path)
    assert result.exit_code != 0
    assert ROW in result.output and "blocks_go_live" in result.output
    assert version_count() == 1


def test_a_non_blocking_row_is_exported_and_loaded_again_unchanged(runner, ctx, tmp_path):
    factories.catalogue()
    assert load(runner, write_catalogue(tmp_path, not_blocking)).exit_code == 0
    exported = tmp_path / "exported.yaml"
    assert runner.invoke(args=["catalogue", "export", str(exported)]).exit_code == 0
    assert "blocks_go_live: false" in exported.read_text(encoding="utf-8")
    result = load(runner, exported)
    assert "Catalogue unchanged: version 2 is current." in result.output


def test_the_drafts_row_form_offers_the_field_checked_for_a_blocking_row(app, world, login):
    with app.app_context():
        start_draft(actor=db.session.get(User, world.admin))
        db.session.commit()
    page = login(World.ADMIN).get(f"/catalogue/draft/rows/{ROW}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:300]
    assert re.search(r'<input checked [^>]*name="blocks_go_live"', html)
