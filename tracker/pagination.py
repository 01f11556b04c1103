"""A page of a list: of ORM objects (a SELECT of one entity) or of rows (several columns)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy import pagination as fsa_pagination
from flask_sqlalchemy.pagination import SelectPagination

from tracker.extensions import db

MAX_PER_PAGE = 500


class Pagination(SelectPagination):
    """Flask-SQLAlchemy's page of a SELECT, keeping rows whole when the SELECT has several
    columns, and counting with the ``SELECT count(*)`` written for the list when there is
    one (no joins for display, an index the count can read alone)."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        result = self._query_args["session"].execute(select)
        if len(select.column_descriptions) == 1:  # objects, as db.paginate gives them
            return list(result.unique().scalars())
        return list(result)

    def _query_count(self) -> int:
        count = self._query_args.get("count_select")
        if count is None:
            return super()._query_count()
        return self._query_args["session"].execute(count).scalar()


def paginate(
    select: sa.Select, *, page: int, per_page: int, count: sa.Select | None = None
) -> Pagination:
    """Page ``page`` of ``select``: its objects, or its rows; ``count``, if given, is a
    ``SELECT count(*)`` of the same rows (otherwise the count wraps ``select``)."""
    return Pagination(
        select=select,
        count_select=count,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=MAX_PER_PAGE,
        error_out=False,
    )


class ListPagination(fsa_pagination.Pagination):
    """A page of a list already in memory (e.g. computed per row in Python)."""

    def _query_items(self) -> list:
        items = self._query_args["items"]
        return items[self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list, *, page: int, per_page: int) -> ListPagination:
    """Page ``page`` of ``items`` (past the last page: the last page)."""
    pages = max(1, -(-len(items) // per_page))
    return ListPagination(
        items=items, page=min(page, pages), per_page=per_page, error_out=False, count=True
    )
