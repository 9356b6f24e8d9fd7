"""Signed-graph analysis on networkx graphs: balance, triads, walks, frustration, blocks, centrality.

Every function takes an undirected :class:`networkx.Graph` whose edges carry
a ``+1``/``-1`` attribute (``sign=`` names it), the way signnet (Schoch
2023) does for igraph.
"""

from conflictkg.graph.networks.signed.balance import balanced_partition, clusters, is_balanced, is_clusterable
from conflictkg.graph.networks.signed.blocks import block_criterion, signed_blockmodel
from conflictkg.graph.networks.signed.centrality import bloc_brokerage, pn_index, signed_degree
from conflictkg.graph.networks.signed.frustration import Frustration, frustration_index, frustration_of_partition
from conflictkg.graph.networks.signed.report import balance_report, centrality_report
from conflictkg.graph.networks.signed.triads import (
    TRIANGLE_TYPES,
    signed_triangles,
    triad_transitions,
    triad_transitions_from_changes,
    triangle_census,
    triangle_index,
    unbalanced_triads,
)
from conflictkg.graph.networks.signed.walks import walk_balance_estimate, walk_balance_index

__all__ = [
    "TRIANGLE_TYPES",
    "Frustration",
    "balance_report",
    "centrality_report",
    "balanced_partition",
    "bloc_brokerage",
    "block_criterion",
    "clusters",
    "frustration_index",
    "frustration_of_partition",
    "is_balanced",
    "is_clusterable",
    "pn_index",
    "signed_blockmodel",
    "signed_degree",
    "signed_triangles",
    "triad_transitions",
    "triad_transitions_from_changes",
    "triangle_census",
    "triangle_index",
    "unbalanced_triads",
    "walk_balance_estimate",
    "walk_balance_index",
]
