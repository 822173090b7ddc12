"""Versioned cache keys: put `version.current()` in a key, and `version.bump()` makes every
key built on it stale at once, without finding or deleting entries (old ones expire)."""

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> int:
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, 1, timeout=None)
            version = cache.get(self.key, 1)
        return version

    def bump(self, **_signal_kwargs) -> None:
        """After the current transaction commits, so no reader caches pre-commit data under
        the new version. Accepts and ignores signal arguments, to connect it directly."""

        def increment():
            try:
                cache.incr(self.key)
            except ValueError:  # no version yet: nothing is cached under one
                cache.add(self.key, 1, timeout=None)

        transaction.on_commit(increment)
