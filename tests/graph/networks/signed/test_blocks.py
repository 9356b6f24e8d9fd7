from __future__ import annotations

import pytest

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.signed import block_criterion, frustration_index, signed_blockmodel

from .conftest import random_signed, triad


@pytest.mark.parametrize("seed", range(6))
def test_two_blocks_at_half_alpha_reach_half_the_frustration_index(seed: int) -> None:
    G = random_signed(9, 0.5, seed)
    exact = frustration_index(G)
    side = {v: 0 for v in exact.partition[0]} | {v: 1 for v in exact.partition[1]}
    assert block_criterion(G, side) == exact.frustration / 2
    _, found = signed_blockmodel(G, 2, seed=seed, restarts=30)
    assert found == exact.frustration / 2


def test_three_blocks_fit_three_mutual_enemies_perfectly() -> None:
    G = triad(us_sdf=-1, us_turkey=-1, turkey_sdf=-1)
    blocks, crit = signed_blockmodel(G, 3, seed=0)
    assert crit == 0.0 and len(set(blocks.values())) == 3
    assert signed_blockmodel(G, 2, seed=0)[1] == 0.5


def test_block_criterion_names_a_node_without_block() -> None:
    with pytest.raises(InputError, match="no block"):
        block_criterion(triad(), {"US": 0, "SDF": 1})
