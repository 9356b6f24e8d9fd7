"""Alliances over time: per-pair cooperation–conflict scores, breakdowns, and triads that flip."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from conflictkg.graph.errors import InputError
from conflictkg.graph.networks.series import Progress, sign_changes
from conflictkg.graph.networks.ties import Tie, TieSet, deciding_relationship as _decide, event_labels, load_ties, parse_window
from conflictkg.graph.networks.signed.triads import triad_transitions_from_changes
from conflictkg.graph.store import Store

__all__ = ["METHODS", "check_breakdown_options", "DyadPoint", "dyad_timeline", "dyad_scores", "find_breakdowns", "breakdown_report"]

DAY = timedelta(days=1)

METHODS = ("hysteresis", "changepoint")


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise InputError(f"method must be 'hysteresis' or 'changepoint', not {method!r}", parameter="method")


def check_breakdown_options(
    *, window: str | timedelta = "90d", hold: str | timedelta | None = None, threshold: float = 1.0, method: str = "hysteresis"
) -> None:
    """Refuse breakdown options that would fail later, before the store is read.

    Raises
    ------
    InputError
        Naming the parameter (``window``, ``hold``, ``threshold`` or ``method``).
    """
    parse_window(window)
    parse_window(hold, parameter="hold")
    _check_method(method)
    if not threshold > 0:
        raise InputError(f"threshold must be positive, not {threshold!r}", parameter="threshold")


@dataclass(frozen=True, slots=True)
class DyadPoint:
    """The state of a pair of actors from ``time`` until the next point.

    ``score`` is the sum of the Goldstein weights of the pair's events in the
    window ending at ``time``; ``state`` is +1 (cooperation), −1 (strain or
    hostility) or 0 (nothing known yet); ``relationship`` is the curated
    relationship that decided the state, if one did.
    """

    time: date
    score: float
    state: int
    relationship: Tie | None
    events: tuple[Tie, ...]


def dyad_timeline(group: list[Tie], *, window: timedelta, threshold: float = 1.0) -> list[DyadPoint]:
    """The states of one pair of actors, at every day on which something changes.

    A curated relationship active that day decides the state (the latest to
    start wins). Otherwise the rolling score does, with hysteresis: the
    state turns cooperative at ``score ≥ threshold``, hostile at
    ``score ≤ −threshold``, and otherwise stays as it was. Silence is
    neutral; it never turns a pair hostile.
    """
    events = sorted((t for t in group if t.basis == "event" and t.start), key=lambda t: t.start)  # type: ignore[arg-type, return-value]
    rels = [t for t in group if t.basis == "relationship"]
    days: set[date] = set()
    for t in events:
        days.update((t.start, t.start + window))  # type: ignore[operator]
    for t in rels:
        days.update(d for d in (t.start, t.end and t.end + DAY) if d)
    if rels and any(t.start is None for t in rels) and events:
        days.add(events[0].start)  # type: ignore[arg-type]
    points: list[DyadPoint] = []
    state = 0
    # events are sorted by day, so the window (day - window, day] is one slice of them, found by bisection
    starts, scores = [t.start for t in events], [t.score for t in events]
    for day in sorted(days):
        i, j = bisect_right(starts, day - window), bisect_right(starts, day)  # type: ignore[operator]
        inside = tuple(events[i:j])
        score = round(float(sum(scores[i:j])), 9)
        decided = _decide([t for t in rels if t.active(day, day)])
        if decided is not None:
            state = decided.sign
        elif score >= threshold:
            state = 1
        elif score <= -threshold:
            state = -1
        points.append(DyadPoint(day, score, state, decided, inside))
    return points


def dyad_scores(
    ties: TieSet, *, window: str | timedelta = "90d", threshold: float = 1.0
) -> dict[tuple[str, str], list[DyadPoint]]:
    """:func:`dyad_timeline` of every pair of actors."""
    span = parse_window(window)
    return {d: dyad_timeline(g, window=span, threshold=threshold) for d, g in ties.by_dyad().items()}  # type: ignore[arg-type]


def _evidence(ties: TieSet, iris: list[str], dyad_ties: list[Tie]) -> tuple[list[dict[str, object]], float]:
    weight: dict[str, float] = defaultdict(float)
    for t in dyad_ties:
        if t.basis == "event":
            weight[t.iri] += t.score
    out = []
    for iri in iris:
        item = dict(ties.evidence.get(iri, {"iri": iri, "type": "unknown"}))
        if item.get("type") == "event":
            item["goldstein"] = weight.get(iri) if iri in weight else None
        out.append(item)
    out.sort(key=lambda e: (str(e.get("date") or ""), str(e["iri"])))
    return out, float(sum(weight.get(i, 0.0) for i in iris))


def _side(ties: TieSet, point: DyadPoint, group: list[Tie]) -> dict[str, object]:
    rel = point.relationship
    if rel is not None:
        evidence, score = _evidence(ties, list(rel.evidence), group)
        return {"relationship": ties.evidence.get(rel.iri), "score": score, "evidence": evidence}
    evidence, score = _evidence(ties, sorted({t.iri for t in point.events}), group)
    return {"relationship": None, "score": point.score, "evidence": evidence}


def _hysteresis_breaks(points: list[DyadPoint], hold: timedelta) -> list[tuple[int, int]]:
    """(index of the cooperative point that peaks before, index of the break) for each held break."""
    found = []
    for i in range(1, len(points)):
        if points[i].state == -1 and points[i - 1].state == 1:
            recovery = next((p.time for p in points[i + 1 :] if p.state != -1), None)
            if recovery is not None and recovery - points[i].time < hold:
                continue  # a dip, not a breakdown
            j = i - 1
            while j > 0 and points[j - 1].state == 1:
                j -= 1
            spell = range(j, i)
            peak = max(spell, key=lambda k: (points[k].relationship is not None, points[k].score, k))
            found.append((peak, i))
    return found


def _daily_signal(points: list[DyadPoint], group: list[Tie], window: timedelta, threshold: float) -> tuple[date, np.ndarray]:
    """The pair's score on every day from its first point to its last (curated states as ±max(|score|, threshold))."""
    first, last = points[0].time, points[-1].time
    n = (last - first).days + 1
    daily = np.zeros(n)
    for t in group:
        if t.basis == "event" and t.start and first <= t.start <= last:
            daily[(t.start - first).days] += t.score
    csum = np.concatenate([[0.0], np.cumsum(daily)])
    idx = np.arange(n)
    rolling = csum[idx + 1] - csum[np.maximum(idx + 1 - window.days, 0)]
    signal = rolling.copy()
    for p, nxt in zip(points, points[1:] + [None]):
        if p.relationship is not None:
            lo = (p.time - first).days
            hi = n if nxt is None else (nxt.time - first).days
            signal[lo:hi] = p.relationship.sign * np.maximum(np.abs(rolling[lo:hi]), threshold)
    return first, signal


def _changepoint_breaks(
    points: list[DyadPoint], group: list[Tie], window: timedelta, threshold: float, hold: timedelta, penalty: float | None
) -> list[tuple[int, int]]:
    """Breaks where PELT (``ruptures``) finds a segment of mean ≥ threshold followed,
    after neutral segments only, by one of mean ≤ −threshold."""
    import ruptures

    if len(points) < 2:
        return []
    first, signal = _daily_signal(points, group, window, threshold)
    if len(signal) < 4 or signal.std() == 0:
        return []
    pen = penalty if penalty is not None else 2.0 * np.log(len(signal)) * float(signal.var())
    # PELT is quadratic in the worst case: search on a grid of at most ~400
    # candidate days, then move each break to the day the score really changed.
    jump = max(1, len(signal) // 400)
    ends = ruptures.Pelt(model="l2", min_size=max(2, jump), jump=jump).fit(signal.reshape(-1, 1)).predict(pen=pen)
    segments = list(zip([0] + ends[:-1], ends))
    found = []
    last_state: tuple[int, int] | None = None  # the last segment that was not neutral
    means = [signal[a:b].mean() for a, b in segments]
    for k, (b0, b1) in enumerate(segments):
        mean = means[k]
        if abs(mean) < threshold:
            continue  # silence between cooperation and hostility is neutral, not a break
        previous, last_state = last_state, (b0, b1)
        if previous is None or mean > -threshold:
            continue
        a0, a1 = previous
        # it holds while no later segment turns cooperative again
        back = next((segments[j][0] for j in range(k + 1, len(segments)) if means[j] >= threshold), len(signal))
        held = back - b0 >= hold.days or back == len(signal)
        if held and signal[a0:a1].mean() >= threshold:
            day = first + timedelta(days=b0)
            exact = [p.time for p in points if day - timedelta(days=jump) < p.time <= day + timedelta(days=jump)
                     and signal[(p.time - first).days] <= -threshold]
            day = exact[0] if exact else day
            # report against the points in force at the peak before and at the break
            at = max(i for i, p in enumerate(points) if p.time <= day)
            peak_day = first + timedelta(days=a0 + int(np.argmax(signal[a0:a1])))
            peak = max(i for i, p in enumerate(points) if p.time <= peak_day)
            found.append((peak, at))
    return found


def find_breakdowns(
    ties: TieSet,
    *,
    window: str | timedelta = "90d",
    threshold: float = 1.0,
    hold: str | timedelta | None = None,
    method: str = "hysteresis",
    penalty: float | None = None,
    progress: Progress | None = None,
    timelines: Mapping[tuple[str, str], list[DyadPoint]] | None = None,
) -> list[dict[str, object]]:
    """Pairs of actors whose cooperation turned to strain or hostility, and stayed so.

    Parameters
    ----------
    ties : TieSet
        From :func:`conflictkg.graph.networks.ties.load_ties`.
    window : "90d" or timedelta
        The rolling window of the event scores.
    threshold : float
        The score (Goldstein units) at which events alone make a pair
        cooperative or hostile.
    hold : "90d" or timedelta, optional
        How long the hostility must last (default: ``window``); one that
        lasts until the end of the data holds.
    method : {"hysteresis", "changepoint"}
        State changes with hysteresis (see :func:`dyad_timeline`), or change
        points of the daily score found by PELT (``ruptures``, L2 cost) with
        ``penalty`` (default ``2 · log(days) · variance``, BIC-like).
    progress : callable, optional
        ``progress("pairs", done, total)``, called every thousand pairs.
    timelines : mapping, optional
        Pair → its :func:`dyad_timeline` at this ``window`` and ``threshold``,
        where the caller has them already (the explorer draws them); the
        pairs not in it are computed.

    Returns
    -------
    list of dict
        One per breakdown, in time order: ``actors`` (labels), ``iris``,
        ``date``, ``score_before``, ``score_after``, ``before`` and ``after``
        (each with the deciding ``relationship``, its ``score`` and its
        ``evidence``: events and claims with their sources).

    Notes
    -----
    Where a curated relationship decides a side, its score is the sum of the
    Goldstein weights of its evidence events between the two actors; where
    events alone do, it is the rolling score (at its peak before, at the
    break after).

    References
    ----------
    .. [1] Goldstein, J. S. (1992). A Conflict-Cooperation Scale for WEIS
       Events Data. *Journal of Conflict Resolution* 36(2), 369–385.
    .. [2] Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal
       detection of changepoints with a linear computational cost.
       *JASA* 107(500), 1590–1598.
    """
    _check_method(method)
    span = parse_window(window)
    keep = parse_window(hold, parameter="hold") or span
    out = []
    pairs = sorted(ties.by_dyad().items())
    for k, ((a, b), group) in enumerate(pairs):
        if progress is not None and k % 1000 == 0:
            progress("pairs", k, len(pairs))
        points = timelines.get((a, b)) if timelines is not None else None
        if points is None:
            points = dyad_timeline(group, window=span, threshold=threshold)  # type: ignore[arg-type]
        breaks = (
            _hysteresis_breaks(points, keep)  # type: ignore[arg-type]
            if method == "hysteresis"
            else _changepoint_breaks(points, group, span, threshold, keep, penalty)  # type: ignore[arg-type]
        )
        for peak, i in breaks:
            before, after = _side(ties, points[peak], group), _side(ties, points[i], group)
            out.append(
                {
                    "actors": [ties.label(a), ties.label(b)],
                    "iris": [a, b],
                    "date": points[i].time.isoformat(),
                    "score_before": before["score"],
                    "score_after": after["score"],
                    "before": before,
                    "after": after,
                }
            )
    out.sort(key=lambda r: (r["date"], r["actors"]))
    return out


def breakdown_report(
    store: Store,
    *,
    window: str | timedelta = "90d",
    threshold: float = 1.0,
    hold: str | timedelta | None = None,
    method: str = "hysteresis",
    include_claims: bool = False,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Alliance breakdowns and triad transitions in the store's actor network.

    Every option is checked before the store is read. The ties are read
    once; the triad transitions come from the days each pair's sign changes
    (:func:`~conflictkg.graph.networks.series.sign_changes`), not from a
    network rebuilt for every day.

    Parameters
    ----------
    progress : callable, optional
        ``progress(stage, done, total)``, called now and then: ``total`` is
        ``None`` while unknown.

    Returns
    -------
    dict
        ``window`` (days), ``method``, ``breakdowns`` (see
        :func:`find_breakdowns`) and ``triad_transitions`` (triads of actor
        labels turning balanced or unbalanced, with the day, over snapshots
        on every day a tie starts or ends).

    Raises
    ------
    InputError
        If ``window``, ``hold``, ``threshold`` or ``method`` is not valid (``parameter`` names it).
    """
    check_breakdown_options(window=window, hold=hold, threshold=threshold, method=method)
    span = parse_window(window)
    keep = parse_window(hold, parameter="hold")
    say = progress or (lambda stage, done, total: None)
    say("reading ties", 0, None)
    ties = load_ties(store, include_claims=include_claims, labels=False)
    breakdowns = find_breakdowns(ties, window=span, threshold=threshold, hold=keep, method=method, progress=progress)  # type: ignore[arg-type]
    shown = {str(e["iri"]) for b in breakdowns for side in ("before", "after") for e in b[side]["evidence"]}  # type: ignore[index, union-attr]
    event_labels(store, ties, shown)
    for b in breakdowns:
        for side in ("before", "after"):
            for e in b[side]["evidence"]:  # type: ignore[index]
                e["label"] = ties.evidence.get(str(e["iri"]), {}).get("label", e.get("label"))
    first, initial, changes = sign_changes(ties, window=span)  # type: ignore[arg-type]

    def counted() -> Iterator[tuple[date, dict[tuple[str, str], int]]]:
        for k, change in enumerate(changes):
            if k % 100 == 0:
                say("triad transitions", k, len(changes))
            yield change
        say("triad transitions", len(changes), len(changes))

    transitions = list(triad_transitions_from_changes(initial, counted()))
    for t in transitions:
        t["time"] = t["time"].isoformat()  # type: ignore[union-attr]
        t["triad"] = [ties.label(x) for x in t["triad"]]  # type: ignore[union-attr]
    return {
        "window_days": span.days,  # type: ignore[union-attr]
        "method": method,
        "breakdowns": breakdowns,
        "triad_transitions": transitions,
    }
