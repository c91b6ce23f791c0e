"""Hot lists and their entries. Admins and supervisors manage them; dispatchers may look."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from sqlalchemy import func, select

from app import audit, hotlists
from app.deps import ClockDep, SessionDep, SettingsDep, require_roles
from app.errors import Conflict, NotFound, PayloadTooLarge, Unprocessable
from app.matching import invalidate_after_commit
from app.models import HotList, HotListEntry, Role, User
from app.schemas import (
    MAX_ENTRIES_PER_REQUEST,
    EntriesAdded,
    EntryIn,
    EntryPublic,
    HotListCreate,
    HotListPublic,
    ImportReport,
    Vehicle,
)

router = APIRouter(prefix="/hotlists", tags=["hotlists"])

Manager = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
Viewer = Annotated[
    User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.AUDITOR))
]
MAX_IMPORT_BYTES = 50 * 1024 * 1024


@router.post("", status_code=201)
def create_hotlist(
    body: HotListCreate, session: SessionDep, user: Manager, clock: ClockDep
) -> HotListPublic:
    """Create a hot list. `priority` 1 is the most urgent; 4 is information only (no push)."""
    if session.scalars(select(HotList).where(HotList.name == body.name)).first():
        raise Conflict(f"a hot list named {body.name!r} already exists")
    now = clock()
    hotlist = HotList(**body.model_dump(), created_at=now, created_by=user.id)
    session.add(hotlist)
    session.flush()
    audit.record(
        session, actor=user, action="hotlist.create", now=now, object_type="hotlist",
        object_id=hotlist.id, detail=body.model_dump(),
    )  # fmt: skip
    return _public(hotlist, 0)


@router.get("")
def list_hotlists(session: SessionDep, _user: Viewer) -> list[HotListPublic]:
    counts = dict(
        session.execute(
            select(HotListEntry.hotlist_id, func.count())
            .where(HotListEntry.deleted_at.is_(None))  # type: ignore[union-attr]
            .group_by(HotListEntry.hotlist_id)
        ).all()
    )
    return [
        _public(h, counts.get(h.id, 0)) for h in session.scalars(select(HotList).order_by("id"))
    ]


@router.get("/{hotlist_id}")
def get_hotlist(hotlist_id: int, session: SessionDep, _user: Viewer) -> HotListPublic:
    hotlist = _hotlist(session, hotlist_id)
    return _public(hotlist, _count(session, hotlist_id))


@router.post("/{hotlist_id}/entries", status_code=201)
def add_entries(
    request: Request,
    hotlist_id: int,
    entries: Annotated[list[EntryIn], Body(max_length=MAX_ENTRIES_PER_REQUEST)],
    session: SessionDep,
    user: Manager,
    clock: ClockDep,
) -> EntriesAdded:
    """Add up to 5,000 entries. All or nothing: one bad entry is a 422 naming it."""
    hotlist = _hotlist(session, hotlist_id)
    now = clock()
    for i, entry in enumerate(entries):
        try:
            hotlists.check_entry(entry, now)
        except hotlists.EntryProblem as error:
            raise Unprocessable(f"[{i}]: {error}") from None
    ids = hotlists.add_entries(session, hotlist=hotlist, entries=entries, user=user, now=now)
    invalidate_after_commit(session, request.app.state.index)
    return EntriesAdded(added=len(ids), entry_ids=ids)


@router.post("/{hotlist_id}/import", status_code=201)
async def import_csv(
    request: Request,
    hotlist_id: int,
    file: Annotated[UploadFile, File(description="CSV with a header row; 'plate' is required")],
    session: SessionDep,
    user: Manager,
    clock: ClockDep,
    settings: SettingsDep,
) -> ImportReport:
    """Import a CSV file. Valid rows are kept; every rejected row is listed with its line
    number and the reason, so the file can be fixed and only those rows sent again."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"file is over {MAX_IMPORT_BYTES} bytes; split it")
    hotlist = _hotlist(session, hotlist_id)
    now = clock()
    try:
        entries, errors, rows = hotlists.parse_csv(
            data, now=now, tz=ZoneInfo(settings.agency_timezone)
        )
    except hotlists.EntryProblem as error:
        raise Unprocessable(str(error)) from None
    ids = hotlists.add_entries(session, hotlist=hotlist, entries=entries, user=user, now=now)
    invalidate_after_commit(session, request.app.state.index)
    return hotlists.report(rows, ids, errors)


@router.get("/{hotlist_id}/entries")
def list_entries(
    hotlist_id: int,
    session: SessionDep,
    user: Viewer,
    clock: ClockDep,
    purpose: Annotated[
        str, Query(min_length=3, max_length=200, description="Why you look (audited)")
    ],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after_id: Annotated[int, Query(ge=0)] = 0,
) -> list[EntryPublic]:
    """Entries of a list, oldest first, paged by `after_id`. Audited with its purpose."""
    _hotlist(session, hotlist_id)
    rows = session.scalars(
        select(HotListEntry)
        .where(
            HotListEntry.hotlist_id == hotlist_id,
            HotListEntry.deleted_at.is_(None),  # type: ignore[union-attr]
            HotListEntry.id > after_id,  # type: ignore[operator]
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
    request: Request,
    hotlist_id: int,
    entry_id: int,
    session: SessionDep,
    user: Manager,
    clock: ClockDep,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> None:
    """Remove an entry (e.g. vehicle recovered). It stops matching in every process at once;
    the row is kept, marked deleted, for the hits that cite it."""
    entry = session.get(HotListEntry, entry_id)
    if entry is None or entry.hotlist_id != hotlist_id or entry.deleted_at is not None:
        raise NotFound(f"hot list {hotlist_id} has no entry {entry_id}")
    hotlists.delete_entry(session, entry=entry, user=user, now=clock(), reason=reason)
    invalidate_after_commit(session, request.app.state.index)


def _hotlist(session: SessionDep, hotlist_id: int) -> HotList:
    hotlist = session.get(HotList, hotlist_id)
    if hotlist is None:
        raise NotFound(f"no hot list with id {hotlist_id}")
    return hotlist


def _count(session: SessionDep, hotlist_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                HotListEntry.hotlist_id == hotlist_id,
                HotListEntry.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        )
        or 0
    )


def _public(hotlist: HotList, entries: int) -> HotListPublic:
    return HotListPublic.model_validate(hotlist.model_dump() | {"entries": entries})


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
