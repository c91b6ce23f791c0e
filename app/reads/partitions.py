"""Day partitions of plate_read on PostgreSQL (made by revision 0016), by UTC day of
`read_at`: `plate_read_pYYYYMMDD`, and `plate_read_default` for every read no day covers
(app/partitions.py has the mechanics, shared with the officers' breadcrumbs). Retention drops
an expired day whole (app/retention/days.py)."""

from app.models import Read
from app.partitions import DayPartitioned

READS = DayPartitioned(parent="plate_read", column="read_at", model=Read, upkeep_lock=7_201_016)
