from __future__ import annotations

import math

import networkx as nx
import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed import walk_balance_index

from .conftest import random_signed, triad


def test_unbalanced_triad_walk_index_matches_the_closed_form() -> None:
    # ++- is switching-equivalent to ---: spectrum {-2, 1, 1}; |A| is K3: {2, -1, -1}.
    expected = (math.exp(-2) + 2 * math.e) / (math.exp(2) + 2 * math.exp(-1))
    assert walk_balance_index(triad()) == pytest.approx(expected)


def test_balanced_graph_has_walk_index_one() -> None:
    assert walk_balance_index(triad(us_sdf=-1)) == pytest.approx(1.0)


def test_beta_weights_longer_walks() -> None:
    # at small beta short (balanced, length-2) walks dominate: closer to 1
    assert walk_balance_index(triad(), beta=0.1) > walk_balance_index(triad(), beta=1.0)


def test_sparse_estimate_is_close_to_the_exact_value() -> None:
    G = random_signed(400, 0.02, 5, negative=0.3)
    exact = walk_balance_index(G, method="dense")
    estimate = walk_balance_index(G, method="sparse", seed=1)
    assert estimate == pytest.approx(exact, rel=0.02)


def test_unknown_method_is_named() -> None:
    with pytest.raises(InputError, match="method"):
        walk_balance_index(triad(), method="magic")


def test_sparse_estimate_reports_a_standard_error_that_covers_the_exact_value() -> None:
    from conflictkg.graph.networks.signed import walk_balance_estimate

    G = random_signed(400, 0.02, 6, negative=0.3)
    exact, zero = walk_balance_estimate(G, method="dense")
    estimate, stderr = walk_balance_estimate(G, method="sparse", seed=2)
    assert zero == 0.0 and 0 < stderr < 0.05
    assert abs(estimate - exact) < 4 * stderr
