"""Entities one by one: what the store says of an IRI, its neighbourhood, and the search index of names.

- :mod:`~conflictkg.graph.entities.names` — IRIs as paths on this server, labels, kinds;
- :mod:`~conflictkg.graph.entities.search` — the full-text index of labels and aliases
  (SQLite FTS5), kept in step with the store through :meth:`FactStore.watch`;
- :mod:`~conflictkg.graph.entities.describe` — an entity's facts grouped by named graph,
  with each graph's source and claimant, its quantities, events and relationships;
- :mod:`~conflictkg.graph.entities.neighbourhood` — the actors and entities within N links.

May import the error vocabulary, the store, the networks wing (ties and their signs) and
the ontology; nothing imports it but ``api/``.
"""
