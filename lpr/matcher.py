"""Matching reads against hot-list entries.

This is the first cut: exact match on the plate key, with the state rule of DOMAIN.md 2.2. The
`Matcher` protocol is the seam the full matching engine replaces.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Quality(StrEnum):
    EXACT = "exact"
    CONFUSABLE = "confusable"  # differs only by OCR look-alikes: O/0, B/8, I/1
    EDITED = "edited"  # a character missing or extra
    PARTIAL = "partial"  # matched a partial plate pattern


@dataclass(frozen=True, slots=True)
class Entry:
    """What the matcher needs of a hot-list entry. `state` None matches every state."""

    id: int
    hotlist_id: int
    key: str
    state: str | None = None
    expires_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class Hit:
    entry_id: int
    hotlist_id: int
    read_key: str
    listed_key: str
    quality: Quality
    state_note: str = ""


class Matcher(Protocol):
    def match(self, key: str, state: str | None, now: datetime) -> list[Hit]:
        """Hits of one read plate (its key) read in `state` (None: not read), best first."""
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
    if entry_state is None:
        return "no state on record"
    if read_state is None:
        return f"state not read — record is {entry_state}"
    return ""


class ExactMatcher:
    """Exact match on the plate key: a dict from key to the entries listing it."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._by_key: dict[str, dict[int, Entry]] = {}
        self._key_of: dict[int, str] = {}
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._key_of)

    def upsert(self, entry: Entry) -> None:
        self.remove(entry.id)
        self._by_key.setdefault(entry.key, {})[entry.id] = entry
        self._key_of[entry.id] = entry.key

    def remove(self, entry_id: int) -> None:
        key = self._key_of.pop(entry_id, None)
        if key is None:
            return
        bucket = self._by_key[key]
        del bucket[entry_id]
        if not bucket:
            del self._by_key[key]

    def match(self, key: str, state: str | None, now: datetime) -> list[Hit]:
        bucket = self._by_key.get(key)
        if not bucket:
            return []
        return [
            Hit(
                entry_id=entry.id,
                hotlist_id=entry.hotlist_id,
                read_key=key,
                listed_key=entry.key,
                quality=Quality.EXACT,
                state_note=state_note(entry.state, state),
            )
            for entry in sorted(bucket.values(), key=lambda e: e.id)
            if entry.is_active(now) and state_rule(entry.state, state) is None
        ]
