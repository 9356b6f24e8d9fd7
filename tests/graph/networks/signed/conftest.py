"""Signed graphs the measures are checked on: hand-made and seeded random (the published example is in tests/conftest.py)."""

from __future__ import annotations

import random

import networkx as nx


def triad(us_sdf: int = 1, us_turkey: int = 1, turkey_sdf: int = -1) -> nx.Graph:
    """US, Turkey and the SDF with the given signs."""
    G = nx.Graph()
    G.add_edge("US", "SDF", sign=us_sdf)
    G.add_edge("US", "Turkey", sign=us_turkey)
    G.add_edge("Turkey", "SDF", sign=turkey_sdf)
    return G


def random_signed(n: int, p: float, seed: int, negative: float = 0.4) -> nx.Graph:
    """A G(n, p) graph with each edge negative with probability ``negative``."""
    rng = random.Random(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for u, v in G.edges:
        G[u][v]["sign"] = -1 if rng.random() < negative else 1
    return G
