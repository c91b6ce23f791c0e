"""A compact map from entry id to slot for million-entry indexes.

A dict of a million int keys and values costs about 100 bytes an entry in CPython; two sorted
int64 arrays cost 16. Ids arrive mostly in increasing order (database serials), which append;
the rest wait in a small dict that is merged in when it grows past an eighth of the arrays, so a
load in random order still costs O(n log n) overall.
"""

from array import array
from bisect import bisect_left

_GONE = -1  # a removed id keeps its place until the next merge
_MIN_PENDING = 1024


class IdMap:
    """Map non-negative int ids to non-negative int slots."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._slots = array("q")
        self._pending: dict[int, int] = {}
        self._size = 0
        self._gone = 0

    def __len__(self) -> int:
        return self._size

    def get(self, entry_id: int) -> int | None:
        slot = self._pending.get(entry_id)
        if slot is not None:
            return slot
        ids = self._ids
        if not ids or entry_id > ids[-1]:  # a new id in a load in id order: the common case
            return None
        i = bisect_left(ids, entry_id)
        if ids[i] == entry_id and self._slots[i] != _GONE:
            return self._slots[i]
        return None

    def set(self, entry_id: int, slot: int) -> None:
        if entry_id in self._pending:
            self._pending[entry_id] = slot
            return
        ids = self._ids
        if not ids or entry_id > ids[-1]:
            ids.append(entry_id)
            self._slots.append(slot)
            self._size += 1
            return
        i = bisect_left(ids, entry_id)
        if i < len(ids) and ids[i] == entry_id:
            if self._slots[i] == _GONE:
                self._size += 1
                self._gone -= 1
            self._slots[i] = slot
            return
        self._pending[entry_id] = slot
        self._size += 1
        if len(self._pending) > max(_MIN_PENDING, len(ids) >> 3):
            self._merge()

    def pop(self, entry_id: int) -> int | None:
        """Remove an id; its slot, or None when it was not there."""
        slot = self._pending.pop(entry_id, None)
        if slot is not None:
            self._size -= 1
            return slot
        i = bisect_left(self._ids, entry_id)
        if i < len(self._ids) and self._ids[i] == entry_id and self._slots[i] != _GONE:
            slot = self._slots[i]
            self._slots[i] = _GONE
            self._size -= 1
            self._gone += 1
            if self._gone > max(_MIN_PENDING, len(self._ids) >> 2):
                self._merge()
            return slot
        return None

    def _merge(self) -> None:
        pairs = [(i, s) for i, s in zip(self._ids, self._slots, strict=True) if s != _GONE]
        pairs.extend(self._pending.items())
        pairs.sort()
        self._ids = array("q", [i for i, _ in pairs])
        self._slots = array("q", [s for _, s in pairs])
        self._pending = {}
        self._gone = 0
