"""Versioned cache keys: put `version.current()` in a key, and `version.bump()` makes every
key built on it stale at once, without finding or deleting entries (old ones expire).

A version starts at the current time in nanoseconds, not at 1: a cache may drop the version
itself (Redis evicting, a file or memory cache culling when full) while entries built on it
live on, and a version restarted at 1 could meet an old entry keyed by 1 again and serve it.
A restarted version is the time of the restart, larger than any value the old one reached
(bumps add 1, far less than the nanoseconds that pass between them)."""

import time

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> int:
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, time.time_ns(), timeout=None)
            version = cache.get(self.key)
            if version is None:  # a cache that keeps nothing (DummyCache): never the same
                version = time.time_ns()
        return version

    def bump(self, **_signal_kwargs) -> None:
        """After the current transaction commits, so no reader caches pre-commit data under
        the new version. Accepts and ignores signal arguments, to connect it directly."""

        def increment():
            try:
                cache.incr(self.key)
            except ValueError:  # no version (never read, or dropped): start a new one
                cache.add(self.key, time.time_ns(), timeout=None)

        transaction.on_commit(increment)
