"""The entities a report names: known ones linked, new ones proposed, with their roles."""

from __future__ import annotations

import re

from conflictkg.graph.reports.entities import new_entity_class
from conflictkg.graph.reports.model import Candidate
from conflictkg.graph.reports.reader import RDF_TYPE, RDFS, Reader, lit
from conflictkg.graph.reports.text import slugify
from conflictkg.ontology.vocab import CK, ID


_ACTOR_HEADS = {"force", "forces", "militia", "coalition", "army", "rebel", "militant", "troop", "regime", "government",
                "police", "fighter", "guerrilla", "paramilitary", "authority", "authorities", "gang"}


class EntityReading(Reader):
    """The entities a report names: known ones linked, new ones proposed, with their roles."""

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
                    (role, RDF_TYPE, str(CK.RoleAssignment)),
                    (role, RDFS + "label", lit(f"{person.label}, {role_name} of {org.rsplit('/', 1)[-1]}")),
                    (role, str(CK.roleHolder), person.iri),
                    (role, str(CK.roleIn), org),
                    (role, str(CK.roleName), lit(role_name)),
                ]
                return
