"""The built graph checked against the SHACL shapes in ``ontology/shapes.ttl`` (pyshacl).

The data graph is the union of every document graph plus the OWL ontology, because some
shapes need the ontology's facts (which properties are ``pol:Relation``s) and RDFS
inference over ``rdfs:subClassOf`` to find their targets. Shapes of severity ``sh:Warning``
(a measure with responsible units but no lead) are information for the audit, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib import RDF, Namespace

from graph.resources import ontology_files
from graph.store import GraphStore

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Finding:
    """One shape result: how bad, which node, which shape, what it says."""

    severity: str  # Violation, Warning or Info
    focus: str
    path: str
    shape: str
    message: str


@dataclass
class ShapeReport:
    findings: list[Finding] = field(default_factory=list)

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings allowed)."""
        return not self.of("Violation")


def shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    return g


def data_graph(store: GraphStore) -> rdflib.Graph:
    """Every document graph merged into one rdflib graph, plus the ontology."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    union = rdflib.Graph()
    union.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    for path in ontology_files():
        if "shape" not in path.stem:
            union.parse(path, format="turtle")
    return union


def validate_graph(data: rdflib.Graph) -> ShapeReport:
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="rdfs", allow_warnings=True, advanced=True
    )
    report = ShapeReport()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        report.findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1],
                focus=str(results.value(result, SH.focusNode)),
                path=str(results.value(result, SH.resultPath) or ""),
                shape=str(results.value(result, SH.sourceShape)),
                message=str(results.value(result, SH.resultMessage) or ""),
            )
        )
    report.findings.sort(key=lambda f: (f.severity, f.shape, f.focus, f.message))
    return report


def validate(store: GraphStore) -> ShapeReport:
    """Check the whole store against the shapes."""
    return validate_graph(data_graph(store))
