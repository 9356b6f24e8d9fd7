"""Candidates measured against hand-made gold: precision and recall per kind (entities, quantities, claims, events)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from conflictkg.graph.reports.model import Extraction
from conflictkg.graph.reports.vocabulary import ontology
from conflictkg.ontology.vocab import CK

__all__ = ["Gold", "Score", "gold_from_json", "gold_from_trig", "predicted", "score"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass
class Gold:
    """What a report holds, in the form scoring compares (also the form of the predictions)."""

    entities: list[dict] = field(default_factory=list)  # iri?, label, aliases
    quantities: list[dict] = field(default_factory=list)  # value?, lower?, qualifier
    claims: list[dict] = field(default_factory=list)  # claimant (IRI, name or "unnamed:kind"), text
    events: list[dict] = field(default_factory=list)  # types, actor (IRI, name or None)
    report_date: str | None = None


@dataclass
class Score:
    """Matches, predictions and gold items of one kind."""

    matched: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


def _norm(s: str) -> str:
    s = s.lower().replace("\u2019", "'")
    s = re.sub(r"^(the|a|an)\s+", "", s.strip())
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def _unnamed(who: str) -> str | None:
    """``unnamed:analysts`` for ``agent/unnamed-analysts`` or "unnamed analysts"; ``author`` for the report's author."""
    w = who.lower()
    if w.startswith("unnamed:"):
        return w[len("unnamed:"):].rstrip("s")
    if "author" in w:
        return "author"
    m = re.search(r"unnamed[- ]([a-z]+)", w)
    if m:
        kind = m.group(1).rstrip("s")
        return "organisation" if kind in ("rights", "organisation") else kind
    return None


def gold_from_trig(path: str | Path) -> Gold:
    """The gold of the curated seed: its entities graph, quantities, claim graphs and events."""
    onto = ontology()
    subjects: dict[str, dict[str, list]] = {}
    graph_of: dict[str, set[str]] = {}
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        s = q.subject.value
        subjects.setdefault(s, {}).setdefault(q.predicate.value, []).append(q.object)
        graph_of.setdefault(s, set()).add("" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value)
    gold = Gold()
    for s, props in subjects.items():
        types = [t.value[len(str(CK)):] for t in props.get(_RDF_TYPE, []) if t.value.startswith(str(CK))]
        if not types:
            continue
        names = [o.value for o in props.get(_RDFS + "label", []) + props.get(_SKOS + "altLabel", [])]
        if any(onto.kind_of(t) == "entity" and not onto.is_a(t, "PersonGroup") for t in types):
            gold.entities.append({"iri": s, "label": names[0] if names else s, "aliases": names[1:]})
        elif "Quantity" in types:
            one = lambda p: float(props[p][0].value) if p in props else None  # noqa: E731
            gold.quantities.append({"value": one(str(CK.value)), "lower": one(str(CK.lowerBound)),
                                    "qualifier": props[str(CK.qualifier)][0].value[len(str(CK)):]})
        elif "Claim" in types:
            gold.claims.append({"claimant": props[str(CK.claimant)][0].value,
                                "text": props[str(CK.sourceText)][0].value})
        elif any(onto.kind_of(t) == "event" for t in types):
            actor = props.get(str(CK.actor), [None])[0]
            gold.events.append({"types": types, "actor": actor.value if actor else None})
    return gold


def gold_from_json(path: str | Path) -> Gold:
    """Hand-made gold for a report, as in ``tests/fixtures/reports/*.json``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Gold(data.get("entities", []), data.get("quantities", []), data.get("claims", []), data.get("events", []),
                data.get("report_date"))


def predicted(extraction: Extraction) -> Gold:
    """The candidates of an extraction in the form of :class:`Gold`."""
    onto = ontology()
    out = Gold()
    labels = {c.iri: c.label for c in extraction.candidates}
    for c in extraction.candidates:
        if c.kind == "entity":
            if c.types[0] in ("Agent", "Organization") or onto.is_a(c.types[0], "PersonGroup"):
                continue
            out.entities.append({"iri": c.iri, "label": c.label, "aliases": []})
        elif c.kind == "quantity":
            def one(p: str) -> float | None:
                vals = c.values(str(CK[p]))
                return float(vals[0][0]) if vals else None
            out.quantities.append({"value": one("value"), "lower": one("lowerBound"),
                                   "qualifier": c.values(str(CK.qualifier))[0].rsplit("#", 1)[-1]})
        elif c.kind == "claim":
            who = c.values(str(CK.claimant))[0]
            out.claims.append({"claimant": who, "claimant_label": labels.get(who, ""), "text": c.sentence})
        elif c.kind == "event":
            actor = c.values(str(CK.actor))
            out.events.append({"types": c.types, "actor": actor[0] if actor else None,
                               "actor_label": labels.get(actor[0], "") if actor else ""})
    return out


def _same_entity(p: dict, g: dict) -> bool:
    if g.get("iri") and p.get("iri") == g["iri"]:
        return True
    names = {_norm(n) for n in [g.get("label", "")] + g.get("aliases", [])}
    return _norm(p.get("label", "")) in names


def _same_quantity(p: dict, g: dict) -> bool:
    if p["qualifier"] != g["qualifier"]:
        return False
    for key in ("value", "lower"):
        if g.get(key) is not None and p.get(key) is not None and abs(p[key] - g[key]) <= 0.01 * max(1, abs(g[key])):
            return True
    return False


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"the", "a", "of", "and", "to", "in", "that", "is", "are"}


def _same_who(p_iri: str, p_label: str, g: str) -> bool:
    if p_iri == g:
        return True
    if _unnamed(g) or _unnamed(p_iri):
        return _unnamed(g) is not None and _unnamed(g) == _unnamed(p_iri)
    return bool(p_label) and _norm(p_label) == _norm(g)


def _same_claim(p: dict, g: dict, names: dict[str, set[str]]) -> bool:
    who = g["claimant"]
    if not (_same_who(p["claimant"], p.get("claimant_label", ""), who)
            or _norm(p.get("claimant_label", "")) in names.get(who, set())):
        return False
    a, b = _words(p["text"]), _words(g["text"])
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.5


def _same_event(p: dict, g: dict, names: dict[str, set[str]]) -> bool:
    onto = ontology()
    if not any(pt == gt or onto.is_a(pt, gt) or onto.is_a(gt, pt) for pt in p["types"] for gt in g["types"]):
        return False
    actor = g.get("actor")
    if actor is None or (actor.startswith("http") and actor not in names):
        return True
    if p.get("actor") == actor:
        return True
    return _norm(p.get("actor_label", "")) in names.get(actor, {_norm(actor)})


def _match(pred: list[dict], gold: list[dict], same) -> int:
    used: set[int] = set()
    matched = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(p, g):
                used.add(i)
                matched += 1
                break
    return matched


def score(pred: Gold, gold: Gold) -> dict[str, Score]:
    """Precision and recall of each kind, matching one prediction to at most one gold item.

    An entity matches by IRI or by name (label or alias); a quantity by qualifier and value (or lower
    bound); a claim by claimant and by the words it was read from (half of the shorter's words shared);
    an event by class (or a sub- or superclass) and its actor, where the gold names one.

    Examples
    --------
    >>> g = Gold(quantities=[{"value": 120.0, "lower": None, "qualifier": "Approximately"}])
    >>> p = Gold(quantities=[{"value": 120.0, "lower": None, "qualifier": "Exactly"}])
    >>> s = score(p, g)["quantity"]; (s.matched, s.precision, s.recall)
    (0, 0.0, 0.0)
    """
    names = {e["iri"]: {_norm(n) for n in [e.get("label", "")] + e.get("aliases", [])}
             for e in gold.entities if e.get("iri")}
    return {
        "entity": Score(_match(pred.entities, gold.entities, _same_entity), len(pred.entities), len(gold.entities)),
        "quantity": Score(_match(pred.quantities, gold.quantities, _same_quantity), len(pred.quantities),
                          len(gold.quantities)),
        "claim": Score(_match(pred.claims, gold.claims, lambda p, g: _same_claim(p, g, names)), len(pred.claims), len(gold.claims)),
        "event": Score(_match(pred.events, gold.events, lambda p, g: _same_event(p, g, names)), len(pred.events),
                       len(gold.events)),
    }
