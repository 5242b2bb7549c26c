"""The ontology, loaded once from ``ontology/*.ttl`` and asked by every other module.

Following followthemoney's "the schema is data": the classes, relations, their Chinese and
English labels, display colours and relation groups are read from the Turtle files, never
written in code. ``POL.leadUnit`` is checked against the ontology, so a misspelt term raises
at import time instead of silently writing a wrong IRI (rdflib's ``DefinedNamespace`` idea,
with the term list taken from the file rather than typed into a class body).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from graph.resources import ontology_files

ONTOLOGY_IRI = "https://w3id.org/policy-graph/ontology"
NS = ONTOLOGY_IRI + "#"
ID_NS = "https://w3id.org/policy-graph/id/"
SHAPES_NS = "https://w3id.org/policy-graph/shapes#"
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")


@cache
def ontology_graph() -> Graph:
    """All ontology and shape triples, parsed once per process."""
    g = Graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    return g


class _CheckedNamespace:
    """A namespace whose attributes must be terms the ontology declares."""

    def __init__(self, base: str, terms: frozenset[str]) -> None:
        self._base = base
        self._terms = terms

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._terms:
            raise AttributeError(f"pol:{name} is not declared in ontology/*.ttl")
        return URIRef(self._base + name)

    def __getitem__(self, name: str) -> URIRef:
        return self.__getattr__(name)

    def __contains__(self, name: str) -> bool:
        return name in self._terms

    def __str__(self) -> str:
        return self._base


def _declared_terms() -> frozenset[str]:
    g = ontology_graph()
    return frozenset(
        str(s)[len(NS) :]
        for s in g.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(NS)
    )


POL = _CheckedNamespace(NS, _declared_terms())


def _label(g: Graph, term: URIRef, lang: str) -> str:
    for value in g.objects(term, RDFS.label):
        if isinstance(value, Literal) and (value.language or "").lower().startswith(lang):
            return str(value)
    return term.split("#")[-1]


@dataclass(frozen=True)
class TermInfo:
    """What the code needs to know about a class or relation, read from the ontology."""

    iri: URIRef
    name: str
    label_zh: str
    label_en: str
    definition: str
    colour: str = "#999999"
    shape: str = "dot"
    group: str = ""


def _info(g: Graph, term: URIRef) -> TermInfo:
    colour = g.value(term, POL.colour)
    shape = g.value(term, POL.shape)
    group = g.value(term, POL.relationGroup)
    definition = g.value(term, SKOS.definition)
    return TermInfo(
        iri=term,
        name=term.split("#")[-1],
        label_zh=_label(g, term, "zh"),
        label_en=_label(g, term, "en"),
        definition=str(definition or ""),
        colour=str(colour or "#999999"),
        shape=str(shape or "dot"),
        group=str(group or ""),
    )


@cache
def entity_classes() -> dict[str, TermInfo]:
    """The annotation classes: ontology classes with a display colour, by local name."""
    g = ontology_graph()
    out = {}
    for cls in g.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(NS) and g.value(cls, POL.colour) is not None:
            info = _info(g, cls)
            out[info.name] = info
    return dict(sorted(out.items()))


@cache
def relations() -> dict[str, TermInfo]:
    """The extracted relations (instances of ``pol:Relation``), by local name."""
    g = ontology_graph()
    out = {}
    for prop in g.subjects(RDF.type, POL.Relation):
        if isinstance(prop, URIRef):
            info = _info(g, prop)
            out[info.name] = info
    return dict(sorted(out.items()))


def class_iri(name: str) -> URIRef:
    """The IRI of an annotation class, refusing names the ontology does not define."""
    try:
        return entity_classes()[name].iri
    except KeyError:
        raise KeyError(
            f"unknown entity class {name!r}; the ontology defines {sorted(entity_classes())}"
        ) from None


def relation_iri(name: str) -> URIRef:
    """The IRI of a relation, refusing names the ontology does not define."""
    try:
        return relations()[name].iri
    except KeyError:
        raise KeyError(f"unknown relation {name!r}; the ontology defines {sorted(relations())}") from None


def symmetric_relations() -> frozenset[str]:
    """Relations declared ``owl:SymmetricProperty``: stored once, read in both directions."""
    g = ontology_graph()
    return frozenset(
        info.name for info in relations().values() if (info.iri, RDF.type, OWL.SymmetricProperty) in g
    )
