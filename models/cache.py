"""A bounded, thread-safe cache of things computed from a city's data (the KPI
snapshot, the dashboard's figures, rendered charts), shared by the sessions of one
session factory (one per web app or CLI command).

Keys start with :func:`data_key`, which holds the versions of the data domains the
item is computed from (``models/versioning.py``): a write to one of them, by any
process, raises its version, so the next page asks for a new key and the old entry
simply ages out; writes to other domains leave the entry valid. Cached
values are shared between requests and threads: callers treat them as read-only
(the domain objects stored here are frozen dataclasses and tuples).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from models.cities import City, DataDomain

T = TypeVar("T")
SESSION_INFO_KEY = "snapshot_cache"
# Set on a session by models/versioning.py once its transaction has written city
# data, cleared when the transaction ends: until then its reads see uncommitted
# rows under a version number that a rollback would hand to another write.
WROTE_INFO_KEY = "wrote_city_data"
DEFAULT_SIZE = 256  # entries; a city's snapshot is a few hundred kB at most


class SnapshotCache:
    """Least-recently-used mapping of at most ``size`` entries."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The entry under ``key``, computing and storing it if absent. One thread
        computes a missing key; others asking for it meanwhile wait for its result
        (after a write, every thread of a busy process asks for the same snapshot:
        computing it once each would multiply the work)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                value: T = self._entries[key]
                return value
            self.misses += 1
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = threading.Lock()
        with flight:  # the first thread computes; the others queue here
            with self._lock:
                if key in self._entries:
                    value = self._entries[key]
                    return value
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._flights.pop(key, None)
                raise
            with self._lock:
                self._entries[key] = value
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
                self._flights.pop(key, None)
            return value

    def __len__(self) -> int:
        return len(self._entries)


def data_key(city: City, *domains: DataDomain) -> tuple[Hashable, ...]:
    """The part of a cache key that changes with the city's data in ``domains``: the
    versions of those domains and of the city row itself (every page reads it). The
    creation time tells a city apart from a later one that reuses its id in a rebuilt
    database. Declare next to each cached item the domains its computation reads."""
    wanted = sorted(set(domains) | {DataDomain.PROFILE})
    return (city.id, city.created_at, *((d.value, city.version(d)) for d in wanted))


def cached(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` through the session's cache; computed afresh without a cache and
    inside a transaction that has changed (or is about to flush changes to) data."""
    cache: SnapshotCache | None = session.info.get(SESSION_INFO_KEY)
    if (
        cache is None
        or session.info.get(WROTE_INFO_KEY)
        or session.new
        or session.dirty
        or session.deleted
    ):
        return compute()
    return cache.get_or_compute(key, compute)
