"""Stage 5: a resolved document written as RDF quads in its own named graph.

Provenance model (PROV-O with RDF reification): every relation triple ``s p o`` stated by a
document is accompanied, in that document's graph, by

    <assertion> a pol:Assertion ; rdf:subject s ; rdf:predicate p ; rdf:object o ;
                prov:wasDerivedFrom <document> ; pol:evidence <evidence> .
    <evidence>  a pol:Evidence ; pol:quote "…" ; pol:startOffset 120 ; pol:endOffset 141 ;
                pol:inDocument <document> .

with the quote exactly ``text[startOffset:endOffset]`` of the document's original text,
which the document node keeps as ``pol:text``. Every IRI is derived from content (hashes of
names, of the document id and of offsets), so the same input gives the same quads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS, XSD

from graph.document import Document, Fact
from graph.ontology import DCTERMS, ID_NS, POL, PROV

_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_DATE = ox.NamedNode(str(XSD.date))


def _n(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def document_iri(doc_id: str) -> ox.NamedNode:
    """The document node, which is also the name of the document's graph."""
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]
    return ox.NamedNode(f"{ID_NS}document/{digest}")


def entity_iri(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID_NS}{key}")


def _hash(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def _zh(value: str, lang: str = "zh-Hans") -> ox.Literal:
    return ox.Literal(value, language=lang)


def document_quads(doc: Document) -> list[ox.Quad]:
    """All quads of one document's named graph, sorted (stable for byte-identical output)."""
    g = document_iri(doc.doc_id)
    quads = list(_quads(doc, g))
    return sorted(set(quads), key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


def _quads(doc: Document, g: ox.NamedNode) -> Iterator[ox.Quad]:
    def q(s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, _n(p), o, g)

    # the document
    meta = doc.meta
    yield q(g, RDF.type, _n(POL.Document))
    yield q(g, RDFS.label, ox.Literal(doc.doc_id))
    yield q(g, POL.text, ox.Literal(doc.text))
    yield q(g, POL.contentHash, ox.Literal(doc.content_hash))
    if doc.path is not None:
        yield q(g, POL.sourcePath, ox.Literal(str(doc.path)))
    if meta.get("title"):
        yield q(g, DCTERMS.title, ox.Literal(str(meta["title"])))
    if meta.get("date"):
        yield q(g, DCTERMS.date, ox.Literal(str(meta["date"])))
    if meta.get("source"):
        yield q(g, DCTERMS.source, ox.Literal(str(meta["source"])))
    if meta.get("issuer"):
        yield q(g, POL.issuerName, ox.Literal(str(meta["issuer"])))
    for attr in ("genre", "encoding", "format"):
        if meta.get(attr):
            yield q(g, POL[attr], ox.Literal(str(meta[attr])))
    yield q(g, POL.script, ox.Literal(str(meta.get("script") or doc.normalised().script)))

    # entities
    for ent in doc.entities.values():
        s = entity_iri(ent.key)
        yield q(s, RDF.type, _n(POL[ent.cls]))
        yield q(s, SKOS.prefLabel, _zh(ent.canonical))
        yield q(s, RDFS.label, _zh(ent.canonical))
        for name, lang in ent.names.items():
            yield q(s, SKOS.altLabel, _zh(name, lang))
        for attr, value in ent.attrs.items():
            if attr == "issueDate":
                yield q(s, POL.issueDate, ox.Literal(str(value), datatype=_XSD_DATE))
            else:
                yield q(s, POL[attr], ox.Literal(str(value)))
        if ent.cls == "Policy" and any(m.attrs.get("main") for m in ent.mentions):
            yield q(g, POL.expresses, s)
        if ent.cls == "Region" and getattr(meta.get("place_region"), "name", None) == ent.canonical:
            yield q(g, POL.place, s)

    # facts with their evidence
    for fact in doc.facts:
        yield from _fact_quads(doc, g, fact)


def _fact_quads(doc: Document, g: ox.NamedNode, fact: Fact) -> Iterator[ox.Quad]:
    if not fact.subject.key or not fact.object.key or fact.subject.key == fact.object.key:
        return
    s, o = entity_iri(fact.subject.key), entity_iri(fact.object.key)
    p = _n(POL[fact.relation])
    start, end, quote = doc.evidence(fact.start, fact.end)
    if not quote.strip():
        return
    assertion = ox.NamedNode(f"{ID_NS}assertion/{_hash(doc.doc_id, s.value, p.value, o.value)}")
    evidence = ox.NamedNode(f"{ID_NS}evidence/{_hash(doc.doc_id, start, end)}")
    yield ox.Quad(s, p, o, g)
    yield ox.Quad(assertion, _n(RDF.type), _n(POL.Assertion), g)
    yield ox.Quad(assertion, _n(RDF.subject), s, g)
    yield ox.Quad(assertion, _n(RDF.predicate), p, g)
    yield ox.Quad(assertion, _n(RDF.object), o, g)
    yield ox.Quad(assertion, _n(PROV.wasDerivedFrom), g, g)
    yield ox.Quad(assertion, _n(POL.evidence), evidence, g)
    yield ox.Quad(evidence, _n(RDF.type), _n(POL.Evidence), g)
    yield ox.Quad(evidence, _n(POL.quote), ox.Literal(quote), g)
    yield ox.Quad(evidence, _n(POL.startOffset), ox.Literal(str(start), datatype=_XSD_INTEGER), g)
    yield ox.Quad(evidence, _n(POL.endOffset), ox.Literal(str(end), datatype=_XSD_INTEGER), g)
    yield ox.Quad(evidence, _n(POL.inDocument), g, g)
