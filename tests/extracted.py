"""What the pipeline extracts from one short text, for the constructed-text cue tests."""

from __future__ import annotations

from graph.document import Document
from graph.ontology import relations
from graph.pipeline import process

# the ontology's 'further' relations (administers, funds, targets, …)
FURTHER = {name for name, info in relations().items() if info.group == "further"}


def processed(text: str, place: str | None = None) -> Document:
    """The document of ``text`` after the whole pipeline (place given as in a manifest)."""
    doc = Document(doc_id="t.txt", text=text, meta={"place": place} if place else {})
    process(doc)
    return doc


def triples(
    text: str, place: str | None = None, relations: set[str] | None = None
) -> set[tuple[str, str, str]]:
    """The relations between two entities, as (subject, relation, object) canonical names."""
    doc = processed(text, place)
    out = set()
    for f in doc.facts:
        related = f.subject.key and f.object.key and f.subject.key != f.object.key
        if related and (relations is None or f.relation in relations):
            out.add((doc.entities[f.subject.key].canonical, f.relation, doc.entities[f.object.key].canonical))
    return out


def entities(text: str, place: str | None = None) -> set[tuple[str, str]]:
    """The document's entities as ``(class, canonical name)``."""
    return {(e.cls, e.canonical) for e in processed(text, place).entities.values()}
