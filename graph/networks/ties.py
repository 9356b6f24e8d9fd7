"""Ties between actors read from the store: relationships and events, with their evidence.

Two kinds of record tie two actors (:class:`Tie`):

- a relationship (``ck:Alliance``, ``ck:Cooperation``, ``ck:Support``,
  ``ck:Membership`` +; ``ck:Hostility``, ``ck:Strain`` −; ``ck:sign`` when
  given), active from ``ck:startDate`` to ``ck:endDate``;
- an event between its ``ck:actor`` and its ``ck:target``, weighted on
  Goldstein's scale (:mod:`conflictkg.graph.networks.weights`), and between its actor
  and a ``ck:participant`` when the event is cooperation (fighting alongside,
  support). An accusation is the accuser's act against the accused: strain.

What a claim graph (``ck:Claim``) holds is what someone alleges, not a fact:
it makes no tie unless ``include_claims=True``. A weight of 0 is neutral and
makes no tie; no tie is not a negative tie.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from conflictkg.graph.networks.dates import MAX_WINDOW_DAYS, YEARS, parse_date, parse_window  # re-exported
from conflictkg.graph.networks.parts import read_ties
from conflictkg.graph.networks.records import RELATIONSHIP_SIGNS, Tie, TieSet, deciding_relationship  # re-exported
from conflictkg.graph.store import Store

if TYPE_CHECKING:
    from conflictkg.graph.networks.index import NetworkIndex

__all__ = [
    "RELATIONSHIP_SIGNS",
    "Tie",
    "TieSet",
    "deciding_relationship",
    "event_labels",
    "load_ties",
    "parse_date",
    "parse_window",
]

_LABEL_QUERY = "SELECT ?s ?label WHERE { VALUES ?s { %s } GRAPH ?g { ?s rdfs:label ?label } }"


def load_ties(store: Store, *, include_claims: bool = False, labels: bool = True) -> TieSet:
    """Read every actor tie from the store, with what evidences it (kept until the next write).

    Where the store has a network index (:func:`~conflictkg.graph.networks.index.open_network_index`:
    every CLI command and the server open one), what was read is kept beside it, so the next analysis
    starts from it (3 s of the 3.5 s of ``network balance`` at 50k ACLED rows were this read): each
    large named graph's ties until a write touches that graph
    (:mod:`~conflictkg.graph.networks.parts`), the whole read until any write where no graph is
    large. A store showing a crash's half-written graphs is never cached.

    Parameters
    ----------
    store : Store
        The fact store.
    include_claims : bool
        Also take what claim graphs (``ck:Claim``) hold as ties. By default
        an allegation is only the claimant's act (its ``ck:Accusation``
        event), never the fact alleged.
    labels : bool
        Also read the events' labels (no network measure reads them).

    Returns
    -------
    TieSet
    """
    index = keeping_index(store)
    key = f"claims{int(include_claims)}-labels{int(labels)}"
    if index is not None:
        hit = index.kept(key)
        if isinstance(hit, TieSet):
            return hit
    since = index.generation if index is not None else None
    ties = read_ties(store, include_claims=include_claims, labels=labels, index=index)
    # Read from the kept parts, the whole is as quick to put together again as to unpickle, and
    # pickling it would cost the first analysis after every write (3 s at 1M ACLED rows).
    if index is not None and not index.parts_kept():
        index.keep(key, ties, since)
    return ties


def keeping_index(store: Store) -> NetworkIndex | None:
    """The network index that keeps what is read from ``store`` until its next write, if it has one.

    ``None`` where nothing may be kept: no index follows the store, or the store is a view
    that hides a crash's half-written graphs (what is read there holds only until recovery).
    """
    from conflictkg.graph.networks.index import NetworkIndex  # noqa: F811 - at run time; the index imports the store

    if getattr(store, "hidden", None):
        return None
    return next((x for x in getattr(store, "listeners", ()) if isinstance(x, NetworkIndex)), None)


def event_labels(store: Store, ties: TieSet, iris: Iterable[str], *, chunk: int = 500) -> None:
    """Fill in the ``label`` of the evidence records ``iris`` (read with ``labels=False``), in a few queries."""
    todo = sorted({i for i in iris if i in ties.evidence and ties.evidence[i].get("label") is None})
    for k in range(0, len(todo), chunk):
        values = " ".join(f"<{i}>" for i in todo[k : k + chunk] if ">" not in i)
        if not values:
            continue
        for s, label in store.query(_LABEL_QUERY % values):  # type: ignore[union-attr, misc]
            record = ties.evidence.get(s.value)
            if record is not None and record.get("label") is None:
                record["label"] = label.value
