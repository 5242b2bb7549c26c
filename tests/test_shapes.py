"""The built graph conforms to the project's SHACL shapes, and the shapes do catch errors."""

from __future__ import annotations

from pathlib import Path

import rdflib

from graph.ontology import ID_NS, POL
from graph.store import GraphStore
from graph.validate import data_graph, validate_graph


def test_built_graph_has_no_violation(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        report = validate_graph(data_graph(store))
    assert report.of("Violation") == []
    assert report.conforms


def _measure_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for p in sorted((Path(__file__).parents[1] / "ontology").glob("*.ttl")):
        if "shape" not in p.stem:
            g.parse(p)
    return g


def test_relation_without_evidence_is_a_violation() -> None:
    g = _measure_graph()
    m, a = rdflib.URIRef(ID_NS + "Measure/x"), rdflib.URIRef(ID_NS + "Agency/y")
    policy = rdflib.URIRef(ID_NS + "Policy/z")
    for node, cls, name in (
        (m, "Measure", "某项任务"),
        (a, "Agency", "某市某局"),
        (policy, "Policy", "某方案"),
    ):
        g.add((node, rdflib.RDF.type, POL[cls]))
        g.add((node, rdflib.SKOS.prefLabel, rdflib.Literal(name, lang="zh-Hans")))
        g.add((node, rdflib.RDFS.label, rdflib.Literal(name, lang="zh-Hans")))
    g.add((m, POL.responsibleUnit, a))
    g.add((m, POL.partOf, policy))
    report = validate_graph(g)
    shapes = {f.shape.rsplit("#", 1)[-1] for f in report.of("Violation")}
    assert "RelationEvidenceShape" in shapes
    warnings = {(f.focus, f.message) for f in report.of("Warning")}
    assert (str(m), "Responsible units are listed but no lead unit is named.") in warnings


def test_joint_leads_are_allowed() -> None:
    g = _measure_graph()
    m = rdflib.URIRef(ID_NS + "Measure/x")
    g.add((m, rdflib.RDF.type, POL.Measure))
    for i in range(2):
        a = rdflib.URIRef(ID_NS + f"Agency/{i}")
        g.add((a, rdflib.RDF.type, POL.Agency))
        g.add((m, POL.leadUnit, a))
        g.add((m, POL.responsibleUnit, a))
    report = validate_graph(g)
    assert [f.message for f in report.findings if f.focus == str(m) and "lead unit" in f.message] == []
    assert report.of("Warning") == []
