"""Vendor retries and repeats stored once: dedup keys claimed in the ingest transaction.

A vendor read carries ids (`lpr.vendors.Reads.keys`): an OpenALPR group's uuid and the uuids of
the frames it was built from, a Frigate event id with the plate, ... Its row holds them under
`SOURCE_KEYS`; rows without (every read posted to /v1/reads) skip all of this.

A read is a duplicate only when the same camera already sent one with one of its ids **and**
the same plate (normalised key): a retry, a frame of a vehicle pass already stored, Frigate
repeating a tracked car's plate. So each id is claimed together with the plate, as
`<id>|<plate key>`. A read that shares an id but carries another plate (an `alpr_alert` on
the listed plate, a better frame) is a read of its own: stored and matched, never dropped, and
its own retry is then recognised. Time is not compared: an id names one vehicle pass, and
within it the same plate text brings nothing new to match, while Frigate repeats it for as
long as the car is tracked.

Claiming is `INSERT ... ON CONFLICT DO NOTHING RETURNING` into `read_source_key`, before the
reads are inserted. On PostgreSQL a second writer inserting the same key waits for the first
to commit and then finds the conflict, so two processes storing the same event store it once;
on SQLite the writer holds the write lock anyway. Keys a duplicate brings that were new (the
group of frames stored one by one) are kept, pointing at the read it repeats, so a frame that
arrives after its group is recognised too.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.models import ReadSourceKey

SOURCE_KEYS = "source_keys"  # the row entry with the read's vendor ids, a tuple of str

# The Table itself (what `__table__` holds, which SQLModel does not declare to type checkers).
_TABLE = ReadSourceKey.metadata.tables["read_source_key"]
_LOOKUP_CHUNK = 500

Pair = tuple[int, str]  # (camera_id, key)


@dataclass(slots=True)
class Dedup:
    """The outcome of claiming the keys of one batch of rows."""

    fresh: list[int]  # indexes of the rows to insert, in order
    is_duplicate: list[bool]
    # Per duplicate row: ("row", j) repeats row j of this batch; ("read", id) a stored read.
    _targets: dict[int, tuple[str, int | None]]
    _owners: dict[Pair, int]  # each claimed key -> the row that claimed it

    def link(self, session: Session, fresh_ids: Sequence[int]) -> list[int | None]:
        """Point the claimed keys at their reads once the fresh rows are inserted. Returns, per
        row, its new read id or the id of the read it repeats (None: not known)."""
        ids: list[int | None] = [None] * len(self.is_duplicate)
        for row, read_id in zip(self.fresh, fresh_ids, strict=True):
            ids[row] = read_id
        for row, (kind, target) in self._targets.items():
            ids[row] = ids[target] if kind == "row" and target is not None else target
        params = [
            {"b_camera": camera_id, "b_key": key, "b_read": ids[row]}
            for (camera_id, key), row in self._owners.items()
            if ids[row] is not None
        ]
        if params:
            statement = (
                update(_TABLE)
                .where(
                    _TABLE.c.camera_id == bindparam("b_camera"), _TABLE.c.key == bindparam("b_key")
                )
                .values(read_id=bindparam("b_read"))
            )
            session.connection().execute(statement, params)
        return ids


def claim(session: Session, rows: Sequence[dict[str, Any]]) -> Dedup | None:
    """Claim the vendor ids of `rows` (which need `camera_id`, `plate_key` and SOURCE_KEYS),
    each with the row's plate; None when no row has any (nothing to do)."""
    first_holder: dict[Pair, int] = {}
    for index, row in enumerate(rows):
        for key in claimed_keys(row):
            first_holder.setdefault((row["camera_id"], key), index)
    if not first_holder:
        return None
    # One order for every writer: two claiming overlapping keys queue instead of deadlocking.
    pairs = sorted(first_holder)
    claimed = _insert_new(session, pairs)
    stored = _stored_reads(session, [pair for pair in pairs if pair not in claimed])

    fresh: list[int] = []
    is_duplicate = [False] * len(rows)
    targets: dict[int, tuple[str, int | None]] = {}
    for index, row in enumerate(rows):
        target = None
        for key in claimed_keys(row):
            pair = (row["camera_id"], key)
            if pair not in claimed:
                target = ("read", stored.get(pair))
                break
            holder = first_holder[pair]
            if holder != index:  # an earlier row of this batch has the same id
                target = targets.get(holder, ("row", holder))
                break
        if target is None:
            fresh.append(index)
        else:
            is_duplicate[index] = True
            targets[index] = target
    owners = {pair: first_holder[pair] for pair in pairs if pair in claimed}
    return Dedup(fresh=fresh, is_duplicate=is_duplicate, _targets=targets, _owners=owners)


def claimed_keys(row: dict[str, Any]) -> list[str]:
    """The row's vendor ids, each with its plate: what `read_source_key` holds."""
    return [f"{key}|{row['plate_key']}" for key in row.get(SOURCE_KEYS) or ()]


def _insert_new(session: Session, pairs: list[Pair]) -> set[Pair]:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.camera_id, _TABLE.c.key)
    params = [{"camera_id": camera_id, "key": key} for camera_id, key in pairs]
    result = session.connection().execute(statement, params)
    return {(int(camera_id), str(key)) for camera_id, key in result}


def _stored_reads(session: Session, pairs: list[Pair]) -> dict[Pair, int | None]:
    found: dict[Pair, int | None] = {}
    columns = tuple_(_TABLE.c.camera_id, _TABLE.c.key)
    for start in range(0, len(pairs), _LOOKUP_CHUNK):
        chunk = pairs[start : start + _LOOKUP_CHUNK]
        query = select(_TABLE.c.camera_id, _TABLE.c.key, _TABLE.c.read_id).where(columns.in_(chunk))
        for camera_id, key, read_id in session.connection().execute(query):
            found[(int(camera_id), str(key))] = read_id
    return found
