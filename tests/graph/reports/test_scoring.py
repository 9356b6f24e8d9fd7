"""Scoring candidates against gold, checked on a tiny hand-made case."""

from __future__ import annotations

from conflictkg.graph.reports.scoring import Gold, score

GOLD = Gold(
    entities=[{"iri": "https://w3id.org/conflictkg/id/actor/isis", "label": "Islamic State", "aliases": ["ISIS"]},
              {"label": "Hasakah"}],
    quantities=[{"value": 120.0, "lower": None, "qualifier": "Approximately"},
                {"value": None, "lower": 24.0, "qualifier": "Dozens"}],
    claims=[{"claimant": "https://w3id.org/conflictkg/id/actor/isis", "text": "the group claimed the attack on the prison"},
            {"claimant": "unnamed:analysts", "text": "analysts warn the group is regrouping"}],
    events=[{"types": ["Attack"], "actor": "https://w3id.org/conflictkg/id/actor/isis"},
            {"types": ["Recapture"], "actor": None}],
)


def test_scores_count_each_kind_by_its_own_rule() -> None:
    pred = Gold(
        entities=[{"iri": "https://w3id.org/conflictkg/id/actor/isis", "label": "ISIS"},
                  {"iri": "https://w3id.org/conflictkg/id/place/hasakah", "label": "the Hasakah"},
                  {"iri": "https://w3id.org/conflictkg/id/place/britain", "label": "Britain"}],
        quantities=[{"value": 120.0, "lower": None, "qualifier": "Exactly"},  # qualifier wrong: no match
                    {"value": None, "lower": 24.0, "qualifier": "Dozens"}],
        claims=[{"claimant": "https://w3id.org/conflictkg/id/agent/unnamed-analysts", "claimant_label": "unnamed analysts",
                 "text": "Yet analysts warn that the group is regrouping in the desert."},
                {"claimant": "https://w3id.org/conflictkg/id/actor/sdf", "claimant_label": "SDF",
                 "text": "the group claimed the attack on the prison"}],  # wrong claimant
        events=[{"types": ["Attack"], "actor": "https://w3id.org/conflictkg/id/actor/isis"},
                {"types": ["Recapture"], "actor": "https://w3id.org/conflictkg/id/actor/sdf"},
                {"types": ["Recapture"], "actor": None}],
    )
    s = score(pred, GOLD)
    assert (s["entity"].matched, s["entity"].predicted, s["entity"].gold) == (2, 3, 2)
    assert (s["quantity"].matched, s["quantity"].precision, s["quantity"].recall) == (1, 0.5, 0.5)
    assert (s["claim"].matched, s["claim"].recall) == (1, 0.5)
    assert (s["event"].matched, round(s["event"].precision, 2), s["event"].recall) == (2, 0.67, 1.0)


def test_one_prediction_matches_at_most_one_gold_item() -> None:
    gold = Gold(quantities=[{"value": 5.0, "qualifier": "Exactly"}, {"value": 5.0, "qualifier": "Exactly"}])
    pred = Gold(quantities=[{"value": 5.0, "qualifier": "Exactly"}])
    s = score(pred, gold)["quantity"]
    assert (s.matched, s.precision, s.recall) == (1, 1.0, 0.5)
