"""Who may run a query now: a per-client concurrency limit, and which queries may use the reserved lane.

A few runaway queries (cartesian products) used to fill every worker, so
``ASK {}`` waited the whole time limit for a 503. Two bounds stop that:

- :class:`Admission` lets one client (its address) run at most
  ``per_client`` queries at once; one more is refused at once with
  :class:`~conflictkg.graph.errors.TooManyRequests` (HTTP 429). Across the
  reader processes of ``conflictkg serve --readers`` the counts live in
  shared memory (:class:`SharedCounts`), one row per process, so a process
  that dies takes its counts with it when its row is cleared.
- :func:`lane_eligible` says which queries may run in the *reserved lane*
  (a worker or thread kept free for them) when every other slot is busy:
  those that look cheap from their text (at most one variable, or at most
  three and a constant to anchor them, as in a lookup of one entity's facts;
  no path closure ``*``/``+``), run there under a short time limit of their
  own, so a query that only looks cheap cannot hold the lane.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Hashable

from conflictkg.graph.errors import TooManyRequests
from conflictkg.graph.sparql.lexer import Scan

__all__ = ["Admission", "SharedCounts", "lane_eligible", "BUCKETS"]

#: Buckets of the shared table: clients hash into them (two clients in one bucket share a count).
BUCKETS = 4096


def lane_eligible(shape: Scan) -> bool:
    """Whether a query looks cheap enough for the reserved lane (few variables, anchored by a constant, no path closure)."""
    if shape.closures:
        return False
    return len(shape.variables) <= 1 or (len(shape.variables) <= 3 and shape.constants > 0)


class SharedCounts:
    """Per-client counts in shared memory, one row per process; a client's count is the sum of its column.

    Parameters
    ----------
    array : multiprocessing.Array of int
        ``rows * BUCKETS`` counters with a lock (made by the supervisor).
    row : int
        This process's row.
    """

    def __init__(self, array, row: int) -> None:
        self.array, self.row = array, row

    def enter(self, bucket: int, limit: int) -> int | None:
        # The raw ctypes array under the one lock: each item of the synchronized
        # wrapper takes the lock again (a twentieth of a lookup, summing the rows).
        with self.array.get_lock():
            counts = self.array.get_obj()
            total = sum(counts[bucket::BUCKETS])
            if total >= limit:
                return total
            counts[self.row * BUCKETS + bucket] += 1
            return None

    def leave(self, bucket: int) -> None:
        with self.array.get_lock():
            counts = self.array.get_obj()
            index = self.row * BUCKETS + bucket
            counts[index] = max(counts[index] - 1, 0)


class _LocalCounts:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}

    def enter(self, bucket: int, limit: int) -> int | None:
        with self._lock:
            count = self._counts.get(bucket, 0)
            if count >= limit:
                return count
            self._counts[bucket] = count + 1
            return None

    def leave(self, bucket: int) -> None:
        with self._lock:
            count = self._counts.get(bucket, 0) - 1
            if count > 0:
                self._counts[bucket] = count
            else:
                self._counts.pop(bucket, None)


class Admission:
    """At most ``per_client`` queries of one client at once.

    Parameters
    ----------
    per_client : int
    counts : SharedCounts, optional
        Shared with other processes; by default counts are this process's own.

    Examples
    --------
    >>> admission = Admission(1)
    >>> ticket = admission.enter("10.0.0.1")
    >>> admission.enter("10.0.0.1")
    Traceback (most recent call last):
    ...
    conflictkg.graph.errors.TooManyRequests: client 10.0.0.1 already has 1 queries running, the limit per client; retry when one ends
    >>> admission.leave(ticket)
    """

    def __init__(self, per_client: int, counts: SharedCounts | None = None) -> None:
        self.per_client = per_client
        self._counts = counts or _LocalCounts()

    def enter(self, client: Hashable | None) -> int | None:
        """Count a query of ``client`` (``None``: not limited); returns the ticket to :meth:`leave` with.

        Raises
        ------
        TooManyRequests
            If the client already runs ``per_client`` queries.
        """
        if client is None:
            return None
        bucket = zlib.crc32(str(client).encode("utf-8")) % BUCKETS
        running = self._counts.enter(bucket, self.per_client)
        if running is not None:
            raise TooManyRequests(
                f"client {client} already has {running} queries running, the limit per client; retry when one ends",
                limit=self.per_client,
            )
        return bucket

    def leave(self, ticket: int | None) -> None:
        """The query of this ticket ended."""
        if ticket is not None:
            self._counts.leave(ticket)
