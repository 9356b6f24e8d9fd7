"""Bounded query execution: a pool of worker processes that are killed and replaced on timeout.

:mod:`.job` is one bounded query (limits, evaluation, capped serialization), shared with
in-process execution; :mod:`.pool` the worker processes and their pool.

pyoxigraph cannot cancel a running query, so a query that must be stoppable
cannot run in the server's own process. Each worker is a separate process
that reads a *snapshot* of the store; the server process is the only writer.
After each committed write the server bumps a *generation*
(:meth:`QueryPool.committed`); the next query makes a snapshot of that
generation, every job names its snapshot, and a worker whose open snapshot is
older reopens first — so workers see every write committed before the query
was received.

- On disk, a snapshot is a RocksDB checkpoint (``Store.backup``: hard links
  to immutable table files, milliseconds), opened with
  ``pyoxigraph.Store.read_only``. Opening the live folder read-only instead
  is not safe while the writer compacts: the reader can find table files
  gone (seen in testing as "Corruption: … No such file").
- In memory, a snapshot is an N-Quads file the workers load. Honest limit:
  each write costs a full copy, so this is for small stores (tests, demos);
  serve large data from an on-disk store.

A query that runs past its deadline gets :class:`QueryTimeout`; its worker is
killed (the only way to stop Oxigraph) and a fresh one is started in the
background, so other queries keep their workers and are not delayed.

Results are evaluated and serialized by Oxigraph inside the worker and come
back as bytes, in chunks once they pass ``stream_threshold``. Row and byte
caps are checked while serializing, so a huge result is cut off early.
"""

from conflictkg.graph.sparql.workers.job import (
    Answer, Limits, QueryJob, all_busy, default_terms, lane_stopped, ox_query, run_job, stopped,
)
from conflictkg.graph.sparql.workers.pool import QueryPool

__all__ = [
    "QueryJob", "Limits", "Answer", "QueryPool", "run_job", "ox_query", "default_terms", "stopped", "lane_stopped", "all_busy",
]
