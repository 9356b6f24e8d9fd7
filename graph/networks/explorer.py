"""The actor network for a browser: Cytoscape.js elements with each edge's signs over time, capped and aggregated.

:class:`NetworkExplorer` answers the explorer's two questions: the network
(every edge with its *spells*: when it held which sign, on what basis, whether
only a claim carries it) over a date window or at one date, and one edge's
evidence. A spell's sign is the relationship active that day (the latest to
start wins), else the sign of the Goldstein score of the pair's events in the
rolling window (at least ``threshold`` either way); the breakdowns that
:func:`~conflictkg.graph.networks.alliances.find_breakdowns` finds come along
for the time track.

A small store is read whole with :func:`~conflictkg.graph.networks.ties.load_ties`.
A large one (more than :data:`DETAIL_LIMIT` event–actor links) is shown
aggregated: the :data:`AGGREGATE_ACTORS` actors with most events, the events
between them (actor → target) and their curated relationships; the answer
says so. Every answer is capped (``limit`` nodes, four times as many edges)
and says where it was cut. Ties are read once per store generation
(:attr:`~conflictkg.graph.store.FactStore.generation`) and kept.

Over 500 lines on purpose: one class (NetworkExplorer) and the helpers only it uses;
splitting it would scatter one reader's logic across modules.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from datetime import date, timedelta

import pyoxigraph as ox

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.alliances import dyad_timeline, find_breakdowns
from conflictkg.graph.networks.index import NetworkIndex, open_network_index
from conflictkg.graph.networks.reading import literal_date, most_specific  # the same day and kind rules as load_ties
from conflictkg.graph.networks.ties import (
    RELATIONSHIP_SIGNS,
    Tie,
    TieSet,
    deciding_relationship,
    keeping_index,
    load_ties,
    parse_date,
    parse_window,
)
from conflictkg.graph.networks.weights import event_weight
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import BASE, CK, META_GRAPH, PENDING_GRAPHS

__all__ = ["AGGREGATE_ACTORS", "DETAIL_LIMIT", "MAX_LIMIT", "NetworkExplorer"]

#: Above this many event–actor links the network is aggregated.
DETAIL_LIMIT = 5_000
#: The actors an aggregated network is read for (the most active).
AGGREGATE_ACTORS = 60
#: Most nodes one answer holds.
MAX_LIMIT = 500
DAY = timedelta(days=1)
_CK = str(CK)


def _href(iri: str) -> str | None:
    rest = iri[len(BASE):] if iri.startswith(BASE) else ""
    return "/" + rest if rest.startswith(("id/", "graph/")) else None


def _kinds_param(value: str | list[str] | None, parameter: str) -> set[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else value.split(",")
    out = {v.strip() for v in items if v.strip()}
    for v in out:
        if not v.replace("-", "").replace("_", "").isalnum() or len(v) > 80:
            raise InputError(f"{parameter}: {v[:40]!r} is not a kind name (e.g. Cooperation, ArmedGroup)", parameter=parameter)
    return out or None


class NetworkExplorer:
    """The explorer's view of one store (see the module notes).

    Parameters
    ----------
    store : FactStore
    detail_limit : int
        Event–actor links up to which the network is read whole.

    Examples
    --------
    >>> from conflictkg.graph.store import Store
    >>> store = Store()
    >>> store.update('''INSERT DATA { GRAPH <urn:g> { <urn:r> a ck:Cooperation ; ck:party <urn:a>, <urn:b> ;
    ...   ck:startDate "2017-01-01"^^xsd:date } }''')
    >>> net = NetworkExplorer(store).elements()
    >>> [(e["data"]["source"], e["data"]["target"], e["data"]["timeline"][0]["sign"]) for e in net["elements"]["edges"]]
    [('urn:a', 'urn:b', 1)]
    """

    def __init__(self, store: FactStore, *, detail_limit: int = DETAIL_LIMIT, use_index: bool = True) -> None:
        self.store = store
        self.detail_limit = detail_limit
        #: The aggregated view's counts and events (:mod:`~conflictkg.graph.networks.index`); ``None``: read by SPARQL.
        self.index = open_network_index(store) if use_index else None
        self._lock = threading.Lock()
        self._cache: dict[bool, tuple[int, TieSet, dict[str, object]]] = {}
        # The last answers, by their parameters: a front end asks the same few again and again.
        self._answers: OrderedDict[tuple, tuple[int, dict[str, object]]] = OrderedDict()

    # -- reading the ties, once per generation ------------------------------------

    def ties(self, *, include_claims: bool = False) -> tuple[TieSet, dict[str, object]]:
        """The ties the explorer shows and how they were read (``mode``: ``detail`` or ``aggregated``)."""
        with self._lock:
            gen = self.store.generation
            hit = self._cache.get(include_claims)
            if hit is not None and hit[0] == gen:
                return hit[1], hit[2]
            index = self.index
            links = index.event_links() if index is not None else _count(
                self.store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e ck:actor ?a } }")
            if links <= self.detail_limit:
                ties, how = load_ties(self.store, include_claims=include_claims), {"mode": "detail", "event_links": links}
                # what an unreviewed report extraction says is no tie (load_ties does not know pending graphs)
                pending = _pending_graphs(self.store)
                ties.ties = [t for t in ties.ties if not _in(ties.evidence.get(t.iri, {}).get("graph"), pending)]
            else:
                # kept beside the index until the next write, as load_ties keeps the whole network's ties:
                # a restarted server's first view of an unchanged store starts from them
                key = f"aggregated-claims{int(include_claims)}-actors{AGGREGATE_ACTORS}"
                keeper = keeping_index(self.store) if index is not None else None
                ties = keeper.kept(key) if keeper is not None else None
                if not isinstance(ties, TieSet):
                    ties = _aggregated_ties(self.store, include_claims=include_claims, actors=AGGREGATE_ACTORS, index=index)
                    if keeper is not None:
                        keeper.keep(key, ties)
                how = {"mode": "aggregated", "event_links": links, "actors_read": AGGREGATE_ACTORS,
                       "note": f"{links} event–actor links: showing the {AGGREGATE_ACTORS} actors with most events, "
                               "the events between them (actor to target) and their relationships"}
            claimants = {str(e["claimant"]) for e in ties.evidence.values() if e.get("type") == "claim" and e.get("claimant")}
            names = _labels(self.store, claimants)
            for e in ties.evidence.values():
                if e.get("type") == "claim" and e.get("claimant"):
                    e["claimant_label"] = names.get(str(e["claimant"])) or str(e["claimant"]).rsplit("/", 1)[-1]
            self._cache[include_claims] = (gen, ties, how)
            return ties, how

    def warm(self) -> None:
        """Read the ties (without claims) ahead of the first request; errors wait for that request to show."""
        try:
            self.elements()
        except Exception:  # noqa: BLE001 - the request that needs it reports the error properly
            pass

    # -- the network ------------------------------------------------------------------

    def elements(
        self,
        *,
        at: str | date | None = None,
        start: str | date | None = None,
        end: str | date | None = None,
        window: str | timedelta = "365d",
        threshold: float = 1.0,
        kinds: str | list[str] | None = None,
        actor_kinds: str | list[str] | None = None,
        include_claims: bool = False,
        focus: str | None = None,
        depth: int = 1,
        limit: int = 150,
    ) -> dict[str, object]:
        """The network as Cytoscape.js elements: every edge with its spells in the window, or its state at one date.

        Parameters
        ----------
        at : date or ISO text, optional
            Only what holds on this day (each edge keeps the one spell in force).
        start, end : date or ISO text, optional
            The window (default: the span of the data).
        window : "365d" or timedelta
            How long an event counts for its pair's score.
        threshold : float
            The score at which events alone make a pair cooperative or hostile.
        kinds : comma-separated text or list, optional
            Only ties of these kinds (``Cooperation``, ``Strain``, ``Accusation``, ``events`` …).
        actor_kinds : comma-separated text or list, optional
            Only actors of these kinds (``ArmedGroup``, ``Coalition``, ``State`` …).
        include_claims : bool
            Also ties that only claims carry (their spells say ``claim_only`` and whose claim).
        focus : IRI, optional
            Only this actor and the actors within ``depth`` ties of it.
        depth : int
            With ``focus``: 1 to 3.
        limit : int
            At most this many nodes (1 to :data:`MAX_LIMIT`), the most connected
            kept; at most four times as many edges, the heaviest kept.

        Returns
        -------
        dict
            ``elements`` (``nodes``: ``id``, ``label``, ``kind``, ``aliases``, ``href``,
            ``degree``; ``edges``: ``id``, ``source``, ``target``, ``kind``, ``weight``,
            ``timeline``: spells with ``sign``, ``start``, ``end``, ``basis``,
            ``kind``, ``relationship``, ``claim_only``, ``claimants``), ``span``
            (first and last day of the data, and ``horizon``: the last day plus the window,
            where open spans end), ``window_days``, ``breakdowns``
            (``date``, ``actors``, ``iris``), ``kinds`` and ``actor_kinds`` present,
            ``cap`` (``nodes``, ``edges``, ``total_nodes``, ``total_edges``,
            ``truncated``, ``by``) and ``read`` (``mode`` and why).

        Raises
        ------
        InputError
            A date, window, kind, depth or limit is bad (``parameter`` names it).
        """
        key = (at, start, end, window, threshold, kinds if not isinstance(kinds, list) else tuple(kinds),
               actor_kinds if not isinstance(actor_kinds, list) else tuple(actor_kinds), include_claims, focus, depth, limit)
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None and hit[0] == self.store.generation:
                self._answers.move_to_end(key)
                return hit[1]
        gen = self.store.generation
        answer = self._elements(at, start, end, window, threshold, kinds, actor_kinds, include_claims, focus, depth, limit)
        with self._lock:
            self._answers[key] = (gen, answer)
            while len(self._answers) > 32:
                self._answers.popitem(last=False)
        return answer

    def _elements(self, at, start, end, window, threshold, kinds, actor_kinds, include_claims, focus, depth, limit):  # type: ignore[no-untyped-def]
        at_d = parse_date(at, parameter="at")
        lo, hi = parse_date(start, parameter="start"), parse_date(end, parameter="end")
        span = parse_window(window)
        if lo and hi and lo > hi:
            raise InputError(f"start {lo} is after end {hi}", parameter="start")
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(f"limit: {limit} is not between 1 and {MAX_LIMIT}", parameter="limit")
        if not 1 <= depth <= 3:
            raise InputError(f"depth: {depth} is not between 1 and 3", parameter="depth")
        if threshold <= 0:
            raise InputError("threshold: give a positive score", parameter="threshold")
        wanted, wanted_actors = _kinds_param(kinds, "kinds"), _kinds_param(actor_kinds, "actor_kinds")
        ties, how = self.ties(include_claims=include_claims)
        first, last = ties.span()
        if focus is not None and focus not in ties.actors:
            raise InputError(f"focus: <{focus[:200]}> is not an actor of the network", parameter="focus")
        # open spans (an ongoing relationship, an event's score) run on for one window past the last date
        lo, hi = lo or first, hi or (last + span if last else None)  # type: ignore[operator]

        groups = {}
        for dyad, group in ties.by_dyad().items():
            group = [t for t in group if wanted is None or t.kind in wanted or ("events" in wanted and t.basis == "event")]
            if wanted_actors is not None and not all(ties.actors.get(x, {}).get("kind") in wanted_actors for x in dyad):
                continue
            if group:
                groups[dyad] = group

        edges, timelines = {}, {}
        claims = _claim_homes(ties)
        for (a, b), group in groups.items():
            timelines[(a, b)] = points = dyad_timeline(group, window=span, threshold=threshold)  # type: ignore[arg-type]
            spells = self._spells(ties, group, span, threshold, lo, hi, points=points, claims=claims)  # type: ignore[arg-type]
            if at_d is not None:
                spells = [s for s in spells if s["start"] <= at_d.isoformat() <= s["end"]]
            if spells:
                score = sum(abs(t.score) for t in group if t.basis == "event")
                decided = deciding_relationship([t for t in group if t.basis == "relationship"])
                edges[(a, b)] = {"id": f"{a}|{b}", "source": a, "target": b,
                                 "kind": decided.kind if decided else "events", "weight": round(score, 2) or 1.0,
                                 "timeline": spells, "events": sum(1 for t in group if t.basis == "event")}

        if focus is not None:
            near, frontier = {focus}, {focus}
            for _ in range(depth):
                frontier = {y for (a, b) in edges for x, y in ((a, b), (b, a)) if x in frontier} - near
                near |= frontier
            edges = {d: e for d, e in edges.items() if d[0] in near and d[1] in near}
        degree: dict[str, int] = defaultdict(int)
        for a, b in edges:
            degree[a] += 1
            degree[b] += 1
        total_nodes, total_edges = len(degree), len(edges)
        keep = sorted(degree, key=lambda n: (n != focus, -degree[n], str(ties.actors.get(n, {}).get("label", n))))[:limit]
        kept = set(keep)
        chosen = sorted((e for d, e in edges.items() if d[0] in kept and d[1] in kept), key=lambda e: (-e["weight"], e["id"]))
        edge_cap = 4 * limit
        nodes = [{"data": {"id": n, "label": ties.label(n), "kind": ties.actors.get(n, {}).get("kind", ""),
                           "aliases": list(ties.actors.get(n, {}).get("aliases", []))[:8], "href": _href(n), "degree": degree[n]}}
                 for n in keep]
        breakdowns = [
            {"date": b["date"], "actors": b["actors"], "iris": b["iris"]}
            for b in find_breakdowns(TieSet(ties.actors, [t for g in groups.values() for t in g], ties.evidence), window=span,
                                     threshold=threshold, timelines=timelines)
            if set(b["iris"]) <= kept and (lo is None or b["date"] >= lo.isoformat()) and (hi is None or b["date"] <= hi.isoformat())
        ]
        return {
            "format": "cytoscape.js elements",
            "at": at_d.isoformat() if at_d else None,
            "start": lo.isoformat() if lo else None,
            "end": hi.isoformat() if hi else None,
            "span": {"start": first.isoformat() if first else None, "end": last.isoformat() if last else None,
                     "horizon": hi.isoformat() if hi else None},
            "window_days": span.days,  # type: ignore[union-attr]
            "threshold": threshold,
            "include_claims": include_claims,
            "elements": {"nodes": nodes, "edges": [{"data": e} for e in chosen[:edge_cap]]},
            "breakdowns": breakdowns,
            "kinds": sorted({t.kind for t in ties.ties} | ({"events"} if any(t.basis == "event" for t in ties.ties) else set())),
            "actor_kinds": sorted({str(a.get("kind")) for a in ties.actors.values() if a.get("kind")}),
            "cap": {"nodes": limit, "edges": edge_cap, "total_nodes": total_nodes, "total_edges": total_edges,
                    "truncated": total_nodes > limit or len(chosen) > edge_cap,
                    "by": "the most connected actors (degree), then the heaviest edges"},
            "read": how,
        }

    def _spells(self, ties: TieSet, group: list[Tie], span: timedelta, threshold: float,
                lo: date | None, hi: date | None, *, points: list | None = None,
                claims: dict[str, str] | None = None) -> list[dict[str, object]]:
        """Maximal stretches of one sign, clipped to ``[lo, hi]`` (``points``: the pair's timeline, if known;
        ``claims``: the claim graphs among the evidence, if known)."""
        if points is None:
            points = dyad_timeline(group, window=span, threshold=threshold)
        if claims is None:
            claims = _claim_homes(ties)
        rels = [t for t in group if t.basis == "relationship"]
        if not points and rels and lo is not None:
            decided = deciding_relationship([t for t in rels if t.active(lo, hi)])
            points = []
            if decided is not None:
                from conflictkg.graph.networks.alliances import DyadPoint

                points = [DyadPoint(lo, 0.0, decided.sign, decided, ())]
        out: list[dict[str, object]] = []
        for i, p in enumerate(points):
            if p.relationship is not None:
                sign, basis, kind, rel = p.relationship.sign, "relationship", p.relationship.kind, p.relationship.iri
                carried = [p.relationship]
            elif p.score >= threshold or p.score <= -threshold:
                sign, basis, kind, rel = (1 if p.score > 0 else -1), "events", "events", None
                carried = list(p.events)
            else:
                continue
            s0 = p.time
            s1 = (points[i + 1].time - DAY) if i + 1 < len(points) else (hi or p.time)
            if hi is not None and s0 > hi or lo is not None and s1 < lo:
                continue
            s0, s1 = max(s0, lo) if lo else s0, min(s1, hi) if hi else s1
            if s1 < s0:
                continue
            # claims: each record kept in a claim graph → that graph (most records are in none)
            claim_graphs = [claims.get(t.iri) for t in carried] if claims else []
            claim_only = bool(carried) and bool(claims) and all(claim_graphs)
            claimants = sorted({str(ties.evidence[g].get("claimant_label") or ties.evidence[g].get("claimant"))
                                for g in claim_graphs if g}) if claim_only else []
            spell = {"sign": sign, "start": s0.isoformat(), "end": s1.isoformat(), "basis": basis, "kind": kind,
                     "relationship": rel, "score": round(p.score, 2), "claim_only": claim_only, "claimants": claimants}
            prev = out[-1] if out else None
            if prev and all(prev[k] == spell[k] for k in ("sign", "basis", "kind", "relationship", "claim_only")) \
                    and date.fromisoformat(str(prev["end"])) + DAY == s0:
                prev["end"] = spell["end"]
            else:
                out.append(spell)
        return out

    # -- one edge ---------------------------------------------------------------------

    def edge(self, a: str, b: str, *, at: str | date | None = None, window: str | timedelta = "365d",
             threshold: float = 1.0, include_claims: bool = False) -> dict[str, object]:
        """One pair's spells, each with its evidence: events and claims with their sources and claimants.

        Raises
        ------
        InputError
            If the two actors have no tie (``parameter`` ``b``), or a date or window is bad.
        """
        at_d = parse_date(at, parameter="at")
        span = parse_window(window)
        ties, how = self.ties(include_claims=include_claims)
        dyad = (a, b) if a <= b else (b, a)
        group = ties.by_dyad().get(dyad)
        if not group:
            raise InputError(f"<{a[:200]}> and <{b[:200]}> have no tie in the network", parameter="b")
        first, last = ties.span()
        spells = self._spells(ties, group, span, threshold, first, last + span if last else None)  # type: ignore[arg-type, operator]
        for spell in spells:
            day0, day1 = date.fromisoformat(str(spell["start"])), date.fromisoformat(str(spell["end"]))
            if spell["basis"] == "relationship":
                rel = next(t for t in group if t.iri == spell["relationship"])
                items = [ties.evidence.get(rel.iri, {"iri": rel.iri})] + [ties.evidence.get(e, {"iri": e, "type": "unknown"})
                                                                        for e in rel.evidence]
            else:
                items = [ties.evidence.get(t.iri, {"iri": t.iri}) for t in group
                         if t.basis == "event" and t.start and day0 - span < t.start <= day1]
            spell["evidence"] = [self._evidence(ties, dict(x)) for x in items[:200]]
            spell["evidence_total"] = len(items)
        if at_d is not None:
            spells = [s for s in spells if str(s["start"]) <= at_d.isoformat() <= str(s["end"])]
        labels = _labels(self.store, {str(e.get("claimant")) for s in spells for e in s["evidence"] if e.get("claimant")}  # type: ignore[union-attr]
                         | {str(e.get("source")) for s in spells for e in s["evidence"] if e.get("source")})  # type: ignore[union-attr]
        for s in spells:
            for e in s["evidence"]:  # type: ignore[union-attr]
                if e.get("claimant"):
                    e["claimant_label"] = labels.get(str(e["claimant"])) or str(e["claimant"]).rsplit("/", 1)[-1]
                if e.get("source") and not e.get("source_label"):
                    e["source_label"] = labels.get(str(e["source"]))
        return {"source": dyad[0], "target": dyad[1], "labels": [ties.label(dyad[0]), ties.label(dyad[1])],
                "at": at_d.isoformat() if at_d else None, "window_days": span.days, "timeline": spells, "read": how}  # type: ignore[union-attr]

    @staticmethod
    def _evidence(ties: TieSet, item: dict[str, object]) -> dict[str, object]:
        item["href"] = _href(str(item.get("iri", "")))
        home = item.get("graph")
        claim = ties.evidence.get(str(home), {}) if home else {}
        if item.get("type") == "claim":
            item["claim"] = True
        elif claim.get("type") == "claim":
            item["claim"] = True
            item["claimant"] = claim.get("claimant")
            item["attribution"] = claim.get("attribution")
        else:
            item["claim"] = False
        if item.get("attribution"):
            item["attribution_label"] = str(item["attribution"]).rsplit("#", 1)[-1]
        return item


def _claim_homes(ties: TieSet) -> dict[str, str]:
    """Each evidence record kept in a claim graph → that graph (an edge resting only on such records is a claim's)."""
    graphs = {g for g, e in ties.evidence.items() if e.get("type") == "claim"}
    if not graphs:
        return {}
    return {iri: str(e["graph"]) for iri, e in ties.evidence.items() if e.get("graph") and str(e["graph"]) in graphs}


def _pending_graphs(store: FactStore) -> set[str]:
    """The unreviewed graphs (``ck:PendingGraph``), from their metadata wherever it is kept."""
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH <{META_GRAPH}> {{ ?g a ck:PendingGraph }} }} "
                       f"UNION {{ ?g a ck:PendingGraph }} }}")
    return {row["g"].value for row in rows}  # type: ignore[union-attr]


def _in(graph: object, pending: set[str]) -> bool:
    return bool(graph) and (str(graph) in pending or str(graph).startswith(PENDING_GRAPHS))


def _count(store: FactStore, sparql: str) -> int:
    rows = list(store.query(sparql))  # type: ignore[arg-type]
    return int(rows[0]["n"].value) if rows else 0  # type: ignore[index]


def _labels(store: FactStore, iris: set[str]) -> dict[str, str]:
    iris = {i for i in iris if i.startswith(("http://", "https://", "urn:"))}
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    out: dict[str, str] = {}
    for row in store.query(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} {{ GRAPH ?g {{ ?x rdfs:label ?l }} "
                           f"FILTER(!STRSTARTS(STR(?g), \"{PENDING_GRAPHS}\")) }} UNION {{ ?x rdfs:label ?l }} }}"):  # type: ignore[union-attr]
        out.setdefault(row["x"].value, row["l"].value)
    return out


# -- the aggregated read of a large store -------------------------------------------------


def _aggregated_ties(store: FactStore, *, include_claims: bool, actors: int, index: NetworkIndex | None = None) -> TieSet:
    """The most active actors, the events between them and their relationships (see the module notes).

    With ``index`` the actors and their events come from it, else from SPARQL over every event: the same answer.
    """
    meta = {}
    for row in store.query(f"""SELECT ?g ?t ?claimant ?src WHERE {{
        {{ GRAPH <{META_GRAPH}> {{ ?g a ?t OPTIONAL {{ ?g ck:claimant ?claimant }} OPTIONAL {{ ?g prov:wasDerivedFrom ?src }} }} }}
        UNION {{ ?g a ?t OPTIONAL {{ ?g ck:claimant ?claimant }} OPTIONAL {{ ?g prov:wasDerivedFrom ?src }} }}
        VALUES ?t {{ ck:Claim ck:PendingGraph }} }}"""):  # type: ignore[union-attr]
        g = row["g"].value
        kind = "claim" if row["t"].value == str(CK.Claim) else "pending"
        if meta.get(g, {}).get("type") != "pending":
            meta[g] = {"iri": g, "type": kind, "claimant": row["claimant"].value if row["claimant"] else None,
                       "source": row["src"].value if row["src"] else None, "graph": g}
    hidden = {g for g, m in meta.items() if m["type"] == "pending" or (m["type"] == "claim" and not include_claims)}

    def shown(g: object) -> bool:
        iri = getattr(g, "value", "")
        return iri not in hidden and not iri.startswith(PENDING_GRAPHS) and not iri.startswith("urn:conflictkg:staging:")

    top = index.top_actors(actors) if index is not None else [row["a"].value for row in store.query(
        f"SELECT ?a (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?e ck:actor|ck:target ?a }} FILTER(isIRI(?a)) }} "
        f"GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT {actors}")]  # type: ignore[union-attr]
    rel_actors = {row["x"].value for row in store.query(
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?r ck:party|ck:fromActor|ck:toActor ?x } } LIMIT 2000")}  # type: ignore[union-attr]
    chosen = list(dict.fromkeys(top + sorted(rel_actors)))
    values = " ".join(f"<{a}>" for a in chosen)
    ties = TieSet()
    ties.evidence.update({g: m for g, m in meta.items() if m["type"] == "claim"})
    events: dict[str, dict[str, object]] = {}
    if index is not None:
        found = index.events_between(chosen)
    else:
        found = [(r["e"].value, r["a"].value, r["b"].value, r["d"].value, r["t"].value,  # type: ignore[union-attr]
                  r["code"].value if r["code"] else None, r["g"].value) for r in store.query(  # type: ignore[union-attr]
            f"""SELECT ?e ?a ?b ?d ?t ?code ?g WHERE {{ VALUES ?a {{ {values} }}
            GRAPH ?g {{ ?e ck:actor ?a ; ck:target ?b ; ck:date ?d ; a ?t OPTIONAL {{ ?e ck:cameoCode ?code }} }}
            VALUES ?b {{ {values} }} }}""")]
    hidden_iri = {g for g in {row[6] for row in found} if not shown(ox.NamedNode(g))}
    # sorted: an event's first solution (its pair, date, code, graph) never depends on the order a store answers in
    # (the index sorts them itself, in SQLite, in the same order)
    if index is None:
        found = sorted(found, key=lambda r: tuple("" if x is None else x for x in r))
    for e, a, b, d, t, code, g in found:
        if g in hidden_iri:
            continue
        item = events.setdefault(e, {"a": a, "b": b, "d": d, "types": set(), "code": code, "g": g})
        item["types"].add(t)  # type: ignore[union-attr]
    # Tens of thousands of events share a few type sets, codes and days: each is worked out once.
    typed: dict[tuple[object, frozenset[str]], tuple[tuple[float, str] | None, str]] = {}
    days: dict[str, date | None] = {}
    for e, item in events.items():
        a, b = str(item["a"]), str(item["b"])
        text = str(item["d"])[:10]
        if text not in days:
            days[text] = parse_date(text) if text[:4].isdigit() else None
        day = days[text]
        key = (item["code"], frozenset(item["types"]))  # type: ignore[arg-type]
        if key not in typed:
            kind = sorted(t.rsplit("#", 1)[-1] for t in key[1] if str(t).startswith(_CK))
            typed[key] = (event_weight(item["code"], item["types"]), kind[0] if kind else "Event")  # type: ignore[arg-type]
        weighed, name = typed[key]
        if weighed is None or weighed[0] == 0 or a == b or day is None:
            continue
        ties.ties.append(Tie(a, b, 1 if weighed[0] > 0 else -1, weighed[0], day, None, name, e, "event", (e,), weighed[1]))
        ties.evidence[e] = {"iri": e, "type": "event", "kind": name, "date": day.isoformat(), "graph": item["g"],
                            "goldstein": weighed[0]}
    rels: dict[str, dict[str, list[tuple[object, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in store.query(f"""SELECT ?r ?p ?o ?g WHERE {{
        {{ SELECT DISTINCT ?r WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g0 {{ ?r ck:party|ck:fromActor ?x }} }} }}
        GRAPH ?g {{ ?r ?p ?o FILTER(?p IN (rdf:type, ck:party, ck:fromActor, ck:toActor, ck:sign, ck:startDate, ck:endDate,
                                            ck:evidencedBy, rdfs:label)) }} }}"""):  # type: ignore[union-attr]
        if shown(row["g"]):
            rels[row["r"].value][row["p"].value].append((row["o"], row["g"].value))
    for rel, props in rels.items():
        types = sorted(o.value for o, _ in props.get(str(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type").value), []))
        kind = next((t for t in types if t in RELATIONSHIP_SIGNS), None)
        signs = {int(o.value) for o, _ in props.get(str(CK.sign), []) if o.value.lstrip("+-").isdigit()}
        sign = signs.pop() if len(signs) == 1 else (RELATIONSHIP_SIGNS.get(kind) if not signs and kind else None)  # type: ignore[arg-type]
        if sign not in (1, -1):
            continue
        parties = sorted({o.value for o, _ in props.get(str(CK.party), [])})
        pairs = [(parties[i], parties[j]) for i in range(len(parties)) for j in range(i + 1, len(parties))]
        if len(parties) < 2:
            froms, tos = [o.value for o, _ in props.get(str(CK.fromActor), [])], [o.value for o, _ in props.get(str(CK.toActor), [])]
            if len(froms) != 1 or len(tos) != 1 or froms == tos:
                continue
            pairs = [(froms[0], tos[0])]
        days = lambda p, pick: pick((d for o, _ in props.get(p, []) if (d := literal_date(o))), default=None)  # noqa: E731
        start, end = days(str(CK.startDate), min), days(str(CK.endDate), max)
        name = (kind or "ActorRelationship").rsplit("#", 1)[-1]
        evidence = tuple(sorted(o.value for o, _ in props.get(str(CK.evidencedBy), [])))
        home = next((g for p in (str(CK.party), str(CK.fromActor)) for _, g in props.get(p, [])), "")
        for a, b in pairs:
            ties.ties.append(Tie(a, b, sign, float(sign), start, end, name, rel, "relationship", evidence))
        label = next((o.value for o, _ in props.get("http://www.w3.org/2000/01/rdf-schema#label", [])), None)
        ties.evidence[rel] = {"iri": rel, "type": "relationship", "kind": name, "label": label, "graph": home,
                              "start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    wanted = {x for t in ties.ties for x in (t.a, t.b)}
    if wanted:

        supers: dict[str, set[str]] = defaultdict(set)
        for row in store.query("SELECT DISTINCT ?sub ?sup WHERE { GRAPH ?g { ?sub rdfs:subClassOf ?sup } }"):  # type: ignore[union-attr]
            if isinstance(row["sub"], ox.NamedNode) and isinstance(row["sup"], ox.NamedNode):
                supers[row["sub"].value].add(row["sup"].value)
        info: dict[str, dict[str, object]] = defaultdict(lambda: {"types": set(), "labels": [], "aliases": set()})
        values = " ".join(f"<{a}>" for a in sorted(wanted))
        # FILTER, not VALUES ?p: Oxigraph joins a VALUES after reading every ?s ?p ?o (2.7 s against 0.01 s on 50k rows)
        for row in store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o "
                               f"FILTER(?p IN (rdf:type, rdfs:label, skos:altLabel)) }} }}"):  # type: ignore[union-attr]
            if not shown(row["g"]):
                continue
            p, o = row["p"].value, row["o"]
            slot = info[row["s"].value]
            if p.endswith("#type") and isinstance(o, ox.NamedNode):
                slot["types"].add(o.value)  # type: ignore[union-attr]
            elif p.endswith("#label"):
                slot["labels"].append(o.value)  # type: ignore[union-attr]
            else:
                slot["aliases"].add(o.value)  # type: ignore[union-attr]
        for a in wanted:
            slot = info[a]
            kind = most_specific(slot["types"], supers)  # type: ignore[arg-type]
            labels = sorted(slot["labels"])  # type: ignore[arg-type]
            ties.actors[a] = {"label": labels[0] if labels else a.rsplit("/", 1)[-1],
                              "kind": kind.rsplit("#", 1)[-1] if kind else "", "aliases": sorted(slot["aliases"])}  # type: ignore[arg-type]
    return ties
