"""One way to page, sort and count a collection query."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str) -> str:
    """An ILIKE pattern matching `text` literally anywhere."""
    return f"%{escape_like(text)}%"


def paginate(session: Session, stmt: Select, *, page: int, page_size: int, sort: str,
             columns: dict, tiebreak) -> dict:
    """Run `stmt` for one page, sorted by `sort` (a key of `columns`, '-' for descending)."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    column = columns[sort.removeprefix("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    items = session.scalars(
        stmt.order_by(order, tiebreak).limit(page_size).offset((page - 1) * page_size)
    ).unique().all()
    return {"items": items, "total": total, "page": page, "page_size": page_size}
