"""Attributed claims: who said what, and the statement event that carries it."""

from __future__ import annotations

from conflictkg.graph.reports.claims import UNNAMED, Attributed
from conflictkg.graph.reports.entities import new_entity_class
from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.reader import RDF_TYPE, RDFS, Reader, lit
from conflictkg.graph.reports.text import slugify
from conflictkg.ontology.vocab import CK, GRAPH, ID


class ClaimReading(Reader):
    """Attributed claims: who said what, and the statement event that carries it.

    A claim is closed by a statement event, so this part calls ``new_event`` of :class:`EventReading`.
    """

    # -- claims -------------------------------------------------------------------

    def claimant(self, a: Attributed) -> tuple[str, str]:
        if a.unnamed == "author":
            iri = str(ID[f"agent/{self.report.slug}-author"])
            label = f"the author of {self.report.title or self.report.slug} (not named)"
        elif a.unnamed:
            slug, label = UNNAMED[a.unnamed]
            iri = str(ID[f"agent/{slug}"])
        else:
            iri = self.entity_in(a.speaker) if a.speaker is not None else None
            if iri is None and a.speaker_text:
                iri = self.index.lookup(a.speaker_text)
            if iri is None and a.speaker is not None and a.speaker.pos_ == "PROPN":
                iri = self.name_of_speaker(a.speaker)
            if iri is None:
                return "", ""
            return iri, self.label_of(iri)
        if iri not in self.index.candidates:
            agent = Candidate("entity", iri, label, ["Agent"], -1, -1, "", "", new=True)
            agent.add(RDF_TYPE, "http://www.w3.org/ns/prov#Agent")
            agent.add(RDFS + "label", lit(label))
            self.index.candidates[iri] = agent
        return iri, label

    def name_of_speaker(self, token) -> str | None:
        """A speaker the model did not see as a name ("Human Rights Watch warned"): its proper-noun phrase."""
        words = [t for t in token.subtree if t.pos_ == "PROPN" and (t is token or t.dep_ in ("compound", "flat"))]
        if not words or len(words) > 6:
            return None
        span = self.doc[words[0].i:token.i + 1]
        if any(t.pos_ != "PROPN" for t in span):
            return None
        cls = new_entity_class("PERSON" if len(span) in (2, 3) and not any(
            t.lower_ in ("watch", "international", "ministry", "army", "forces", "council", "agency", "office")
            for t in span) else "ORG", span.text)
        cand = self.index.mention(span, token.sent, iri=self.index.lookup(span.text), cls=cls, name=span.text)
        for t in span:
            self.token_entity[t.i] = cand.iri
        return cand.iri

    def claim(self, sent, a: Attributed) -> Candidate | None:
        who, who_label = self.claimant(a)
        if not who:
            return None
        words = self.doc.text[a.start:a.end].strip()
        iri = str(GRAPH[f"reports/{self.report.slug}/claim/{slugify(who.rsplit('/', 1)[-1] + ' ' + ' '.join(words.split()[:6]))}"])
        while iri in self.minted:
            iri += "-2"
        self.minted.add(iri)
        text = a.quote if a.quote else sent.text.strip()
        label = f"{who_label}: {' '.join(words.split()[:14])}{'…' if len(words.split()) > 14 else ''}"
        cand = Candidate("claim", iri, label, ["Claim"], a.start, a.end, words, sent.text.strip())
        cand.add(RDFS + "label", lit(label))
        cand.add(str(CK.claimant), who)
        cand.add(str(CK.attribution), str(CK[a.attribution]))
        cand.add(str(CK.sourceText), lit(text))
        self.claims.append(cand)
        return cand

    def finish_claim(self, sent, claim: Candidate | None, a: Attributed) -> None:
        if claim is None:
            return
        inside = [c for c in self.events + self.quantities if c.claim == claim.iri]
        if not inside:
            # Nothing structured was read: the words are kept as an assessment of what they are about.
            about = None
            for t in sent:
                if a.start <= t.idx < a.end and t.i in self.token_entity and self.token_entity[t.i] != claim.values(str(CK.claimant))[0]:
                    about = self.token_entity[t.i]
                    break
            about = about or claim.values(str(CK.claimant))[0]
            claim.extra.append((about, str(CK.assessment), lit(claim.mention)))
        who = claim.values(str(CK.claimant))[0]
        if self.is_actor(who) and (a.verb is not None or a.quote):
            cls = "Statement"
            if a.verb is not None:
                cls = "Accusation" if a.verb.lemma_ in ("allege", "accuse", "blame", "charge") else "Statement"
                if a.verb.lemma_ in ("deride", "criticize", "criticise", "condemn", "denounce"):
                    cls = "Criticism"
            target = None
            if a.verb is not None:
                for c in a.verb.children:
                    if c.dep_ in ("dobj", "dative") and self.is_actor(self.entity_in(c)):
                        target = self.entity_in(c)
            anchor = a.verb if a.verb is not None else sent[0]
            place = self.nearest_place(anchor.i)
            event = self.new_event(sent, [cls], self.doc[a.verb.i:a.verb.i + 1] if a.verb is not None else sent,
                                   actor=who, target=target, place=place, claim=None)
            event.add(str(CK.claimContent), claim.iri)
            if a.quote:
                event.add(str(CK.quote), lit(a.quote))
