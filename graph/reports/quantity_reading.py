"""Quantities a report states: the number, what it counts, and its qualifiers."""

from __future__ import annotations

import re

from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.quantities import QUALIFIER_WORDS, VAGUE_WORDS, parse_stated
from conflictkg.graph.reports.reader import RDF_TYPE, RDFS, XSD, Reader, dec, lit
from conflictkg.graph.reports.text import slugify
from conflictkg.ontology.vocab import CK, ID


_PEOPLE = {"detainee", "prisoner", "inmate", "escapee", "fighter", "people", "person", "civilian", "family",
           "militant", "soldier", "refugee", "child", "woman", "man", "resident", "member", "troop", "suspect",
           "protester", "worker", "student", "hostage", "migrant", "officer", "policeman", "casualty", "victim"}
_DETAINED = {"detainee", "prisoner", "inmate", "escapee", "suspect", "fighter", "militant", "who"}
_DEATHS = {"kill", "die", "dead", "death", "fatality", "casualty", "body"}
_COUNTED_CLASSES = {"country": "Country", "facility": "DetentionFacility", "prison": "Prison", "jail": "Prison",
                    "camp": "DetentionCamp", "centre": "DetentionFacility", "center": "DetentionFacility"}
_COUNT_PROPERTY = {"Country": "numberOfCountries", "DetentionFacility": "numberOfFacilities",
                   "Prison": "numberOfFacilities", "DetentionCamp": "numberOfCamps"}


class QuantityReading(Reader):
    """Quantities a report states: the number, what it counts, and its qualifiers."""

    # -- quantities ---------------------------------------------------------------

    def number_spans(self, sent):
        taken: set[int] = set()
        for ent in sent.ents:
            if ent.label_ in ("CARDINAL", "PERCENT", "QUANTITY"):
                yield ent
                taken.update(t.i for t in ent)
        for tok in sent:
            if tok.i not in taken and tok.lower_ in VAGUE_WORDS and tok.ent_type_ not in ("DATE", "MONEY"):
                yield self.doc[tok.i:tok.i + 1]

    def read_quantities(self, sent, attributed, claims) -> None:
        doc = self.doc
        for span in self.number_spans(sent):
            start = span.start
            # the qualifier may sit just before the entity spaCy found
            for width in (3, 2, 1):
                before = doc[max(sent.start, start - width):start].text.lower()
                if before in QUALIFIER_WORDS and start - width >= sent.start:
                    start -= width
                    break
            end = span.end
            if end < sent.end and doc[end].lower_ in ("percent", "%") and "percent" not in span.text.lower():
                end += 1
            words = doc[start:end]
            text = words.text
            lower = text.lower()
            if "tens of" in doc[max(sent.start, start - 2):end].text.lower() and lower.startswith("thousands"):
                text = "tens of " + text
            stated = parse_stated(text)
            if stated is None:
                continue
            num = words[-1] if words[-1].lower_ not in ("percent", "%") else words[-2] if len(words) > 1 else words[-1]
            if stated.value is not None and stated.qualifier == "Exactly" and not stated.percent:
                if re.fullmatch(r"(1[89]|20)\d\d", num.text):
                    continue
                if num.lower_ == "one" and num.dep_ not in ("nummod",):
                    continue
                if start > sent.start and doc[start - 1].lower_ in ("the", "these", "those") and stated.value in self.seen_values:
                    continue
            if stated.value is not None:
                self.seen_values.add(stated.value)
            self.add_quantity(sent, words, stated, attributed, claims)

    def counted(self, words):
        num = words[-1]
        if num.lower_ in ("percent", "%"):
            return None
        for c in num.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                if obj is not None:
                    return obj
        if num.dep_ in ("nummod", "quantmod", "amod") and num.head.pos_ in ("NOUN", "PROPN"):
            return num.head
        head = num.head
        if num.dep_ in ("nummod", "quantmod") and head.pos_ == "NUM":
            return self.counted(self.doc[head.i:head.i + 1])
        return None

    def add_quantity(self, sent, words, stated, attributed, claims) -> None:
        noun = self.counted(words)
        num = words[-1]
        claim = self.claim_of(num, attributed, claims)
        noun_lemma = noun.lemma_.lower() if noun is not None else ""
        # the event the number belongs to: up the parse from the number or its noun
        event, trigger = None, None
        for t in [num, *num.ancestors]:
            if t.i in self.event_tokens:
                event, trigger = self.event_tokens[t.i], t
                break
        prop, subject, count_of = None, None, None
        escapes = [e for e in self.events if "DetaineeEscape" in e.types]
        if event is not None and "DetaineeEscape" in event.types and (not noun_lemma or noun_lemma in _DETAINED | _PEOPLE):
            prop, subject = "numberEscaped", event.iri
            count_of = event.values(str(CK.actor))[0] if event.values(str(CK.actor)) else None
        elif event is not None and "Recapture" in event.types and (not noun_lemma or noun_lemma in _DETAINED | _PEOPLE):
            # "81 have been recaptured" counts the recaptured; "racing to re-arrest dozens" the sought
            done = trigger.tag_ in ("VBN", "VBD") and trigger.dep_ not in ("xcomp",) and \
                not any(a.lemma_ in ("try", "race", "seek", "attempt", "hunt") for a in trigger.ancestors)
            prop, subject = ("numberRecaptured" if done else "numberSought"), event.iri
            count_of = event.values(str(CK.target))[0] if event.values(str(CK.target)) else (
                escapes[-1].values(str(CK.actor))[0] if escapes else None)
        elif noun_lemma in _DEATHS or any(t.lemma_ in ("kill", "die") for t in [num.head, *num.head.ancestors][:2]):
            prop, subject = "fatalities", event.iri if event else self.source
        elif stated.percent:
            prop, subject = "share", event.iri if event else self.source
        elif noun_lemma in _COUNTED_CLASSES:
            cls = _COUNTED_CLASSES[noun_lemma]
            prop, count_of = _COUNT_PROPERTY[cls], str(CK[cls])
            place = next((self.token_entity[t.i] for t in sent if self.is_place(self.token_entity.get(t.i))), None)
            subject = place or (event.iri if event else self.source)
        elif noun_lemma in ("abuse", "violation", "incident", "attack", "strike", "airstrike"):
            prop, subject = "numberOfAbuses" if noun_lemma in ("abuse", "violation") else "quantity", event.iri if event else self.source
        elif noun_lemma in _PEOPLE or (noun is not None and noun.ent_type_ == "" and noun.pos_ == "NOUN" and noun_lemma in _DETAINED):
            phrase = " ".join(t.text for t in noun.subtree if t.i >= noun.i and t.dep_ not in ("relcl",))[:60]
            if noun_lemma in _DETAINED and escapes and re.search(r"escap|fled|broke out|recaptur", sent.text, re.I):
                count_of = escapes[-1].values(str(CK.actor))[0]
                subject, prop = count_of, "memberCount"
            else:
                group = self.group(phrase, noun_lemma, sent, noun)
                subject, prop, count_of = group, "memberCount", group
        else:
            prop, subject = "quantity", event.iri if event else self.source
        np = words.text
        if noun is not None:
            np = self.doc[words.start:max(noun.i + 1, words.end)].text
        label = np if len(np) < 80 else words.text
        iri = self.mint("quantity", f"{self.report.slug} {label}")
        q = Candidate("quantity", iri, label, ["Quantity"], words.start_char, max(words.end_char, noun.idx + len(noun.text) if noun is not None else 0),
                      label, sent.text.strip(), claim=claim.iri if claim else None)
        q.add(RDF_TYPE, str(CK.Quantity))
        q.add(str(CK.qualifier), str(CK[stated.qualifier]))
        if stated.value is not None:
            q.add(str(CK.value), dec(stated.value))
        if stated.lower is not None:
            q.add(str(CK.lowerBound), dec(stated.lower))
        if stated.upper is not None:
            q.add(str(CK.upperBound), dec(stated.upper))
        if stated.percent:
            q.add(str(CK.unit), str(CK.Percent))
        q.add(str(CK.statedAs), lit(label))
        if count_of:
            q.add(str(CK.countOf), count_of)
        if re.search(r"\bas of\b", sent.text):
            q.add(str(CK.asOf), lit(self.report_date.isoformat(), XSD + "date"))
        q.extra.append((subject, str(CK[prop]), iri))
        self.quantities.append(q)

    def group(self, phrase: str, lemma: str, sent, noun) -> str:
        iri = str(ID[f"group/{slugify(phrase)}"])
        if iri not in self.index.candidates:
            cls = "Detainees" if lemma in ("detainee", "prisoner", "inmate", "suspect") else \
                "Civilians" if lemma in ("civilian", "resident") else "PersonGroup"
            group = Candidate("entity", iri, phrase, [cls], noun.idx, noun.idx + len(noun.text), noun.text,
                              sent.text.strip(), new=True)
            group.add(RDF_TYPE, str(CK[cls]))
            group.add(RDFS + "label", lit(phrase))
            self.index.candidates[iri] = group
        return iri
