"""Pagination of row queries (several columns), which ``db.paginate`` reduces to scalars."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination

from tracker.extensions import db


class RowPagination(SelectPagination):
    def _query_items(self) -> list[sa.Row]:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(select: sa.Select, *, page: int, per_page: int) -> RowPagination:
    return RowPagination(
        select=select,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=500,
        error_out=False,
    )
