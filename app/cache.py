"""A bounded in-process memo, for lookups that hot paths repeat thousands of times a second.

Cleared whole when full rather than evicting one by one: the keys it serves (camera keys, vendor
camera names, camera positions) are few in a steady state, and a burst of new ones (mobile units
moving on) is cheaper to start again from than to track for eviction order.
"""

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """`get`/`put` with an optional lifetime per value (`ttl_s`, None: forever) and at most
    `max_size` values."""

    def __init__(self, *, max_size: int, ttl_s: float | None = None) -> None:
        self._max_size = max_size
        self._ttl_s = ttl_s
        self._values: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        found = self._values.get(key)
        if found is None:
            return None
        expires, value = found
        if self._ttl_s is not None and expires < time.monotonic():
            return None
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._values) >= self._max_size:
            self._values.clear()
        expires = 0.0 if self._ttl_s is None else time.monotonic() + self._ttl_s
        self._values[key] = (expires, value)

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
