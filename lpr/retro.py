"""Re-checking recent reads when an entry is added (DOMAIN.md 3.5), pure.

The index answers "which entries does this read hit"; a new entry asks the reverse over a
window of stored reads. Both directions share one definition of a hit, so the retro check runs
the new entry's one-entry index over each read: about as costly per read as a live match, i.e.
seconds for a day of a busy agency's reads. Narrow the window in the database first when it is
larger (e.g. by fold key, `plates.fold_key`, for lists without edits or patterns).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lpr.index import PlateIndex
from lpr.matcher import Entry, Hit
from lpr.policy import MatchPolicy


@dataclass(frozen=True, slots=True)
class StoredRead:
    """A read as stored: its OCR candidates (normalised keys, best first) and when it was read."""

    id: int
    candidates: tuple[tuple[str, float | None], ...]
    state: str | None
    read_at: datetime


@dataclass(frozen=True, slots=True)
class RetroHit:
    read: StoredRead
    hit: Hit


def retro_hits(
    entry: Entry, reads: Iterable[StoredRead], *, policy: MatchPolicy, now: datetime
) -> list[RetroHit]:
    """The stored reads `entry` would have hit under `policy`, most recent first. An entry
    already expired at `now` hits nothing."""
    index = PlateIndex([entry], policies={entry.hotlist_id: policy})
    found = [
        RetroHit(read, hits[0])
        for read in reads
        if (hits := index.match_read(read.candidates, state=read.state, now=now))
    ]
    return sorted(found, key=lambda retro: (retro.read.read_at, retro.read.id), reverse=True)
