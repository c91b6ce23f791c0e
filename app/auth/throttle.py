"""Failed credentials from one address are rate-limited (the `limits` library, per process).

Only failures count: a bad password, an unknown or revoked bearer token, an unknown camera key.
Past `per_minute` of them in a moving minute, that address is answered 429 with Retry-After
before any credential of it is even looked at, so guessing costs the guesser, not the database.
"""

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class Throttle:
    def __init__(self, *, per_minute: int) -> None:
        self._limit = RateLimitItemPerMinute(per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after_s(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it may now."""
        if self._limiter.test(self._limit, address):
            return None
        reset = self._limiter.get_window_stats(self._limit, address).reset_time
        return max(1, int(reset - time.time()) + 1)  # noqa: TID251  limits keeps epoch time

    def failed(self, address: str) -> None:
        self._limiter.hit(self._limit, address)
