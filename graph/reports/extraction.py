"""A report's text into candidates: entities, events, quantities with qualifiers, and attributed claims."""

from __future__ import annotations

import re
import time
from datetime import date

from conflictkg.graph.reports import pipeline
from conflictkg.graph.reports.claims import UNNAMED, Attributed, find_attributions
from conflictkg.graph.reports.dates import resolve_date
from conflictkg.graph.reports.entities import EntityIndex, new_entity_class
from conflictkg.graph.reports.model import Candidate, Extraction
from conflictkg.graph.reports.quantities import QUALIFIER_WORDS, VAGUE_WORDS, parse_stated
from conflictkg.graph.reports.text import Report, slugify
from conflictkg.graph.reports.vocabulary import known_entities, ontology
from conflictkg.graph.store import FactStore
from conflictkg.ontology.vocab import CK, GRAPH, ID

__all__ = ["extract"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SPEECH = {"Statement", "Accusation", "Criticism"}
_PEOPLE = {"detainee", "prisoner", "inmate", "escapee", "fighter", "people", "person", "civilian", "family",
           "militant", "soldier", "refugee", "child", "woman", "man", "resident", "member", "troop", "suspect",
           "protester", "worker", "student", "hostage", "migrant", "officer", "policeman", "casualty", "victim"}
_DETAINED = {"detainee", "prisoner", "inmate", "escapee", "suspect", "fighter", "militant", "who"}
_DEATHS = {"kill", "die", "dead", "death", "fatality", "casualty", "body"}
_COUNTED_CLASSES = {"country": "Country", "facility": "DetentionFacility", "prison": "Prison", "jail": "Prison",
                    "camp": "DetentionCamp", "centre": "DetentionFacility", "center": "DetentionFacility"}
_COUNT_PROPERTY = {"Country": "numberOfCountries", "DetentionFacility": "numberOfFacilities",
                   "Prison": "numberOfFacilities", "DetentionCamp": "numberOfCamps"}
_PLACE_PREPS = {"in", "at", "into", "from", "across", "near", "inside", "outside", "within", "throughout", "around",
                "of", "on", "over", "toward", "towards", "through"}
_ACTOR_HEADS = {"force", "forces", "militia", "coalition", "army", "rebel", "militant", "troop", "regime", "government",
                "police", "fighter", "guerrilla", "paramilitary", "authority", "authorities", "gang"}
_PRONOUNS = {"they", "it", "he", "she", "them", "their", "its", "his", "her"}
_HYPOTHETICAL = {"would", "could", "might", "may", "should"}


def _lit(value: object, datatype: str | None = None) -> tuple[str, str | None, None]:
    return (str(value), datatype, None)


def _dec(x: float) -> tuple[str, str, None]:
    return (repr(float(x)), _XSD + "decimal", None)


class _Reader:
    """Reads one parsed report; holds what later sentences refer back to (the last subject, the escape)."""

    def __init__(self, report: Report, doc, matcher, index: EntityIndex, report_date: date) -> None:
        self.report, self.doc, self.index, self.report_date = report, doc, index, report_date
        self.onto = ontology()
        self.token_entity: dict[int, str] = {}
        self.events: list[Candidate] = []
        self.event_tokens: dict[int, Candidate] = {}
        self.quantities: list[Candidate] = []
        self.claims: list[Candidate] = []
        self.recent_actors: list[tuple[int, str]] = []
        self.seen_values: set[float] = set()
        self.minted: set[str] = set()
        self.sent_index = {s.start: n for n, s in enumerate(doc.sents)}
        self.triggers: dict[int, list[tuple[int, int, str]]] = {}
        for match_id, start, end in matcher(doc):
            cls = doc.vocab.strings[match_id]
            self.triggers.setdefault(doc[start].sent.start, []).append((start, end, cls))
        self.source = str(ID[f"source/{report.slug}"])

    # -- helpers ------------------------------------------------------------

    def mint(self, kind: str, label: str) -> str:
        base = str(ID[f"{kind}/{slugify(label)}"])
        iri, n = base, 2
        while iri in self.minted:
            iri, n = f"{base}-{n}", n + 1
        self.minted.add(iri)
        return iri

    def is_heading(self, sent) -> bool:
        line = sent.text.strip()
        return bool(line) and line[-1] not in ".!?”\"’:;)" and len(line.split()) <= 10 and "\n" not in line \
            and not any(q in line for q in "“”\"")

    def entity_in(self, token, speaker: str | None = None) -> str | None:
        """The entity a token's subtree names (the token's own first), or what a pronoun or "these forces" points to.

        A pronoun inside reported words ("the ministry said that they are trying …") is the speaker.
        """
        if token.i in self.token_entity:
            return self.token_entity[token.i]
        if token.lower_ in _PRONOUNS:
            return speaker if speaker and token.lower_ in ("they", "it", "he", "she") else self.referent(token)
        if token.pos_ == "NOUN" and any(c.lower_ in ("the", "these", "this", "those") for c in token.children):
            return self.nominal_referent(token)
        for t in token.subtree:
            if t.i in self.token_entity and t.dep_ not in ("appos", "relcl"):
                return self.token_entity[t.i]
        if token.pos_ == "NOUN":
            # "the interior minister Rauf Aregbesola": the role's holder is named in apposition
            for c in token.children:
                if c.dep_ == "appos" and c.i in self.token_entity:
                    return self.token_entity[c.i]
        return None

    def nominal_referent(self, token) -> str | None:
        """"these forces", "the ministry": the last entity mentioned before whose name has the noun."""
        noun = token.lemma_.lower()
        for i in range(token.i - 1, max(-1, token.i - 400), -1):
            iri = self.token_entity.get(i)
            if iri and (noun in self.label_of(iri).lower() or self.doc[i].lemma_.lower() == noun):
                return iri
        return None

    def referent(self, token) -> str | None:
        """The actor a pronoun points back to: a subject earlier in its sentence, else the last actor that
        was a sentence's subject, within three sentences."""
        for t in reversed(list(token.sent)[: token.i - token.sent.start]):
            if t.dep_ in ("nsubj", "nsubjpass") and t.head is not token.head and self.is_actor(self.token_entity.get(t.i)):
                return self.token_entity[t.i]
        here = self.sent_index.get(token.sent.start, 0)
        for n, iri in reversed(self.recent_actors):
            if here - n <= 3 and n <= here:
                if token.lower_ in ("he", "she", "his", "her") and self.index.cls(iri) != "Person":
                    continue
                return iri
        return None

    def nearest_place(self, i: int) -> str | None:
        """The place the report last named before token ``i``, else the first it names after."""
        for j in list(range(i, -1, -1)) + list(range(i + 1, len(self.doc))):
            if self.is_place(self.token_entity.get(j)):
                return self.token_entity[j]
        return None

    def is_actor(self, iri: str | None) -> bool:
        return iri is not None and self.onto.is_a(self.index.cls(iri), "Actor")

    def is_place(self, iri: str | None) -> bool:
        return iri is not None and self.onto.is_a(self.index.cls(iri), "Place")

    # -- entities -------------------------------------------------------------

    def spans(self):
        """spaCy's entities, with hyphenated names made whole ("Croix-des-Bouquets") and
        "the National Penitentiary in Port-au-Prince" split into the facility and the place."""
        doc = self.doc
        for ent in doc.ents:
            start, end = ent.start, ent.end
            while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ \
                    and not doc[end].whitespace_ and doc[end + 1].is_alpha:
                end += 2
            ent_id = ent.ent_id_
            if ent_id and end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title \
                    and not doc[end - 1].whitespace_ == "" and doc[end].ent_type_ in ("", "ORG", "GPE", "LOC", "FAC"):
                # "Islamic State West Africa Province" is not the Islamic State: a longer name of its own
                while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title:
                    end += 1
                ent_id = ""
            label = ent.label_ if ent_id or not ent.ent_id_ else "ORG"
            if not ent_id and end < len(doc) and doc[end].lower_ in ("prison", "jail", "camp", "penitentiary", "centre",
                                                                    "center") and doc[end].is_lower:
                end += 1  # "Ghweiran prison": the facility is named with its noun
                label = "FAC"
            span = doc[start:end] if (start, end) != (ent.start, ent.end) else ent
            cut = next((t.i for t in span if t.lower_ == "in" and t.i > start and t.i + 1 < end
                        and doc[t.i + 1].is_title), None)
            if cut is not None and label in ("ORG", "FAC") and not ent_id:
                yield doc[start:cut], label, ""
                yield doc[cut + 1:end], "GPE", ""
                continue
            yield span, label, ent_id

    def read_entities(self) -> None:
        doc = self.doc
        for ent, ner_label, ent_id in self.spans():
            if any(t.i in self.token_entity for t in ent):
                continue  # already read as part of a longer name
            sent = ent.sent
            if ent_id:
                cls = ner_label
                cand = self.index.mention(ent, sent, iri=ent_id, cls=cls, name=ent.text)
            elif self.index.is_ner(ner_label) and not self.is_heading(sent):
                name = re.sub(r"^(the|The)\s+", "", ent.text).replace("\u2019s", "").rstrip("'s" if ent.text.endswith("'s") else "")
                if len(name) < 2 or name.islower():
                    continue
                if ner_label == "NORP" and not (ent.root.tag_ in ("NNPS", "NNS") or ent.text.endswith("s")):
                    continue
                if ner_label == "NORP" and ent.root.dep_ in ("amod", "compound"):
                    continue
                if ner_label == "PERSON" and len(ent) == 1 and ent.root.pos_ != "PROPN":
                    continue  # "Gang leader …": a common noun the model took for a name
                before = doc[max(sent.start, ent.start - 2):ent.start].text.lower()
                named = [c for c in self.index.candidates.values() if c.start < ent.start_char and c.types[0] == "Person"
                         and c.start >= sent.start_char]
                if before in ("known as", "nicknamed", "alias", "called") and named:
                    # "Jimmy Chérizier, known as Barbecue": another name of the same person
                    self.index.alias(named[-1].iri, name)
                    for t in ent:
                        self.token_entity[t.i] = named[-1].iri
                    continue
                iri = self.index.lookup(name)
                if ner_label in ("PERSON", "ORG") and ent.root.dep_ == "pobj" and not iri \
                        and ent.root.head.lower_ in ("in", "near", "outside") \
                        and new_entity_class("ORG", name) == "Organisation":
                    ner_label = "GPE"  # "a prison in Croix-des-Bouquets": a place, whatever the model says
                cls = self.index.cls(iri) if iri else new_entity_class(ner_label, name)
                cand = self.index.mention(ent, sent, iri=iri, cls=cls, name=name)
            else:
                continue
            for t in ent:
                self.token_entity[t.i] = cand.iri
            # "The Syrian Democratic Forces (SDF)": the bracketed acronym is another name.
            if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
                acronym = doc[ent.end + 1]
                if acronym.text.isupper() and len(acronym.text) >= 2:
                    self.index.alias(cand.iri, acronym.text)
                    self.token_entity[acronym.i] = cand.iri
        self.read_actor_phrases()
        for cand in list(self.index.candidates.values()):
            if cand.types[0] == "Person":
                self.read_role(cand)

    def read_actor_phrases(self) -> None:
        """Actors named by a phrase rather than a name: "Kurdish militias", "U.S.-led coalition forces"."""
        for chunk in self.doc.noun_chunks:
            if chunk.root.lemma_.lower() not in _ACTOR_HEADS or self.is_heading(chunk.sent):
                continue
            words = [t for t in chunk if t.dep_ not in ("det", "poss", "case") and t.pos_ != "PRON"]
            if not words or any(t.i in self.token_entity for t in words if t is chunk.root):
                continue
            if any(t.i in self.token_entity for t in words):
                # "Syrian forces" where only "Syrian" was seen as a nationality: the phrase is the actor
                if not all(self.index.cls(self.token_entity[t.i]) == "Nationality" for t in words if t.i in self.token_entity):
                    continue
            proper = [t for t in words if t.pos_ == "PROPN" or t.ent_type_ in ("NORP", "GPE") or t.text.endswith("-led")]
            if not proper:
                continue
            span = self.doc[words[0].i:words[-1].i + 1]
            name = span.text
            iri = self.index.lookup(name)
            cls = self.index.cls(iri) if iri else new_entity_class("ORG", name)
            cand = self.index.mention(span, chunk.sent, iri=iri, cls=cls, name=name)
            for t in span:
                self.token_entity[t.i] = cand.iri

    def read_role(self, person: Candidate) -> None:
        """"Farhad Shami, a spokesperson for the SDF": the role and the actor it is held in."""
        token = next((t for t in self.doc[:] if t.idx == person.start), None)
        if token is None:
            return
        span = [t for t in token.sent if person.start <= t.idx < person.end]
        root = span[-1] if span else token
        for appos in (c for c in root.children if c.dep_ == "appos"):
            org = None
            for prep in (c for c in appos.children if c.dep_ == "prep" and c.lower_ in ("for", "of", "with", "at")):
                for obj in (c for c in prep.children if c.dep_ == "pobj"):
                    org = self.entity_in(obj)
            if org and self.is_actor(org) and org != person.iri:
                role_name = appos.lemma_.lower()
                role = str(ID[f"role/{slugify(person.label)}-{slugify(self.index.cand_label(org))}"]) \
                    if hasattr(self.index, "cand_label") else str(ID[f"role/{slugify(person.label)}-{org.rsplit('/', 1)[-1]}"])
                person.add(str(CK.memberOf), org)
                person.extra += [
                    (role, _RDF_TYPE, str(CK.RoleAssignment)),
                    (role, _RDFS + "label", _lit(f"{person.label}, {role_name} of {org.rsplit('/', 1)[-1]}")),
                    (role, str(CK.roleHolder), person.iri),
                    (role, str(CK.roleIn), org),
                    (role, str(CK.roleName), _lit(role_name)),
                ]
                return

    # -- sentences --------------------------------------------------------------

    def read(self) -> None:
        self.read_entities()
        for n, sent in enumerate(self.doc.sents):
            if self.is_heading(sent):
                continue
            attributed = find_attributions(sent)
            claims = [self.claim(sent, a) for a in attributed]
            self.read_events(sent, attributed, claims)
            self.read_quantities(sent, attributed, claims)
            for claim, a in zip(claims, attributed):
                self.finish_claim(sent, claim, a)
            self.note_subject(sent, n)

    def note_subject(self, sent, n: int) -> None:
        root = sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            return
        iri = self.entity_in(subj)
        if self.is_actor(iri):
            self.recent_actors.append((n, iri))

    def claim_of(self, token, attributed: list[Attributed], claims: list[Candidate]) -> Candidate | None:
        for a, c in zip(attributed, claims):
            if c is not None and a.start <= token.idx < a.end and token is not a.verb:
                return c
        return None

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
            agent.add(_RDF_TYPE, "http://www.w3.org/ns/prov#Agent")
            agent.add(_RDFS + "label", _lit(label))
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

    def label_of(self, iri: str) -> str:
        cand = self.index.candidates.get(iri)
        return cand.label if cand else self.index.preferred.get(iri, iri.rsplit("/", 1)[-1])

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
        cand.add(_RDFS + "label", _lit(label))
        cand.add(str(CK.claimant), who)
        cand.add(str(CK.attribution), str(CK[a.attribution]))
        cand.add(str(CK.sourceText), _lit(text))
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
            claim.extra.append((about, str(CK.assessment), _lit(claim.mention)))
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
                event.add(str(CK.quote), _lit(a.quote))

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
            group.add(_RDF_TYPE, str(CK.Detainees))
            group.add(_RDFS + "label", _lit(label))
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
                        event.add(_RDF_TYPE, str(CK[cls]))
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
            event.add(_RDF_TYPE, str(CK[cls]))
        event.add(_RDFS + "label", _lit(label))
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
            event.add(str(CK.sourceNote), _lit("The report does not date it: dated to the report (approximate)."))
        day, precision, resolved = when
        event.add(str(CK.date), _lit(day.isoformat(), _XSD + "date"))
        event.add(str(CK.datePrecision), str(CK[precision]))
        if resolved and stated:
            event.add(str(CK.dateStatedAs), _lit(stated))
            event.add(str(CK.sourceNote), _lit(f"'{stated}', resolved against the report's date {self.report_date.isoformat()}."))
        self.events.append(event)
        return event

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
        q.add(_RDF_TYPE, str(CK.Quantity))
        q.add(str(CK.qualifier), str(CK[stated.qualifier]))
        if stated.value is not None:
            q.add(str(CK.value), _dec(stated.value))
        if stated.lower is not None:
            q.add(str(CK.lowerBound), _dec(stated.lower))
        if stated.upper is not None:
            q.add(str(CK.upperBound), _dec(stated.upper))
        if stated.percent:
            q.add(str(CK.unit), str(CK.Percent))
        q.add(str(CK.statedAs), _lit(label))
        if count_of:
            q.add(str(CK.countOf), count_of)
        if re.search(r"\bas of\b", sent.text):
            q.add(str(CK.asOf), _lit(self.report_date.isoformat(), _XSD + "date"))
        q.extra.append((subject, str(CK[prop]), iri))
        self.quantities.append(q)

    def group(self, phrase: str, lemma: str, sent, noun) -> str:
        iri = str(ID[f"group/{slugify(phrase)}"])
        if iri not in self.index.candidates:
            cls = "Detainees" if lemma in ("detainee", "prisoner", "inmate", "suspect") else \
                "Civilians" if lemma in ("civilian", "resident") else "PersonGroup"
            group = Candidate("entity", iri, phrase, [cls], noun.idx, noun.idx + len(noun.text), noun.text,
                              sent.text.strip(), new=True)
            group.add(_RDF_TYPE, str(CK[cls]))
            group.add(_RDFS + "label", _lit(phrase))
            self.index.candidates[iri] = group
        return iri


def extract(report: Report, store: FactStore, *, report_date: date | None = None) -> Extraction:
    """Read a report into candidates, linked to the entities ``store`` already has.

    Parameters
    ----------
    report : Report
        From :func:`~conflictkg.graph.reports.text.read_report`.
    store : FactStore
        Its reviewed graphs give the names to link to (pending graphs are never linked to).
    report_date : date, optional
        What relative dates ("last month") are resolved against; by default ``report.published``,
        else today.

    Returns
    -------
    Extraction
        The candidates, numbered n1…, e1…, q1…, c1… in text order.
    """
    began = time.perf_counter()
    when = report_date or (date.fromisoformat(report.published) if report.published else date.today())
    known = known_entities(store)
    index = EntityIndex(known, {e.iri for e in known})
    with pipeline.LOCK:
        nlp, matcher = pipeline.prepare(known)
        t0 = time.perf_counter()
        doc = nlp(report.text)
        nlp_seconds = time.perf_counter() - t0
        reader = _Reader(report, doc, matcher, index, when)
        reader.read()
    out = Extraction(report.slug, pipeline=pipeline.describe(), nlp_seconds=nlp_seconds)
    out.candidates = [c for c in index.candidates.values()] + reader.events + reader.quantities + \
        [c for c in reader.claims if c is not None]
    out.number()
    out.seconds = time.perf_counter() - began
    return out
