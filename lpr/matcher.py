"""Matching reads against hot-list entries: the values and the `Matcher` seam.

`lpr.index.PlateIndex` is the engine behind the seam (look-alikes, edits, partial plates,
per-list policies); the state rule of DOMAIN.md 2.2 (`state_rule`, `state_note`) lives here so
that any matcher keeps it and returns the same `Hit` values.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lpr.candidates import Candidates
from lpr.explain import Difference, Explanation, Quality
from lpr.patterns import Pattern

__all__ = [
    "Entry",
    "Hit",
    "Matcher",
    "Quality",
    "state_note",
    "state_rule",
]

_QUALITY_ORDER = {Quality.EXACT: 0, Quality.CONFUSABLE: 1, Quality.EDITED: 2, Quality.PARTIAL: 3}


@dataclass(frozen=True, slots=True)
class Entry:
    """What the matcher needs of a hot-list entry. `state` None matches every state.

    `key` is the normalised plate, or for a partial plate its pattern text (`7K?4??`, `*4*`); a
    key holding `?` or `*` becomes a glob `pattern` unless one is given (`Pattern.genetec`).
    """

    id: int
    hotlist_id: int
    key: str
    state: str | None = None
    expires_at: datetime | None = None
    pattern: Pattern | None = None

    def __post_init__(self) -> None:
        if self.pattern is None and ("?" in self.key or "*" in self.key):
            object.__setattr__(self, "pattern", Pattern(self.key))

    def is_active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class Hit:
    """One entry hit by one read, through its best-matching OCR candidate.

    `read_key` is that candidate, normalised; `substitutions` counts look-alikes, `edits` other
    differences; `candidate_rank` is 1-based among `candidate_count` candidates.
    """

    entry_id: int
    hotlist_id: int
    read_key: str
    listed_key: str
    quality: Quality
    state_note: str = ""
    substitutions: int = 0
    edits: int = 0
    candidate_rank: int = 1
    candidate_count: int = 1
    candidate_confidence: float | None = None
    pattern: str | None = None
    differences: tuple[Difference, ...] = ()

    @property
    def read_plate(self) -> str:
        return self.read_key

    @property
    def explanation(self) -> Explanation:
        return Explanation(
            quality=self.quality,
            read_key=self.read_key,
            listed_key=self.listed_key,
            differences=self.differences,
            candidate_rank=self.candidate_rank,
            candidate_count=self.candidate_count,
            candidate_confidence=self.candidate_confidence,
            pattern=self.pattern,
        )

    @property
    def explanation_text(self) -> str:
        return self.explanation.text

    @property
    def label(self) -> str:
        """`EXACT`, or `POSSIBLE MISREAD — verify plate` for every other kind of match."""
        return self.explanation.label

    @property
    def rank(self) -> tuple[int, int, int, int, float]:
        """Sort key, best first: kind, look-alikes, edits, candidate rank, confidence."""
        confidence = self.candidate_confidence if self.candidate_confidence is not None else 0.0
        return (
            _QUALITY_ORDER[self.quality],
            self.edits,
            self.substitutions,
            self.candidate_rank,
            -confidence,
        )


class Matcher(Protocol):
    def match(self, key: str, state: str | None, now: datetime) -> list[Hit]:
        """Hits of one read plate (its key) read in `state` (None: not read), best first."""
        ...

    def match_read(self, candidates: Candidates, *, state: str | None, now: datetime) -> list[Hit]:
        """Hits of every OCR candidate of one read (as `lpr.candidates.ranked` gives them), one
        per entry (its best), best first."""
        ...

    def upsert(self, entry: Entry) -> None: ...

    def remove(self, entry_id: int) -> None: ...

    def __len__(self) -> int: ...


def state_rule(entry_state: str | None, read_state: str | None) -> str | None:
    """None when a read in `read_state` may match an entry of `entry_state`, else the reason not.

    An entry without a state matches any read; an entry with a state matches reads of that
    state or reads whose state was not read.
    """
    if entry_state is None or read_state is None or entry_state == read_state:
        return None
    return f"read in {read_state}, record is {entry_state}"


def state_note(entry_state: str | None, read_state: str | None) -> str:
    """What the officer must know about the states of a hit; "" when they agree."""
    if entry_state is None:
        return "no state on record"
    if read_state is None:
        return f"state not read — record is {entry_state}"
    if read_state != entry_state:
        return f"read in {read_state}, record is {entry_state} — list ignores state"
    return ""
