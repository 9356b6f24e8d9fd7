"""Attribution: who says a sentence's content, and how ("the SDF alleges", "reportedly", a quotation, "analysts warn")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from conflictkg.graph.reports.vocabulary import ATTRIBUTION_VERBS

__all__ = ["Attributed", "UNNAMED", "find_attributions"]

#: Common nouns that name a claimant without naming who: the agent IRI slug and label of each.
UNNAMED = {
    "analyst": ("unnamed-analysts", "unnamed analysts"), "expert": ("unnamed-experts", "unnamed experts"),
    "observer": ("unnamed-observers", "unnamed observers"), "official": ("unnamed-officials", "unnamed officials"),
    "source": ("unnamed-sources", "unnamed sources (the report does not say who)"),
    "witness": ("unnamed-witnesses", "unnamed witnesses"), "resident": ("unnamed-residents", "unnamed residents"),
    "activist": ("unnamed-activists", "unnamed activists"), "monitor": ("unnamed-monitors", "unnamed monitors"),
    "diplomat": ("unnamed-diplomats", "unnamed diplomats"), "critic": ("unnamed-critics", "unnamed critics"),
    "medic": ("unnamed-medics", "unnamed medics"), "doctor": ("unnamed-doctors", "unnamed doctors"),
    "survivor": ("unnamed-survivors", "unnamed survivors"), "report": ("unnamed-sources", "unnamed sources (the report does not say who)"),
}
_EPISTEMIC = {"certainly", "likely", "probably", "possibly", "surely", "wrongly", "undoubtedly", "inevitably",
              "arguably", "presumably"}
_MODALS = {"would", "could", "might", "may", "will", "must"}
_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
_DASH_SPEAKER = re.compile(r"[”\"]\s*[–—-]\s*([^\n.]+?)\s*$")


@dataclass
class Attributed:
    """One attributed stretch of a sentence: who (a token of the sentence, or an unnamed kind) and how."""

    attribution: str
    start: int
    end: int
    speaker: object | None = None  # a spaCy token inside the claimant's name (or a pronoun)
    speaker_text: str | None = None  # a name given only as text (the "– CENTCOM" of a quote)
    unnamed: str | None = None  # a key of UNNAMED, or "author"
    verb: object | None = None
    quote: str | None = None


def _subject(verb, hops: int = 3):
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if hops and verb.dep_ in ("xcomp", "conj", "advcl", "pcomp", "prep") and verb.head is not verb:
        return _subject(verb.head, hops - 1)
    return None


def _content(verb, sent) -> tuple[int, int]:
    """The words a reporting verb governs: its clausal complement, object and prepositions, else the rest."""
    # "…, officials said": a clausal complement may come before its verb
    parts = [c for c in verb.children if c.dep_ == "ccomp" or (
        c.dep_ in ("dobj", "xcomp", "prep", "advcl", "attr", "oprd") and c.i > verb.i)]
    if parts:
        start = min(p.left_edge.idx for p in parts)
        end = max(p.right_edge.idx + len(p.right_edge.text) for p in parts)
        return start, end
    return verb.idx + len(verb.text), sent.end_char


def find_attributions(sent) -> list[Attributed]:
    """The attributed stretches of one sentence (a spaCy ``Span``), most specific first.

    Cues, in order: a quotation with its speaker (``Quoted``); "according to X" (``Reported``); a
    reporting verb with its subject ("they allege" ``Alleged``, "has said" ``Stated``, "analysts warn");
    "reportedly" / "allegedly" with nobody named; a modal with an epistemic adverb in the report's own
    voice ("would almost certainly") as the author's assessment.
    """
    found: list[Attributed] = []
    text, base = sent.text, sent.start_char
    quote = _QUOTE.search(text)
    if quote:
        q_start, q_end = base + quote.start(1), base + quote.end(1)
        speaker = None
        for tok in sent:
            if tok.lemma_ in ATTRIBUTION_VERBS and not (q_start <= tok.idx < q_end):
                subj = _subject(tok)
                if subj is not None:
                    speaker = subj
                    break
        dash = _DASH_SPEAKER.search(text)
        if speaker is not None or dash:
            found.append(Attributed("Quoted", q_start, q_end, speaker=speaker,
                                    speaker_text=dash.group(1).strip() if dash and speaker is None else None,
                                    verb=None, quote=quote.group(1)))
            return found
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor(1).lower_ == "to":
            obj = next((c for c in tok.nbor(1).children if c.dep_ == "pobj"), None)
            if obj is not None:
                unnamed = obj.lemma_.lower() if obj.lemma_.lower() in UNNAMED and obj.ent_type_ == "" else None
                found.append(Attributed("Reported", sent.start_char, sent.end_char, speaker=obj, unnamed=unnamed))
                return found
    for tok in sent:
        if tok.lemma_ not in ATTRIBUTION_VERBS or tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "acl"):
            continue
        if any(c.dep_ == "neg" for c in tok.children):
            continue
        subj = _subject(tok)
        if subj is None:
            continue
        if subj.lower_ in ("we", "i", "you", "this", "that", "which", "who"):
            continue
        start, end = _content(tok, sent)
        if end - start < 8:
            continue
        attribution = ATTRIBUTION_VERBS[tok.lemma_]
        if subj.dep_ == "nsubjpass" or (subj.lower_ == "it" and tok.tag_ == "VBN"):
            found.append(Attributed("Reported", start, end, unnamed="source", verb=tok))
            continue
        lemma = subj.lemma_.lower()
        unnamed = lemma if lemma in UNNAMED and subj.ent_type_ == "" and subj.ent_iob_ == "O" else None
        found.append(Attributed(attribution, start, end, speaker=subj, unnamed=unnamed, verb=tok))
        break
    if found:
        return found
    lowers = {t.lower_ for t in sent}
    if "reportedly" in lowers:
        return [Attributed("Reported", sent.start_char, sent.end_char, unnamed="source")]
    if "allegedly" in lowers or "purportedly" in lowers:
        return [Attributed("Alleged", sent.start_char, sent.end_char, unnamed="source")]
    if lowers & _EPISTEMIC and (lowers & _MODALS or "wrongly" in lowers):
        return [Attributed("AuthorAssessment", sent.start_char, sent.end_char, unnamed="author")]
    return []
