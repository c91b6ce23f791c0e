"""Day partitions of plate_read on PostgreSQL (made by revision 0016), by UTC day of
`read_at`: `plate_read_pYYYYMMDD`, and `plate_read_default` for every read no day covers
(app/partitions.py has the mechanics, shared with the officers' breadcrumbs). Retention drops
an expired day whole (app/retention/enforce.py)."""

from app.models import Read
from app.partitions import AHEAD_DAYS, Day, DayPartitioned

READS = DayPartitioned(parent="plate_read", column="read_at", model=Read, upkeep_lock=7_201_016)

PARENT = READS.parent
DEFAULT = READS.default
day_name = READS.day_name
day_of = READS.day_of
is_partitioned = READS.is_partitioned
days = READS.days
detached_name = READS.detached_name
detached = READS.detached
table = READS.table
ensure_ahead = READS.ensure_ahead

__all__ = [
    "AHEAD_DAYS",
    "DEFAULT",
    "PARENT",
    "READS",
    "Day",
    "day_name",
    "day_of",
    "days",
    "detached",
    "detached_name",
    "ensure_ahead",
    "is_partitioned",
    "table",
]  # fmt: skip
