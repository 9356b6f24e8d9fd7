from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.networks.alliances import breakdown_report, find_breakdowns
from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.ties import load_ties
from conflictkg.graph.store import Store
from conflictkg.ontology.vocab import ID

FIXTURE = Path(__file__).parents[2] / "fixtures" / "alliances.trig"
SEED = Path(__file__).parents[3] / "data" / "al-aqtaan.trig"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.load([FIXTURE])
    return s


def by_pair(breakdowns: list[dict]) -> dict[tuple[str, ...], dict]:
    return {tuple(sorted(b["actors"])): b for b in breakdowns}


def test_breakdown_found_when_cooperation_turns_to_accusation(store: Store) -> None:
    found = by_pair(find_breakdowns(load_ties(store)))
    b = found[("Syrian Democratic Forces", "United States")]
    assert b["date"] == "2026-01-10"
    assert b["before"]["relationship"]["kind"] == "Cooperation"
    assert b["after"]["relationship"]["kind"] == "Strain"
    assert (b["score_before"], b["score_after"]) == (7.4, -2.0)
    [coop] = b["before"]["evidence"]
    assert coop["iri"] == str(ID["event/joint-offensive"]) and coop["source"] == str(ID["source/fixture-report"])
    [accusation] = b["after"]["evidence"]
    assert accusation["kind"] == "Accusation" and accusation["goldstein"] == -2.0
    assert accusation["source_label"] == "Fixture report (made up)"
    assert accusation["claims"] == ["https://w3id.org/conflictkg/graph/fixture/claim/us-attacked-turkey"]


def test_event_only_breakdown_is_dated_by_the_first_lasting_clash(store: Store) -> None:
    b = by_pair(find_breakdowns(load_ties(store)))[("Group A", "Group B")]
    assert b["date"] == "2020-05-01" and b["after"]["relationship"] is None
    assert b["score_before"] > 0 > b["score_after"]
    assert [e["kind"] for e in b["after"]["evidence"]] == ["Battle"]


def test_a_dip_that_recovers_within_the_hold_is_not_a_breakdown(store: Store) -> None:
    # the 2019-08-01 accusation is answered by cooperation 19 days later
    dates = [b["date"] for b in find_breakdowns(load_ties(store)) if "Group A" in b["actors"]]
    assert dates == ["2020-05-01"]
    # with a hold shorter than the dip, the dip counts
    short = [b["date"] for b in find_breakdowns(load_ties(store), hold="10d") if "Group A" in b["actors"]]
    assert "2019-08-01" in short


def test_changepoint_method_finds_the_same_breakdowns(store: Store) -> None:
    ties = load_ties(store)
    assert [(b["actors"], b["date"]) for b in find_breakdowns(ties, method="changepoint")] == [
        (b["actors"], b["date"]) for b in find_breakdowns(ties)
    ]


def test_report_names_the_triad_that_turns_balanced_when_the_us_sdf_tie_breaks(store: Store) -> None:
    report = breakdown_report(store, window="90d")
    assert report["window_days"] == 90
    assert {
        "time": "2026-01-10",
        "triad": ["Syrian Democratic Forces", "Turkey", "United States"],
        "before": "unbalanced",
        "after": "balanced",
        "signs_before": "++-",
        "signs_after": "+--",
    } in report["triad_transitions"]


def test_unknown_method_is_named(store: Store) -> None:
    with pytest.raises(InputError, match="method"):
        find_breakdowns(load_ties(store), method="astrology")


@pytest.mark.skipif(not SEED.is_file(), reason="the seed graph is not in data/ yet")
def test_seed_breakdown_names_sdf_and_coalition_with_raqqa_before_and_the_accusation_after() -> None:
    from conflictkg.graph.knowledge.seed import build_seed

    s = Store()
    build_seed(s)
    b = by_pair(breakdown_report(s)["breakdowns"])[("Syrian Democratic Forces", "US-led coalition")]
    before = {e["iri"].rsplit("/", 1)[-1]: e for e in b["before"]["evidence"]}
    after = {e["iri"].rsplit("/", 1)[-1]: e for e in b["after"]["evidence"]}
    assert b["before"]["relationship"]["kind"] == "Cooperation"
    assert before["raqqa-campaign-2017"]["date"] == "2017-01-01"
    assert after["sdf-accuses-coalition"]["kind"] == "Accusation" and after["sdf-accuses-coalition"]["cameo"] == "112"
    assert after["collaboration-crumbled"]["type"] == "claim"
    assert b["score_before"] > 0 > b["score_after"]
    sources = {e["source_label"] for e in [*before.values(), *after.values()]}
    assert sources == {"Al-Aqtaan prison break report"}
