"""The officers' breadcrumbs (past positions, kept when LOOKOUT_BREADCRUMBS is on) are
partitioned by UTC day of `recorded_at` on PostgreSQL (revision 0017): retention drops an
expired day whole (app/retention/enforce.py), the worker makes the days ahead."""

from app.models import OfficerLocation
from app.partitions import DayPartitioned

BREADCRUMBS = DayPartitioned(
    parent="officer_location", column="recorded_at", model=OfficerLocation, upkeep_lock=7_201_017
)
