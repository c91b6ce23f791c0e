"""What one retention run removed (or, dry, would remove): rows per table, image files, the
cut-offs it used and the day partitions it dropped."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.retention.policy import Policy

# What a report counts, in the order it is printed: tables, and image files.
TABLES = (
    "alert", "alert_notice", "alert_recipient", "alert_response", "alert_confirmation",
    "alert_escalation",
    "delivery", "hit", "bulletin_match", "read_source_key", "plate_read (hit)",
    "plate_read (no hit)", "image_file", "officer_location", "audit_log",
)  # fmt: skip


@dataclass(slots=True)
class Report:
    policy: Policy
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    skipped: str | None = None  # why nothing ran (another process holds the lock)
    partitions: list[str] = field(default_factory=list)  # day partitions dropped (or would be)
    kept_from_partitions: int = 0  # reads of those days kept, moved to the default partition
    detached_s: float = 0.0  # time plate_read was locked to detach days: ingest's only wait

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def add(self, table: str, count: int) -> None:
        self.removed[table] += count


def counts_in_order(report: Report) -> Iterable[tuple[str, int]]:
    return ((table, report.removed[table]) for table in TABLES)
