"""Reports in, claims out: a report becomes a pending graph of candidates that a person reviews.

``text`` reads and checks a report; ``vocabulary`` builds the patterns (the graph's own labels and
aliases, the ontology's event vocabulary, quantity qualifiers, attribution cues); ``extraction`` runs
spaCy over the text and yields candidates (:mod:`model`); ``pending`` writes them as one
``ck:PendingGraph``; ``review`` lists, shows, edits, accepts and rejects them; ``scoring`` measures
candidates against hand-made gold.

May import ``graph.store``, ``graph.errors`` and ``ontology``; never SPARQL serving, networks, loaders or ``api``.
"""

__all__: list[str] = []
