"""A small fixed-window rate limit on the shared cache: "at most N attempts per window, per
key" (a person's check-in codes, later certificate lookups). The cache is shared by every web
process (the file cache for `make run`, Redis in production), so the limit holds across them.

Fixed windows let a determined client make up to 2N attempts across a boundary; that is
still a bounded rate, which is what the codes' strength was sized against.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int

    def _key(self, who: str) -> tuple[str, int]:
        window = int(time.time() // self.window_seconds)
        retry_after = (window + 1) * self.window_seconds - int(time.time())
        return f"ratelimit:{self.name}:{who}:{window}", max(retry_after, 1)

    def exceeded(self, who: str) -> int | None:
        """Seconds until ``who`` may try again if they have used up this window, else None.
        Does not count an attempt."""
        key, retry_after = self._key(who)
        return retry_after if (cache.get(key) or 0) >= self.attempts else None

    def hit(self, who: str) -> None:
        """Count one attempt by ``who`` in the current window."""
        key, _ = self._key(who)
        if not cache.add(key, 1, timeout=self.window_seconds + 1):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window_seconds + 1)

    def reset(self, who: str) -> None:
        key, _ = self._key(who)
        cache.delete(key)
