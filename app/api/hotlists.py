"""Hot lists and their entries. Admins and supervisors manage them; dispatchers and auditors may
look, except at covert lists, which only their owner, supervisors and admins see
(app/hotlists/covert.py)."""

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, File, Query, UploadFile
from sqlalchemy import func, select
from sqlmodel import col

from app import audit
from app.deps import ClockDep, ListManager, Overseer, RuntimeDep, SessionDep, SettingsDep
from app.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable
from app.hotlists import covert, files, retro
from app.hotlists import service as hotlists
from app.hotlists.index import invalidate_after_commit
from app.lifecycle import outcomes
from app.models import HotList, HotListEntry, User
from app.schemas.common import MAX_ID, NUL_REFUSED, Purpose, RowId, Vehicle
from app.schemas.hotlists import (
    MAX_ENTRIES_PER_REQUEST,
    EntriesAdded,
    EntryIn,
    EntryPublic,
    FlaggedEntry,
    HotListCreate,
    HotListPublic,
    HotListUpdate,
    ImportReport,
    MatchPolicyIn,
)
from lpr.errors import HotListFormatError
from lpr.policy import MatchPolicy

router = APIRouter(prefix="/hotlists", tags=["hotlists"])


@router.post("", status_code=201)
def create_hotlist(
    runtime: RuntimeDep,
    body: HotListCreate,
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
) -> HotListPublic:
    """Create a hot list. `priority` 1 is the most urgent; 4 is information only (no push).
    `dispatch_first` says which hits wait in the dispatcher queue before officers hear."""
    if session.scalars(select(HotList).where(col(HotList.name) == body.name)).first():
        raise Conflict(f"a hot list named {body.name!r} already exists")
    now = clock()
    policy = _policy(body.match) if body.match else hotlists.default_policy(body.kind)
    hotlist = HotList(
        **body.model_dump(exclude={"match"}),
        confusable_max=policy.confusable_max,
        edit_max=policy.edit_max,
        broad_confusables=policy.broad_confusables,
        ignore_state=policy.ignore_state,
        created_at=now,
        created_by=user.id,
    )
    session.add(hotlist)
    hotlists.touch(session, hotlist, now)
    session.flush()
    audit.record(
        session, actor=user, action="hotlist.create", now=now, object_type="hotlist",
        object_id=hotlist.id, detail=body.model_dump(),
    )  # fmt: skip
    invalidate_after_commit(session, runtime.index)
    return hotlist_public(hotlist, 0)


@router.get("")
def list_hotlists(session: SessionDep, user: Overseer) -> list[HotListPublic]:
    counts = dict(
        session.execute(
            select(col(HotListEntry.hotlist_id), func.count())
            .where(col(HotListEntry.deleted_at).is_(None))
            .group_by(col(HotListEntry.hotlist_id))
        ).all()
    )
    return [
        hotlist_public(h, counts.get(h.id, 0))
        for h in session.scalars(select(HotList).where(covert.visible_lists(user)).order_by("id"))
    ]


@router.get("/layouts")
def list_layouts(_user: Overseer) -> list[str]:
    """File layouts `import` understands: `csv` (any header) and the state/NCIC extracts."""
    return files.layouts()


@router.get("/entries/flagged")
def list_flagged_entries(
    session: SessionDep,
    user: Overseer,
    clock: ClockDep,
    purpose: Annotated[Purpose, Query(description="Why you look (audited)")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FlaggedEntry]:
    """Live entries flagged for review because their hits kept ending as misread or wrong
    vehicle, most recently flagged first. Audited with its purpose."""
    rows = session.execute(
        select(HotListEntry, col(HotList.name))
        .join(HotList, col(HotList.id) == HotListEntry.hotlist_id)
        .where(
            col(HotListEntry.review_flagged_at).is_not(None),
            col(HotListEntry.deleted_at).is_(None),
            covert.visible_lists(user),
        )
        .order_by(col(HotListEntry.review_flagged_at).desc(), col(HotListEntry.id))
        .limit(limit)
    ).all()
    audit.record(
        session, actor=user, action="hotlist.entries.flagged.view", now=clock(),
        object_type="hotlist_entry", purpose=purpose, detail={"count": len(rows)},
    )  # fmt: skip
    return [
        FlaggedEntry(**entry_public(entry).model_dump(), hotlist_name=name) for entry, name in rows
    ]


@router.get("/{hotlist_id}")
def get_hotlist(hotlist_id: RowId, session: SessionDep, user: Overseer) -> HotListPublic:
    hotlist = _hotlist(session, hotlist_id, user)
    return hotlist_public(hotlist, _count(session, hotlist_id))


@router.patch("/{hotlist_id}")
def update_hotlist(
    runtime: RuntimeDep,
    hotlist_id: RowId,
    body: HotListUpdate,
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
) -> HotListPublic:
    """Change a list's name, priority, matching policy, who hears of its hits first
    (`dispatch_first`), or switch it off (`is_active`). Every
    process applies it within a second, without rebuilding its index."""
    hotlist = _hotlist(session, hotlist_id, user)
    changes = body.model_dump(exclude_unset=True)
    count = _count(session, hotlist_id)
    if body.match is not None:
        policy = _policy(body.match)
        fuzzy = policy.edit_max > 0 or policy.broad_confusables
        if fuzzy and count > hotlists.FUZZY_LIST_MAX:
            raise Unprocessable(
                f"edit distance and broad look-alikes are for lists up to "
                f"{hotlists.FUZZY_LIST_MAX:,} entries; this one has {count:,}"
            )
        hotlist.sqlmodel_update(body.match.model_dump())
    renamed = body.name is not None and body.name != hotlist.name
    if renamed and session.scalars(select(HotList).where(col(HotList.name) == body.name)).first():
        raise Conflict(f"a hot list named {body.name!r} already exists")
    hotlist.sqlmodel_update({k: v for k, v in changes.items() if k != "match"})
    now = clock()
    hotlists.touch(session, hotlist, now)
    audit.record(
        session, actor=user, action="hotlist.update", now=now, object_type="hotlist",
        object_id=hotlist_id, detail=changes,
    )  # fmt: skip
    invalidate_after_commit(session, runtime.index)
    return hotlist_public(hotlist, count)


@router.post("/{hotlist_id}/entries", status_code=201)
def add_entries(
    runtime: RuntimeDep,
    hotlist_id: RowId,
    entries: Annotated[list[EntryIn], Body(max_length=MAX_ENTRIES_PER_REQUEST)],
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
    settings: SettingsDep,
) -> EntriesAdded:
    """Add up to 5,000 entries (a plate, or a partial plate with ? and *). All or nothing:
    one bad entry is a 422 naming it. A plate already listed with the same state is not added
    twice (`already_listed` names the existing entries). The reads of the last 24 hours are
    checked against the new entries at once; a match is a historical hit (`retro_hits`)."""
    hotlist = _hotlist(session, hotlist_id, user)
    now = clock()
    for i, entry in enumerate(entries):
        try:
            hotlists.check_entry(entry, now)
        except hotlists.EntryProblem as error:
            raise Unprocessable(f"[{i}]: {error}") from None
    listed = hotlists.already_listed(session, hotlist_id, entries)
    ids = hotlists.add_entries(session, hotlist=hotlist, entries=entries, user=user, now=now)
    invalidate_after_commit(session, runtime.index)
    found = _retro(runtime, session, hotlist, ids, settings.alerting.retro_window_s, now)
    return EntriesAdded(
        added=len(ids), entry_ids=ids, retro_hits=found, already_listed=sorted(set(listed.values()))
    )


@router.post("/{hotlist_id}/import", status_code=201)
def import_file(
    runtime: RuntimeDep,
    hotlist_id: RowId,
    file: Annotated[UploadFile, File(description="The list file")],
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
    settings: SettingsDep,
    layout: Annotated[str, Query(description="csv, or a state/NCIC layout (see /layouts)")] = "csv",
    replace: Annotated[
        bool, Query(description="Make the list equal to the file: adds and removes, atomically")
    ] = False,
) -> ImportReport:
    """Import a file. Unreadable rows are skipped and listed by line; the report also lists
    hygiene problems (O/0 and I/1 twins, rows without state, expired rows, duplicates), the
    first 1,000 of each kind, with `problem_counts`. A file of millions of rows (a state's NCIC
    extract) is read a line at a time and the list changes in one transaction at the end: a
    failed import leaves it as it was. Files over `LOOKOUT_HOTLIST_IMPORT_MAX_BYTES` get a 413."""
    # A plain `def`: parsing and storing a large file runs in the thread pool, so the event
    # loop keeps answering cameras meanwhile. The upload is already in a temporary file
    # (memory up to 1 MB, then disk), which is read from there a line at a time.
    if file.filename and "\x00" in file.filename:
        raise Unprocessable(f"file: its name {NUL_REFUSED}")
    limit = settings.ingest.hotlist_import_max_bytes
    size = file.file.seek(0, 2)
    file.file.seek(0)
    if size > limit:
        raise PayloadTooLarge(f"file is {size} bytes; at most {limit} (hotlist_import_max_bytes)")
    hotlist = _hotlist(session, hotlist_id, user)
    session.commit()  # nothing is held while the file is read (SQLite's write lock)
    now = clock()
    try:
        report, applied = files.import_file(
            runtime.engine, hotlist_id=hotlist_id, data=file.file, layout=layout,
            replace=replace, user=user, now=now, tz=ZoneInfo(settings.agency_timezone),
            source=f"{layout}:{file.filename or 'upload'}", alerting=runtime.alerting,
        )  # fmt: skip
    except HotListFormatError as error:
        raise Unprocessable(str(error)) from None
    runtime.index.invalidate()  # committed: the new entries match live reads from now on
    window_s = settings.alerting.retro_window_s
    if window_s > 0:
        report.retro_hits = retro.check_import(
            runtime.engine, hotlist=hotlist, applied=applied, window=timedelta(seconds=window_s),
            config=runtime.alerting, officers=runtime.officers, now=now,
        )  # fmt: skip
    return report


@router.get("/{hotlist_id}/entries")
def list_entries(
    hotlist_id: RowId,
    session: SessionDep,
    user: Overseer,
    clock: ClockDep,
    purpose: Annotated[Purpose, Query(description="Why you look (audited)")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[EntryPublic]:
    """Entries of a list, oldest first, paged by `after_id`. Audited with its purpose."""
    _hotlist(session, hotlist_id, user)
    rows = session.scalars(
        select(HotListEntry)
        .where(
            col(HotListEntry.hotlist_id) == hotlist_id,
            col(HotListEntry.deleted_at).is_(None),
            col(HotListEntry.id) > after_id,
        )
        .order_by("id")
        .limit(limit)
    ).all()
    audit.record(
        session, actor=user, action="hotlist.entries.view", now=clock(), object_type="hotlist",
        object_id=hotlist_id, purpose=purpose, detail={"count": len(rows), "after_id": after_id},
    )  # fmt: skip
    return [entry_public(row) for row in rows]


@router.delete("/{hotlist_id}/entries/{entry_id}", status_code=204)
def delete_entry(
    runtime: RuntimeDep,
    hotlist_id: RowId,
    entry_id: RowId,
    session: SessionDep,
    user: ListManager,
    clock: ClockDep,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> None:
    """Remove an entry (e.g. vehicle recovered). It stops matching in every process at once;
    the row is kept, marked deleted, for the hits that cite it. Its open alerts close
    ("record cleared", `record_invalid`), and the officers who have them are told not to stop
    the car."""
    hotlist = _hotlist(session, hotlist_id, user)
    entry = session.get(HotListEntry, entry_id)
    if entry is None or entry.hotlist_id != hotlist_id or entry.deleted_at is not None:
        raise NotFound(f"hot list {hotlist_id} has no entry {entry_id}")
    now = clock()
    # The alerts first: closing one locks it, then the audit chain, then its entry; taking
    # them in that order here too means no deadlock with an officer closing it at once.
    outcomes.close_cleared(
        session, [entry_id], list_name=hotlist.name, reason=reason,
        user=user, now=now, config=runtime.alerting,
    )  # fmt: skip
    hotlists.delete_entry(session, entry=entry, user=user, now=now, reason=reason)
    invalidate_after_commit(session, runtime.index)


def body_limits(import_max_bytes: int) -> dict[object, int]:
    """Request bodies past these are refused while they stream (app/bodies.py); a file upload
    carries a little multipart framing besides the file."""
    return {
        import_file: import_max_bytes + 64 * 1024,
        add_entries: 16 * 1024 * 1024,  # 5,000 entries with long notes
    }


def _retro(
    runtime: RuntimeDep,
    session: SessionDep,
    hotlist: HotList,
    ids: list[int],
    window_s: int,
    now: datetime,
) -> int:
    if not ids or window_s <= 0:
        return 0
    return retro.check(
        session, hotlist=hotlist, entry_ids=ids, window=timedelta(seconds=window_s),
        config=runtime.alerting, officers=runtime.officers, now=now,
    )  # fmt: skip


def _policy(body: MatchPolicyIn) -> MatchPolicy:
    return MatchPolicy(**body.model_dump())


def _hotlist(session: SessionDep, hotlist_id: int, user: User) -> HotList:
    hotlist = session.get(HotList, hotlist_id)
    if hotlist is None or not covert.may_see_list(user, hotlist):
        # The same answer as a missing list: a covert list does not exist for others.
        raise NotFound(f"no hot list with id {hotlist_id}")
    return hotlist


def _count(session: SessionDep, hotlist_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                col(HotListEntry.hotlist_id) == hotlist_id,
                col(HotListEntry.deleted_at).is_(None),
            )
        )
        or 0
    )


def hotlist_public(hotlist: HotList, entries: int) -> HotListPublic:
    match = MatchPolicyIn(
        confusable_max=hotlist.confusable_max, edit_max=hotlist.edit_max,
        broad_confusables=hotlist.broad_confusables, ignore_state=hotlist.ignore_state,
    )  # fmt: skip
    return HotListPublic.model_validate(hotlist.model_dump() | {"entries": entries, "match": match})


def entry_public(row: HotListEntry) -> EntryPublic:
    return EntryPublic.model_validate(
        row.model_dump()
        | {
            "vehicle": Vehicle(
                year=row.vehicle_year, make=row.vehicle_make, model=row.vehicle_model,
                color=row.vehicle_color, type=row.vehicle_type,
            )
        }
    )  # fmt: skip
