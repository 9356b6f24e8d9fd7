"""OWL 2 RL materialization with ``reasonable`` against ``owlrl`` (the pure-Python baseline), and HermiT's cost.

The input is the seed graph's asserted facts copied K times (every
``id/…`` IRI of copy k gets a ``-k`` suffix, so the copies are disjoint and
the reasoning work scales with K), plus the TBox. For each K it prints, side
by side: triples in, ``graph.knowledge.reasoning.materialize`` time (Oxigraph → rdflib →
reasonable → Oxigraph, end to end), the time of ``owlrl``'s
``DeductiveClosure(OWLRL_Semantics)`` over the same rdflib graph, their ratio,
and HermiT's consistency check (``ontology.owl.check_consistency``) time.

Run: ``.venv/bin/python bench/reasoning.py [--copies 1,10,40] [--no-owlrl] [--no-hermit]``
"""

from __future__ import annotations

import argparse
import time

import pyoxigraph as ox
import rdflib

__all__ = ["scaled_store", "main"]

ID = "https://w3id.org/conflictkg/id/"


def _copy_term(term, k: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
        return ox.NamedNode(f"{term.value}-{k}")
    return term


def scaled_store(copies: int):
    """A store with the TBox and ``copies`` renamed copies of the seed's facts (inference not run)."""
    from conflictkg.graph.knowledge.seed import build_seed
    from conflictkg.graph.store import Store
    from conflictkg.ontology.vocab import INFERRED_GRAPH, ONTOLOGY_GRAPH

    seed = Store()
    build_seed(seed)
    facts = [q for q in seed.quads() if q.graph_name not in (ox.NamedNode(str(ONTOLOGY_GRAPH)), ox.NamedNode(str(INFERRED_GRAPH)))]
    store = Store()
    store.extend(q for q in seed.quads() if q.graph_name == ox.NamedNode(str(ONTOLOGY_GRAPH)))
    for k in range(copies):
        store.extend(
            ox.Quad(_copy_term(q.subject, k), q.predicate, _copy_term(q.object, k), q.graph_name) for q in facts
        )
    return store


def main(argv: list[str] | None = None) -> None:
    from conflictkg.graph.knowledge.reasoning import asserted_triples, materialize
    from conflictkg.graph.store import from_ox
    from conflictkg.ontology.owl import check_consistency, to_ntriples

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="1,10,40")
    parser.add_argument("--no-owlrl", action="store_true")
    parser.add_argument("--no-hermit", action="store_true")
    args = parser.parse_args(argv)

    print(f"{'copies':>6} {'asserted':>9} {'inferred':>9} {'reasonable s':>13} {'owlrl s':>9} {'owlrl/reasonable':>17} {'HermiT s':>9}")
    for k in (int(x) for x in args.copies.split(",")):
        store = scaled_store(k)
        triples = asserted_triples(store)
        start = time.perf_counter()
        result = materialize(store)
        ours = time.perf_counter() - start
        baseline = float("nan")
        if not args.no_owlrl:
            import owlrl

            g = rdflib.Graph()
            for t in triples:
                g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
            start = time.perf_counter()
            owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
            baseline = time.perf_counter() - start
        hermit = float("nan")
        if not args.no_hermit:
            hermit = check_consistency(to_ntriples([], triples)).seconds
        print(
            f"{k:>6} {result.asserted:>9} {result.inferred:>9} {ours:>13.3f} {baseline:>9.3f} "
            f"{baseline / ours:>17.1f} {hermit:>9.2f}"
        )


if __name__ == "__main__":
    main()
