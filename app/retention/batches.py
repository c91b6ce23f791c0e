"""The machinery every retention sweep runs on. A sweep is a `pick` (the next rows past a
cursor, by an index range: keyset on time and id, never OFFSET) and a `remove` (delete them by
id, dependants first); `Batches.run` calls them in one short transaction a batch, reading the
active holds at the start of each, and pauses between batches. A dry run counts instead of
deleting. Image files go only after their batch has committed."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, delete, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session

from app.db import transaction
from app.intake.images import ImageStore
from app.models import Read
from app.retention import holds

log = logging.getLogger(__name__)

Pick = Callable[[Session, holds.Held, Any], Sequence[Any]]
Remove = Callable[[Session, Sequence[Any]], None]


class Batches:
    """One run's batching: at most `batch_rows` rows a transaction; `pause` runs between
    batches and stops the sweep by returning False."""

    def __init__(
        self,
        engine: Engine,
        *,
        images: ImageStore,
        batch_rows: int,
        pause: Callable[[], bool] | None,
    ) -> None:
        self.engine, self.images = engine, images
        self.batch_rows, self.pause = batch_rows, pause

    def run(
        self,
        pick: Pick,
        remove: Remove,
        *,
        cursor: Callable[[Any], Any],
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        after: Any = None
        while True:
            with transaction(self.engine) as session:
                rows = pick(session, holds.active(session), after)
                if rows:
                    remove(session, rows)
            if after_commit is not None:
                after_commit()
            if len(rows) < self.batch_rows:
                return
            after = cursor(rows[-1])
            if self.pause is not None and not self.pause():
                return

    @staticmethod
    def remove(session: Session, column: Any, ids: list[int], dry_run: bool) -> int:
        """Delete the rows of `column`'s table whose `column` is among `ids` (dry: count them)."""
        if not ids:
            return 0
        condition = among(column, ids, session.get_bind().dialect.name)
        if dry_run:
            counted = select(func.count()).select_from(column.table).where(condition)
            return int(session.scalar(counted) or 0)
        # A DML statement's result is a CursorResult, which Session.execute does not say.
        result = cast(CursorResult[Any], session.execute(delete(column.table).where(condition)))
        return int(result.rowcount or 0)

    def delete_files(self, refs: list[str], *, dry_run: bool) -> None:
        if not dry_run:
            for ref in refs:
                try:
                    self.images.delete(ref)
                except OSError as error:
                    log.warning("retention.image_left", extra={"error": type(error).__name__})
        refs.clear()


def after_time(query: Any, after: tuple[datetime, int] | None, read: Any = None) -> Any:
    """Keyset paging on (read_at, id); the plain `read_at >=` lets the index start there."""
    if after is None:
        return query
    read = Read.__table__.c if read is None else read  # type: ignore[attr-defined]
    at, last_id = after
    return query.where(read.read_at >= at, or_(read.read_at > at, read.id > last_id))


def among(column: Any, ids: list[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY`), not thousands of them,
    which would cost more to bind and plan than the delete itself."""
    if dialect == "postgresql":
        return cast(
            ColumnElement[bool],
            column == any_(bindparam("ids", ids, type_=postgresql.ARRAY(BigInteger))),
        )
    return cast(ColumnElement[bool], column.in_(ids))
