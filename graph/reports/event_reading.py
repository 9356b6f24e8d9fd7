"""Events a report tells of: their class, actor, target, participant, place and date."""

from __future__ import annotations

import re

from conflictkg.graph.reports.dates import resolve_date
from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.reader import RDF_TYPE, RDFS, XSD, Reader, lit
from conflictkg.graph.reports.text import slugify
from conflictkg.ontology.vocab import CK, ID


_SPEECH = {"Statement", "Accusation", "Criticism"}
_PLACE_PREPS = {"in", "at", "into", "from", "across", "near", "inside", "outside", "within", "throughout", "around",
                "of", "on", "over", "toward", "towards", "through"}
_HYPOTHETICAL = {"would", "could", "might", "may", "should"}


class EventReading(Reader):
    """Events a report tells of: their class, actor, target, participant, place and date."""

    # -- events -------------------------------------------------------------------

    def read_events(self, sent, attributed, claims) -> None:
        found: list[tuple[object, list[str]]] = []
        for start, end, cls in sorted(self.triggers.get(sent.start, [])):
            if cls in _SPEECH:
                continue
            tok = self.doc[end - 1]
            if tok.dep_ in ("amod", "acomp") or tok.ent_type_ in ("DATE", "TIME") or tok.i in self.token_entity:
                continue
            if tok.pos_ not in ("VERB", "NOUN") and not (cls == "MilitaryCooperation" and tok.pos_ == "ADP"):
                continue
            if self.hypothetical(tok):
                continue
            merged = any(cls in classes and abs(other.i - tok.i) <= 8 for other, classes in found)
            for other, classes in ([] if merged else found):
                if any(self.onto.disjoint_with(cls, c) for c in classes):
                    continue  # an attack and the escape it lets happen are two events
                if other in tok.ancestors or tok in other.ancestors and abs(other.i - tok.i) <= 6:
                    if cls not in classes:
                        classes.append(cls)
                    merged = True
                    break
            if not merged:
                found.append((tok, [cls]))
        for tok, classes in found:
            claim = self.claim_of(tok, attributed, claims)
            speaker = claim.values(str(CK.claimant))[0] if claim is not None else None
            actor, target, participant, place = self.arguments(tok, classes, speaker if self.is_actor(speaker) else None)
            self.add_event(sent, tok, classes, actor, target, participant, place, claim)

    def hypothetical(self, tok) -> bool:
        for t in [tok, *list(tok.ancestors)[:3]]:
            for c in t.children:
                if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"):
                    return True
                if c.dep_ == "aux" and c.lower_ in _HYPOTHETICAL:
                    return True
                if c.dep_ == "neg":
                    return True
            if t.pos_ == "VERB" and t is not tok:
                break
        return False

    def arguments(self, tok, classes, speaker=None):
        verb = tok
        hops = 0
        while verb.pos_ not in ("VERB", "AUX") and verb.head is not verb and hops < 3:
            verb, hops = verb.head, hops + 1
        actor = target = participant = place = None
        def take(token):
            return self.entity_in(token, speaker)
        if tok.pos_ == "NOUN":
            for c in tok.children:
                if c.dep_ == "poss":
                    actor = take(c)
                if c.dep_ == "prep":
                    for obj in (o for o in c.children if o.dep_ == "pobj"):
                        iri = take(obj)
                        if c.lower_ in ("against", "on") and self.is_actor(iri):
                            target = iri
                        elif c.lower_ in ("with", "alongside") and self.is_actor(iri):
                            participant = iri
                        elif c.lower_ in ("for", "of") and self.is_actor(iri):
                            target = target or iri
                        elif c.lower_ in _PLACE_PREPS and self.is_place(iri):
                            place = place or iri
        subj = None
        v = verb
        for _ in range(4):
            subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "agent")), None)
            if subj is not None or v.head is v or v.dep_ not in ("xcomp", "conj", "advcl", "ccomp", "relcl", "acl"):
                break
            v = v.head
        if subj is not None:
            if subj.dep_ == "agent":
                subj = next((o for o in subj.children if o.dep_ == "pobj"), subj)
            iri = take(subj)
            if subj.dep_ == "nsubjpass" or v.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in v.children):
                if self.is_actor(iri):
                    target = target or iri
                agent = next((c for c in v.children if c.dep_ == "agent"), None)
                if agent is not None:
                    obj = next((o for o in agent.children if o.dep_ == "pobj"), None)
                    if obj is not None and self.is_actor(take(obj)):
                        actor = actor or take(obj)
            elif self.is_actor(iri):
                actor = actor or iri
            elif self.is_place(iri):
                place = place or iri
        for c in verb.children:
            if c.dep_ in ("dobj", "attr"):
                iri = take(c)
                if self.is_place(iri):
                    place = place or iri
                elif self.is_actor(iri) and iri != actor:
                    target = target or iri
                for p in (p for p in c.children if p.dep_ == "prep"):
                    for obj in (o for o in p.children if o.dep_ == "pobj"):
                        if self.is_place(take(obj)) and p.lower_ in _PLACE_PREPS:
                            place = place or take(obj)
            if c.dep_ == "prep":
                for obj in (o for o in c.children if o.dep_ == "pobj"):
                    iri = take(obj)
                    if c.lower_ in ("against", "on") and self.is_actor(iri):
                        target = target or iri
                    elif c.lower_ in ("with", "alongside") and self.is_actor(iri) and iri != actor:
                        participant = participant or iri
                    elif c.lower_ in _PLACE_PREPS and self.is_place(iri):
                        place = place or iri
                    elif c.lower_ in ("from",) and self.is_actor(iri):
                        target = target or iri
        if tok.pos_ == "ADP":  # "alongside X"
            obj = next((o for o in tok.children if o.dep_ == "pobj"), None)
            if obj is not None and self.is_actor(take(obj)):
                participant = take(obj)
        if place is None:
            for t in tok.sent:
                iri = self.token_entity.get(t.i)
                if self.is_place(iri):
                    place = iri
                    break
        if place is None:
            # where the report does not say, the place it last named (as the seed's curator did)
            place = self.nearest_place(tok.i)
        if target == actor:
            target = None
        return actor, target, participant, place

    def escape_group(self, place: str | None) -> str:
        """The group of detainees who escaped from a facility (minted once per facility)."""
        where = self.label_of(place) if place else "a detention facility"
        iri = str(ID[f"group/{slugify(where)}-escapees"])
        if iri not in self.index.candidates:
            label = f"detainees who escaped from {where}"
            group = Candidate("entity", iri, label, ["Detainees"], -1, -1, "", "", new=True)
            group.add(RDF_TYPE, str(CK.Detainees))
            group.add(RDFS + "label", lit(label))
            self.index.candidates[iri] = group
        return iri

    def add_event(self, sent, tok, classes, actor, target, participant, place, claim) -> None:
        primary = classes[0]
        if "DetaineeEscape" in classes:
            primary = "DetaineeEscape"
            facility = place if place and self.onto.is_a(self.index.cls(place), "Facility") else None
            earlier = [e for e in self.events if "DetaineeEscape" in e.types and e.values(str(CK.place))]
            if facility is None and earlier:
                facility = earlier[-1].values(str(CK.place))[0]
                place = place or facility
            if facility is None:
                # detainees escape from a facility: the last one the report named before
                facility = next((self.token_entity[i] for i in range(tok.i, -1, -1) if i in self.token_entity
                                 and self.onto.is_a(self.index.cls(self.token_entity[i]), "Facility")), None)
                place = place or facility
            group = self.escape_group(facility or place)
            actor = actor if self.is_actor(actor) and self.index.cls(actor) in ("Detainees", "PersonGroup") else group
        if primary == "Recapture" and target is None:
            escapes = [e for e in self.events if "DetaineeEscape" in e.types]
            if escapes:
                target = escapes[-1].values(str(CK.actor))[0] if escapes[-1].values(str(CK.actor)) else None
        # "the attacks", "this prison break": a definite noun names an event already read
        if tok.pos_ == "NOUN" and any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an", "another")
                                      for c in tok.children):
            earlier = [e for e in self.events if primary in e.types]
            if earlier:
                self.event_tokens[tok.i] = earlier[-1]
                return
        # A later mention of the same event adds to the first one.
        for event in self.events:
            if primary not in event.types or event.claim != (claim.iri if claim else None):
                continue
            if any(self.onto.disjoint_with(c, t) for c in classes for t in event.types):
                continue
            if self.compatible(event, actor, target, place) and (
                    tok.pos_ == "NOUN" or self.close(event, sent) or primary == "DetaineeEscape"):
                for cls in classes:
                    if cls not in event.types:
                        event.types.append(cls)
                        event.add(RDF_TYPE, str(CK[cls]))
                self.fill(event, actor, target, participant, place)
                self.event_tokens[tok.i] = event
                return
        ordered = [primary] + [c for c in classes if c != primary]
        event = self.new_event(sent, ordered, self.doc[tok.i:tok.i + 1], actor=actor, target=target,
                               participant=participant, place=place, claim=claim)
        self.event_tokens[tok.i] = event

    def close(self, event: Candidate, sent) -> bool:
        here = self.sent_index.get(sent.start, 0)
        first = next((n for s_start, n in self.sent_index.items() if self.doc[s_start].idx <= event.start), 0)
        return here - first <= 2

    def compatible(self, event: Candidate, actor, target, place) -> bool:
        for prop, value in ((CK.actor, actor), (CK.target, target), (CK.place, place)):
            have = event.values(str(prop))
            if value and have and value not in have:
                if prop == CK.place and (self.onto.is_a(self.index.cls(have[0]), "Facility") or
                                         self.onto.is_a(self.index.cls(value), "Country")):
                    continue
                return False
        return True

    def fill(self, event: Candidate, actor, target, participant, place) -> None:
        for prop, value in ((CK.actor, actor), (CK.target, target), (CK.participant, participant), (CK.place, place)):
            if value and not event.values(str(prop)):
                event.add(str(prop), value)

    def new_event(self, sent, classes, span, *, actor=None, target=None, participant=None, place=None,
                  claim=None) -> Candidate:
        primary = classes[0]
        words = [self.onto.labels.get(primary, [primary])[0]]
        if actor:
            words.append(f"by {self.label_of(actor)}")
        if target:
            words.append(f"against {self.label_of(target)}")
        if place and primary not in _SPEECH:
            words.append(f"at {self.label_of(place)}")
        label = " ".join(words)
        iri = self.mint("event", label)
        event = Candidate("event", iri, label, list(classes), span.start_char, span.end_char, span.text,
                          sent.text.strip(), claim=claim.iri if claim else None)
        for cls in classes:
            event.add(RDF_TYPE, str(CK[cls]))
        event.add(RDFS + "label", lit(label))
        self.fill(event, actor, target, participant, place)
        when = None
        for ent in sent.ents:
            if ent.label_ in ("DATE", "TIME"):
                when = resolve_date(ent.text, self.report_date)
                if when:
                    stated = ent.text
                    break
        if when is None:
            when = resolve_date(sent.text, self.report_date) if re.search(
                r"\b(recent(ly)?|now|currently|this writing|ongoing)\b", sent.text, re.I) else None
            stated = re.search(r"\b(recent(ly)?|now|currently|as of this writing|ongoing)\b", sent.text, re.I)
            stated = stated.group(0) if stated else None
        if when is None:
            when, stated = (self.report_date, "Approximate", True), None
            event.add(str(CK.sourceNote), lit("The report does not date it: dated to the report (approximate)."))
        day, precision, resolved = when
        event.add(str(CK.date), lit(day.isoformat(), XSD + "date"))
        event.add(str(CK.datePrecision), str(CK[precision]))
        if resolved and stated:
            event.add(str(CK.dateStatedAs), lit(stated))
            event.add(str(CK.sourceNote), lit(f"'{stated}', resolved against the report's date {self.report_date.isoformat()}."))
        self.events.append(event)
        return event
