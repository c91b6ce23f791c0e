"""Hot lists, their entries and the change feed every process replays."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import foreign_key, id_column, utc_column


class HotList(SQLModel, table=True):
    id: int | None = id_column()
    name: str = Field(unique=True)
    kind: str
    priority: int
    description: str | None = None
    is_active: bool = True
    created_at: datetime = utc_column()
    created_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    # Matching policy (lpr.policy.MatchPolicy): how far a read may differ from an entry.
    confusable_max: int = 1
    edit_max: int = 0
    broad_confusables: bool = False
    ignore_state: bool = False
    # Who is told first (alerts.policy.DispatchFirst): auto, always (every hit waits for a
    # dispatcher: records that need confirmation first) or never (straight to officers).
    dispatch_first: str = "auto"
    updated_at: datetime | None = utc_column(nullable=True, index=True)  # other processes poll it
    source: str | None = None  # file layout and name of the last import
    refreshed_at: datetime | None = utc_column(nullable=True)


class HotListEntry(SQLModel, table=True):
    __tablename__ = "hotlist_entry"

    id: int | None = id_column()
    hotlist_id: int = foreign_key("hotlist.id")
    plate: str  # as written by the source, kept for display and evidence
    plate_key: str = Field(index=True)
    state: str | None = None
    reason: str | None = None
    case_number: str | None = None
    expires_at: datetime | None = utc_column(nullable=True)
    vehicle_year: int | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None
    note: str | None = None
    created_at: datetime = utc_column()
    created_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    deleted_at: datetime | None = utc_column(nullable=True)
    deleted_by: int | None = foreign_key("app_user.id", index=False, nullable=True)
    # Hits of this entry that ended as misread or wrong vehicle; at the threshold the entry
    # is flagged for the list owner's review (list hygiene).
    false_hits: int = 0
    review_flagged_at: datetime | None = utc_column(nullable=True, index=True)
    review_reason: str | None = None


class HotListChange(SQLModel, table=True):
    """Append-only change feed: every process replays it to patch its in-memory matcher."""

    __tablename__ = "hotlist_change"

    id: int | None = id_column()
    entry_id: int = foreign_key("hotlist_entry.id")
    op: str  # "upsert" or "delete"
    at: datetime = utc_column()


class HotListImportRow(SQLModel, table=True):
    """One row of a hot-list file being imported, staged before the list changes.

    A large file is parsed a chunk at a time into these rows (its own short transactions), so
    neither the file nor its rows are ever held in memory; the duplicates, twins and the diff
    against the list are then queries, and the list changes in one transaction at the end
    (app/hotlists/staging.py). An import's rows are deleted when it ends, whatever the outcome.
    """

    __tablename__ = "hotlist_import_row"
    __table_args__ = (Index("ix_hotlist_import_row_import_key", "import_id", "plate_key"),)

    import_id: str = Field(primary_key=True)
    line: int = Field(primary_key=True)
    plate: str
    plate_key: str
    plate_fold: str
    state: str | None = None
    expired: bool = False
    reason: str | None = None
    case_number: str | None = None
    expires_at: datetime | None = utc_column(nullable=True)
    vehicle_year: int | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None
    note: str | None = None
    staged_at: datetime = utc_column(index=True)  # an import that died is swept after a day
