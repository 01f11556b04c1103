"""Pagination of row queries (several columns), which ``db.paginate`` reduces to scalars."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination

from tracker.extensions import db


class CountedPagination(SelectPagination):
    """A page of ORM objects whose total comes from a ``SELECT count(*)`` written for the
    list, when there is one (no joins for display, an index the count can read alone)."""

    def _query_count(self) -> int:
        count = self._query_args.get("count_select")
        if count is None:
            return super()._query_count()
        return self._query_args["session"].execute(count).scalar()


class RowPagination(CountedPagination):
    def _query_items(self) -> list[sa.Row]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate(
    select: sa.Select, *, page: int, per_page: int, count: sa.Select | None = None
) -> CountedPagination:
    """``db.paginate`` (a page of ORM objects), with ``count`` as in ``paginate_rows``."""
    return CountedPagination(
        select=select,
        count_select=count,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=500,
        error_out=False,
    )


def paginate_rows(
    select: sa.Select, *, page: int, per_page: int, count: sa.Select | None = None
) -> RowPagination:
    """A page of ``select``'s rows; ``count``, if given, is a ``SELECT count(*)`` of the same
    rows (otherwise the count wraps ``select`` as a subquery)."""
    return RowPagination(
        select=select,
        count_select=count,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=500,
        error_out=False,
    )
