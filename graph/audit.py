"""``policy-graph audit``: what in the graph needs a reader's attention, with the evidence behind it.

A build can succeed and still leave a graph that misleads: a measure whose responsible units
name no lead, one body split into two nodes because one document wrote it in traditional
script, an evidence quote that no longer matches its document after a text was edited. The
audit reads any store and reports such findings, each with a severity and the document and
quote it rests on, so that a reader can check it against the source rather than trust it:

* ``error``: the graph is wrong (a SHACL violation, a quote that does not match its offsets,
  a document whose text no longer matches its hash);
* ``warning``: probably wrong (a measure with responsible units and no lead, two nodes that
  look like one entity, a short name that two bodies of one place share);
* ``info``: worth knowing (joint leads, a short name such as 市医保局 used by bodies of
  different places, entities in no relation).

It also measures the responsibility load of each agency (measures led, measures shared,
documents) and the co-responsibility network (agencies linked when they share a measure),
with its communities and the agencies that bridge them. ``audit(store)`` returns an
``AuditReport``; ``graph.audit_report`` renders it as Markdown, HTML or JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from networkx.algorithms.community import greedy_modularity_communities

from graph.normalise import to_simplified
from graph.ontology import NS, entity_classes, relations
from graph.reference import Region, gazetteer, local_bodies, national_bodies
from graph.resolve import clean_name
from graph.store import PREFIXES, GraphStore
from graph.validate import validate

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
_SHACL_SEVERITY = {"Violation": "error", "Warning": "warning", "Info": "info"}

# Exit status of ``audit --fail-on`` when findings of that severity or worse exist. 1 and 2
# already mean "could not run" and "build skipped files" for every command.
EXIT_FINDINGS = 3

# What each check is called in the reports, and what it means (docs/audit.md says more).
CHECKS: dict[str, str] = {
    "shape": "SHACL shape result",
    "evidence-mismatch": "Evidence quote does not match the document",
    "content-hash": "Document text does not match its content hash",
    "no-lead": "Measure with responsible units but no lead unit",
    "duplicate": "Suspected duplicate entities",
    "ambiguous-short-name": "Short name shared by bodies of one place",
    "joint-lead": "Measure with joint leads",
    "shared-short-name": "Short name shared by bodies of different places",
    "orphan": "Entity in no relation",
}

_RESPONSIBILITY = ("leadUnit", "responsibleUnit")
_ACTORS = frozenset({"Agency", "Hospital", "Organization"})
_LEVEL_CHARS = frozenset("省市区县州旗")
_SENTENCE_END = "。；;！？!?\n"


# ---------------------------------------------------------------------------- report types


@dataclass(frozen=True)
class Evidence:
    """Where a finding comes from: a document (its file label) and a quote from it."""

    document: str
    quote: str
    start: int | None = None
    end: int | None = None
    note: str = ""


@dataclass
class AuditFinding:
    """One thing to look at: how bad, which check, about what, and the evidence for it."""

    severity: str
    check: str
    subject: str
    message: str
    nodes: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["nodes"] = list(self.nodes)
        out["evidence"] = [asdict(e) for e in self.evidence]
        return out


@dataclass(frozen=True)
class AgencyLoad:
    """An actor's share of the measures: led, shared (responsible but not lead), documents."""

    iri: str
    name: str
    cls: str
    led: int
    shared: int
    documents: int

    @property
    def total(self) -> int:
        return self.led + self.shared


@dataclass(frozen=True)
class NetworkNode:
    """An actor in the co-responsibility network, with its position measures."""

    iri: str
    name: str
    degree: int
    weighted_degree: int
    betweenness: float
    community: int
    participation: float = 0.0
    bridges_to: tuple[int, ...] = ()


@dataclass
class Network:
    """Actors linked when they are responsible for the same measure (weight: shared measures)."""

    nodes: list[NetworkNode] = field(default_factory=list)
    edges: list[tuple[str, str, int]] = field(default_factory=list)
    communities: list[list[str]] = field(default_factory=list)

    @property
    def bridges(self) -> list[NetworkNode]:
        """Agencies that bridge communities: linked to a community other than their own and on
        more shortest paths than the average agency (betweenness above the mean); most between first.

        In a dense network nearly every agency has some link outside its community, so that
        alone would list almost all of them; the betweenness bar keeps those that connect.
        """
        if not self.nodes:
            return []
        mean = sum(n.betweenness for n in self.nodes) / len(self.nodes)
        return sorted(
            (n for n in self.nodes if n.bridges_to and n.betweenness > mean),
            key=lambda n: (-n.betweenness, n.name),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [asdict(n) | {"bridges_to": list(n.bridges_to)} for n in self.nodes],
            "edges": [{"source": a, "target": b, "weight": w} for a, b, w in self.edges],
            "communities": self.communities,
            "bridges": [n.name for n in self.bridges],
        }


@dataclass
class AuditReport:
    """Everything ``audit`` found in one store."""

    store: str
    documents: list[str] = field(default_factory=list)
    findings: list[AuditFinding] = field(default_factory=list)
    load: list[AgencyLoad] = field(default_factory=list)
    network: Network = field(default_factory=Network)

    def of(self, severity: str) -> list[AuditFinding]:
        return [f for f in self.findings if f.severity == severity]

    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in SEVERITIES}

    def fails(self, threshold: str | None) -> bool:
        """True when a finding of ``threshold`` severity or worse exists (``None``: never)."""
        if threshold is None:
            return False
        worse = SEVERITIES[: SEVERITIES.index(threshold) + 1]
        return any(f.severity in worse for f in self.findings)

    def summary(self) -> str:
        """``1 error, 2 warnings, 0 info``."""
        return ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in self.counts().items())

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "documents": self.documents,
            "summary": self.counts(),
            "findings": [f.to_json() for f in self.findings],
            "load": [asdict(a) for a in self.load],
            "network": self.network.to_json(),
        }


# ---------------------------------------------------------------------------- reading the store


@dataclass
class _Doc:
    iri: str
    label: str
    text: str | None = None
    content_hash: str | None = None
    places: set[str] = field(default_factory=set)  # region node IRIs (pol:place)


@dataclass
class _Entity:
    iri: str
    classes: set[str] = field(default_factory=set)
    pref: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    alts: set[str] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The name to show: the (first) prefLabel, else rdfs:label, else the IRI's tail."""
        names = sorted(self.pref) or sorted(self.labels)
        return names[0] if names else self.iri.rsplit("/", 1)[-1]

    @property
    def cls(self) -> str:
        return "/".join(sorted(self.classes))


@dataclass
class _EvidenceRecord:
    iri: str
    graph: str
    document: str | None
    quote: str | None
    start: int | None
    end: int | None
    triples: set[tuple[str, str, str]] = field(default_factory=set)


class _Graph:
    """The document graphs of a store read once into plain Python structures.

    The checks are simple set and string operations; reading everything with a few SPARQL
    queries first keeps them out of the query language and makes them easy to follow.
    """

    def __init__(self, store: GraphStore) -> None:
        self.docs: dict[str, _Doc] = {}
        self.entities: dict[str, _Entity] = {}
        self.triples: set[tuple[str, str, str]] = set()
        self.evidence: dict[str, _EvidenceRecord] = {}
        self.triple_evidence: dict[tuple[str, str, str], list[_EvidenceRecord]] = defaultdict(list)
        self.assertions: dict[str, tuple[str, str, str]] = {}
        self._read(store)
        self.evidence_by_iri = {rec.iri: rec for rec in self.evidence.values()}

    @staticmethod
    def _rows(store: GraphStore, sparql: str) -> Iterable[ox.QuerySolution]:
        result = store.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _read(self, store: GraphStore) -> None:
        docs = """SELECT ?g ?label ?text ?hash ?place WHERE { GRAPH ?g { ?g a pol:Document .
            OPTIONAL { ?g rdfs:label ?label } OPTIONAL { ?g pol:text ?text }
            OPTIONAL { ?g pol:contentHash ?hash } OPTIONAL { ?g pol:place ?place } } }"""
        for row in self._rows(store, docs):
            g = row["g"].value
            doc = self.docs.get(g)
            if doc is None:
                label = _value(row["label"]) or g.rsplit("/", 1)[-1]
                doc = self.docs[g] = _Doc(g, label)
            if row["text"] is not None:
                doc.text = row["text"].value
            if row["hash"] is not None:
                doc.content_hash = row["hash"].value
            if row["place"] is not None:
                doc.places.add(row["place"].value)

        classes = " ".join(f"<{info.iri}>" for info in entity_classes().values())
        ents = f"""SELECT ?g ?e ?c WHERE {{ GRAPH ?g {{ ?g a pol:Document . ?e a ?c }}
            VALUES ?c {{ {classes} }} }}"""
        for row in self._rows(store, ents):
            e = row["e"].value
            ent = self.entities.setdefault(e, _Entity(e))
            ent.classes.add(row["c"].value.rsplit("#", 1)[-1])
            ent.docs.add(row["g"].value)

        labels = """SELECT DISTINCT ?e ?p ?l WHERE { GRAPH ?g { ?g a pol:Document . ?e ?p ?l }
            VALUES ?p { skos:prefLabel skos:altLabel rdfs:label } }"""
        for row in self._rows(store, labels):
            ent = self.entities.get(row["e"].value)
            if ent is None or not isinstance(row["l"], ox.Literal):
                continue
            p, name = row["p"].value, row["l"].value
            if p.endswith("#prefLabel"):
                if name not in ent.pref:
                    ent.pref.append(name)
            elif p.endswith("#altLabel"):
                ent.alts.add(name)
            elif name not in ent.labels:
                ent.labels.append(name)

        predicates = " ".join(f"<{info.iri}>" for info in relations().values())
        rels = f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?g a pol:Document . ?s ?p ?o }}
            VALUES ?p {{ {predicates} pol:withinMeasure }} }}"""
        for row in self._rows(store, rels):
            triple = (row["s"].value, row["p"].value.rsplit("#", 1)[-1], row["o"].value)
            self.triples.add(triple)

        assertions = """SELECT ?a ?s ?p ?o WHERE { GRAPH ?g { ?g a pol:Document .
            ?a a pol:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }"""
        for row in self._rows(store, assertions):
            triple = (row["s"].value, row["p"].value.rsplit("#", 1)[-1], row["o"].value)
            self.assertions.setdefault(row["a"].value, triple)

        evidence = """SELECT ?g ?e ?q ?st ?en ?d ?s ?p ?o WHERE { GRAPH ?g { ?g a pol:Document .
            ?e a pol:Evidence .
            OPTIONAL { ?e pol:quote ?q } OPTIONAL { ?e pol:startOffset ?st }
            OPTIONAL { ?e pol:endOffset ?en } OPTIONAL { ?e pol:inDocument ?d }
            OPTIONAL { ?a pol:evidence ?e ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } } }"""
        for row in self._rows(store, evidence):
            key = f"{row['g'].value} {row['e'].value}"
            rec = self.evidence.get(key)
            if rec is None:
                rec = self.evidence[key] = _EvidenceRecord(
                    iri=row["e"].value,
                    graph=row["g"].value,
                    document=_value(row["d"]),
                    quote=_value(row["q"]),
                    start=_int(row["st"]),
                    end=_int(row["en"]),
                )
            if row["s"] is not None:
                triple = (row["s"].value, row["p"].value.rsplit("#", 1)[-1], row["o"].value)
                if triple not in rec.triples:
                    rec.triples.add(triple)
                    self.triple_evidence[triple].append(rec)

    # ------------------------------------------------------------------ helpers for the checks

    def label(self, iri: str) -> str:
        """A readable name for any node: entity name, document label, or a compact IRI."""
        if iri in self.entities:
            return self.entities[iri].name
        if iri in self.docs:
            return self.docs[iri].label
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    def doc_label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        return self.docs[iri].label if iri in self.docs else iri

    def relation_evidence(self, triple: tuple[str, str, str]) -> list[Evidence]:
        """The quotes behind one relation triple, one per document and span."""
        out = {
            Evidence(self.doc_label(r.document or r.graph), r.quote or "", r.start, r.end)
            for r in self.triple_evidence.get(triple, [])
        }
        return sorted(out, key=lambda e: (e.document, e.start or 0, e.quote))

    def mention_evidence(
        self, ent: _Entity, limit: int = 2, names: list[str] | None = None
    ) -> list[Evidence]:
        """Where the documents name an entity: the clause around the first occurrence of a name.

        Entities carry no offsets of their own (only relations do), so the quote is found by
        searching the document's text for the entity's names, longest first.
        """
        names = sorted(names or {*ent.pref, *ent.labels, *ent.alts}, key=lambda n: (-len(n), n))
        found: list[Evidence] = []
        for g in sorted(ent.docs, key=self.doc_label):
            text = self.docs[g].text if g in self.docs else None
            i, name = next(((text.find(n), n) for n in names if text and n and n in text), (-1, ""))
            if text and i >= 0:
                start, end, quote = _clause(text, i, i + len(name))
                found.append(Evidence(self.doc_label(g), quote, start, end))
            if len(found) >= limit:
                break
        if found:
            return found
        return [
            Evidence(self.doc_label(g), "", note="named in this document's graph")
            for g in sorted(ent.docs, key=self.doc_label)[:limit]
        ]

    def regions_of_doc_places(self, ent: _Entity) -> list[Region]:
        """The gazetteer regions of the places of the documents that name an entity."""
        out: dict[str, Region] = {}
        for g in ent.docs:
            for place in self.docs[g].places if g in self.docs else ():
                name = self.label(place)
                for region in gazetteer().by_name.get(name, []):
                    out[region.key] = region
        return [out[k] for k in sorted(out)]


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else term.value


def _int(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> int | None:
    try:
        return None if term is None else int(term.value)
    except ValueError:
        return None


def _clause(text: str, start: int, end: int, width: int = 30) -> tuple[int, int, str]:
    """The clause around ``text[start:end]``: out to the sentence ends, at most ``width`` each side."""
    left = start
    while left > 0 and start - left < width and text[left - 1] not in _SENTENCE_END:
        left -= 1
    right = end
    while right < len(text) and right - end < width and text[right] not in _SENTENCE_END:
        right += 1
    if right < len(text) and text[right] in _SENTENCE_END and text[right] != "\n":
        right += 1
    while left < start and text[left].isspace():
        left += 1
    return left, right, text[left:right].strip()


# ---------------------------------------------------------------------------- the checks


def _shape_findings(store: GraphStore, g: _Graph, covered: set[tuple[str, str]]) -> list[AuditFinding]:
    """SHACL results as findings, with names instead of IRIs.

    ``covered`` holds (focus, path) pairs another check already reports with better evidence
    (the shapes' own warning for a measure without lead), so each fault appears once.
    """
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for f in validate(store).findings:
        if (f.focus, f.path) in covered:
            continue
        key = (f.severity, f.focus, f.path, f.message)
        if key in seen:
            continue
        seen.add(key)
        path = g.label(f.path) if f.path else ""
        shape = f.shape.rsplit("#", 1)[-1] if f.shape.startswith("http") else ""
        where = ", ".join(x for x in (path and f"path {path}", shape and f"shape {shape}") if x)
        out.append(
            AuditFinding(
                severity=_SHACL_SEVERITY.get(f.severity, "info"),
                check="shape",
                subject=_describe_node(g, f.focus),
                message=_readable(g, f.message) + (f" ({where})" if where else ""),
                nodes=(f.focus,),
                evidence=tuple(_node_evidence(g, f.focus)),
            )
        )
    return out


_IRI = re.compile(r"<?(https?://[^\s<>\"'{}|\\^`,)]+)>?")


def _readable(g: _Graph, message: str) -> str:
    """A SHACL message with every IRI it quotes replaced by that node's name."""
    return _IRI.sub(lambda m: g.label(m.group(1)), message)


def _describe_node(g: _Graph, iri: str) -> str:
    """What a focus node is, in words: an entity's name and class, an evidence's quote, …"""
    if iri in g.entities:
        ent = g.entities[iri]
        names = " / ".join(sorted(ent.pref)) if len(ent.pref) > 1 else ent.name
        return f"{names} ({ent.cls})"
    if iri in g.docs:
        return f"document {g.docs[iri].label}"
    if iri in g.evidence_by_iri:
        return f"evidence «{g.evidence_by_iri[iri].quote or ''}»"
    if iri in g.assertions:
        return "assertion " + _describe_triple(g, g.assertions[iri])
    return g.label(iri)


def _describe_triple(g: _Graph, triple: tuple[str, str, str]) -> str:
    s, p, o = triple
    return f"{g.label(s)} —{p}→ {g.label(o)}"


def _node_evidence(g: _Graph, iri: str) -> list[Evidence]:
    if iri in g.entities:
        return g.mention_evidence(g.entities[iri])
    if iri in g.evidence_by_iri:
        rec = g.evidence_by_iri[iri]
        return [Evidence(g.doc_label(rec.document or rec.graph), rec.quote or "", rec.start, rec.end)]
    if iri in g.assertions:
        return g.relation_evidence(g.assertions[iri])
    if iri in g.docs:
        return [Evidence(g.docs[iri].label, "")]
    return []


def _evidence_findings(g: _Graph) -> list[AuditFinding]:
    """Quotes that are not ``text[start:end]`` of their document any more, and stale hashes.

    Offsets that the shapes already reject (negative, start not before end, missing) are left
    to the SHACL check; here only well-formed offsets are compared with the text.
    """
    out = []
    for doc in sorted(g.docs.values(), key=lambda d: d.label):
        if doc.text is None or doc.content_hash is None:
            continue  # the shapes report a missing text or hash
        actual = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        if actual != doc.content_hash:
            out.append(
                AuditFinding(
                    "error",
                    "content-hash",
                    f"document {doc.label}",
                    f"pol:contentHash is {doc.content_hash[:12]}… but the stored text hashes to "
                    f"{actual[:12]}…: the text changed after the build; rebuild the document.",
                    nodes=(doc.iri,),
                    evidence=(Evidence(doc.label, ""),),
                )
            )
    for rec in sorted(g.evidence.values(), key=lambda r: (r.graph, r.start or 0, r.iri)):
        doc = g.docs.get(rec.document or rec.graph)
        if doc is None or doc.text is None or rec.quote is None or rec.start is None or rec.end is None:
            continue
        if not 0 <= rec.start < rec.end:
            continue
        actual = doc.text[rec.start : rec.end]
        if actual == rec.quote:
            continue
        backs = sorted(rec.triples)
        subject = "; ".join(_describe_triple(g, t) for t in backs) or f"evidence {rec.iri}"
        if rec.end > len(doc.text):
            what = f"offsets {rec.start}–{rec.end} lie outside the text ({len(doc.text)} characters)"
        else:
            what = f"the text at {rec.start}–{rec.end} reads «{actual}»"
        found = doc.text.find(rec.quote)
        hint = f"; the quote occurs at offset {found}" if found >= 0 else "; the quote is not in the text"
        out.append(
            AuditFinding(
                "error",
                "evidence-mismatch",
                subject,
                f"the evidence quotes «{rec.quote}» but {what}{hint}.",
                nodes=(rec.iri, *sorted({x for t in backs for x in (t[0], t[2])})),
                evidence=(Evidence(doc.label, rec.quote, rec.start, rec.end, note="stored quote"),),
            )
        )
    return out


def _measure_findings(g: _Graph) -> tuple[list[AuditFinding], set[tuple[str, str]]]:
    """Measures with responsible units but no lead (warning) and with joint leads (info).

    Returns the (measure, pol:leadUnit) pairs reported, so the shapes' own warning for the
    same fault is not reported a second time.
    """
    leads: dict[str, set[str]] = defaultdict(set)
    responsible: dict[str, set[str]] = defaultdict(set)
    for s, p, o in g.triples:
        if p == "leadUnit":
            leads[s].add(o)
        elif p == "responsibleUnit":
            responsible[s].add(o)
    out: list[AuditFinding] = []
    covered: set[tuple[str, str]] = set()
    measures = [e for e in g.entities.values() if "Measure" in e.classes]
    for m in sorted(measures, key=lambda e: (e.name, e.iri)):
        subject = _measure_subject(g, m)
        if responsible[m.iri] and not leads[m.iri]:
            units = sorted(responsible[m.iri], key=g.label)
            quotes = _dedupe(x for u in units for x in g.relation_evidence((m.iri, "responsibleUnit", u)))
            out.append(
                AuditFinding(
                    "warning",
                    "no-lead",
                    subject,
                    f"{len(units)} responsible unit(s) ({'、'.join(g.label(u) for u in units)}) "
                    "but no lead unit.",
                    nodes=(m.iri, *units),
                    evidence=tuple(quotes),
                )
            )
            covered.add((m.iri, f"{NS}leadUnit"))
        if len(leads[m.iri]) > 1:
            units = sorted(leads[m.iri], key=g.label)
            quotes = _dedupe(x for u in units for x in g.relation_evidence((m.iri, "leadUnit", u)))
            out.append(
                AuditFinding(
                    "info",
                    "joint-lead",
                    subject,
                    f"{len(units)} joint leads: {'、'.join(g.label(u) for u in units)}.",
                    nodes=(m.iri, *units),
                    evidence=tuple(quotes),
                )
            )
    return out, covered


def _measure_subject(g: _Graph, m: _Entity) -> str:
    policies = sorted(g.label(o) for s, p, o in g.triples if s == m.iri and p == "partOf")
    return f"measure «{m.name}»" + (f" of 《{policies[0]}》" if policies else "")


def _dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    out: dict[tuple[str, str, int | None], Evidence] = {}
    for e in evidence:
        out.setdefault((e.document, e.quote, e.start), e)
    return list(out.values())


# ------------------------------------------------------------------ duplicates and short names


def _nfkc(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def _why_equal(a: str, b: str) -> str:
    """How two names that fold to the same key differ."""
    if a == b:
        return "the same name"
    if _nfkc(a) != _nfkc(b) and to_simplified(_nfkc(a)) == to_simplified(_nfkc(b)):
        return "the same name in two scripts"
    return "the same name after normalisation (width, spaces, quotes)"


def _places_for_prefix(prefix: str, doc_regions: list[Region]) -> list[Region]:
    """The regions a name's opening can stand for: a full or short division name, or a level
    character (市, 区 …) meaning the document's own place or the one above it of that level."""
    gaz = gazetteer()
    if prefix in gaz.by_name:
        return list(gaz.by_name[prefix])
    if prefix in gaz.by_short:
        return list(gaz.by_short[prefix])
    if prefix in _LEVEL_CHARS:
        out = []
        for region in doc_regions:
            for r in (region, *gaz.ancestors(region)):
                if r.name.endswith(prefix):
                    out.append(r)
                    break
        return out
    return []


def _expansions(g: _Graph, ent: _Entity) -> set[str]:
    """Full names an entity's name abbreviates, by the reference tables of bodies.

    深圳市卫健委 -> 深圳市卫生健康委员会, 市医保局 in a Shenzhen document -> 深圳市医疗保障局,
    国家卫健委 -> 国家卫生健康委员会: a place (full, short, or a level character) followed by a
    standard body name or one of its official abbreviations, or a national body's alias.
    """
    name = clean_name(ent.name)
    out: set[str] = set()
    for nb in national_bodies():
        if name in {clean_name(a) for a in nb.aliases}:
            out.add(clean_name(nb.name))
    body = name.removeprefix("中共")
    doc_regions = g.regions_of_doc_places(ent)
    for cut in range(1, min(len(body), 16)):
        prefix, rest = body[:cut], body[cut:]
        places = _places_for_prefix(prefix, doc_regions)
        if not places:
            continue
        for bt in local_bodies():
            if rest != bt.name and rest not in bt.abbreviations:
                continue
            for region in places:
                short = region.short[0] if region.short else region.name
                out.add(clean_name(bt.full_name(region.name, short)))
    out.discard(name)
    return out


class _Union:
    """Union-find over node IRIs, remembering why each pair was joined."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: dict[frozenset[str], set[str]] = defaultdict(set)

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str, reason: str) -> None:
        self.reasons[frozenset((a, b))].add(reason)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return [sorted(v) for v in out.values() if len(v) > 1]


def _entity_place(g: _Graph, ent: _Entity) -> str:
    """The region an entity belongs to: its jurisdiction or location, else the most specific
    division named in its name; "" when unknown."""
    gaz = gazetteer()
    stated = sorted(
        g.label(o) for s, p, o in g.triples if s == ent.iri and p in ("jurisdiction", "locatedIn")
    )
    for name in stated:
        if name in gaz.by_name:
            return gaz.by_name[name][0].name
    name = clean_name(ent.name)
    best: Region | None = None
    for i in range(len(name)):
        for j in range(len(name), i + 1, -1):
            for region in gaz.by_name.get(name[i:j], []):
                if region.level == "country":
                    continue
                if best is None or len(gaz.ancestors(region)) > len(gaz.ancestors(best)):
                    best = region
    return best.name if best else (stated[0] if stated else "")


def _name_findings(g: _Graph) -> list[AuditFinding]:
    """Suspected duplicates (warning) and short names shared by several bodies.

    A node's canonical name (prefLabel) that, folded, is also a name of another node means
    the two are probably one entity split in two (same name, two scripts, a width or quote
    difference), as does a name that abbreviates another node's name in the same place. An
    alternative name that is nobody's canonical name but is shared by several nodes is a
    short form such as 市医保局: information when the bodies are of different places
    (each document resolves it to its own place), a warning when they are of the same place.
    """
    ents = sorted(g.entities.values(), key=lambda e: e.iri)
    pref_key: dict[str, list[_Entity]] = defaultdict(list)
    names_key: dict[str, list[tuple[_Entity, str]]] = defaultdict(list)
    for ent in ents:
        for name in ent.pref or [ent.name]:
            pref_key[clean_name(name)].append(ent)
        for name in sorted({*ent.pref, *ent.labels, *ent.alts}):
            key = clean_name(name)
            if key and (ent, name) not in names_key[key]:
                names_key[key].append((ent, name))

    union = _Union()
    for key, owners in sorted(pref_key.items()):
        for ent in owners:
            pref_name = next((n for n in ent.pref if clean_name(n) == key), ent.name)
            for other, other_name in names_key[key]:
                if other.iri != ent.iri:
                    union.join(ent.iri, other.iri, _why_equal(pref_name, other_name))
    for ent in ents:
        for full in sorted(_expansions(g, ent)):
            for other in pref_key.get(full, []):
                if other.iri != ent.iri:
                    union.join(ent.iri, other.iri, f"{ent.name} abbreviates {other.name}")

    out: list[AuditFinding] = []
    grouped: dict[str, int] = {}
    for i, members in enumerate(sorted(union.groups())):
        for iri in members:
            grouped[iri] = i
        reasons = sorted({r for pair, rs in union.reasons.items() if pair <= set(members) for r in rs})
        nodes = [g.entities[m] for m in members]
        nodes.sort(key=lambda e: (e.name, e.iri))
        out.append(
            AuditFinding(
                "warning",
                "duplicate",
                " / ".join(f"{e.name} ({e.cls})" for e in nodes),
                f"{len(nodes)} nodes look like one entity: {'; '.join(reasons)}.",
                nodes=tuple(e.iri for e in nodes),
                evidence=tuple(x for e in nodes for x in g.mention_evidence(e, limit=1)),
            )
        )

    for key, owners in sorted(names_key.items()):
        nodes = sorted({e.iri: e for e, _ in owners}.values(), key=lambda e: (e.name, e.iri))
        if len(nodes) < 2 or key in pref_key:
            continue
        if len({grouped.get(e.iri, e.iri) for e in nodes}) < 2:
            continue  # already reported as one duplicate group
        places = {e.iri: _entity_place(g, e) for e in nodes}
        short = sorted(n for _, n in owners)[0]
        distinct = {p for p in places.values() if p}
        kind = "bodies" if all(e.classes & _ACTORS for e in nodes) else "entities"
        listed = "、".join(f"{e.name}" + (f" ({places[e.iri]})" if places[e.iri] else "") for e in nodes)
        if all(places.values()) and len(distinct) == len(nodes):
            severity, check = "info", "shared-short-name"
            message = f"«{short}» names {kind} of different places: {listed}; each document means its own."
        elif all(places.values()):
            severity, check = "warning", "ambiguous-short-name"
            message = f"«{short}» names {len(nodes)} {kind} of one place: {listed}; one is probably wrong."
        else:
            severity, check = "info", "shared-short-name"
            message = f"«{short}» names {len(nodes)} {kind}: {listed}."
        out.append(
            AuditFinding(
                severity,
                check,
                f"short name «{short}»",
                message,
                nodes=tuple(e.iri for e in nodes),
                evidence=tuple(
                    _dedupe(
                        x
                        for e in nodes
                        for x in g.mention_evidence(e, limit=1, names=[n for o, n in owners if o is e])
                    )
                ),
            )
        )
    return out


def _orphan_findings(g: _Graph) -> list[AuditFinding]:
    """Entities that are neither subject nor object of any relation: named, but linked to nothing."""
    linked = {x for s, _p, o in g.triples for x in (s, o)}
    out = []
    for ent in sorted(g.entities.values(), key=lambda e: (e.cls, e.name, e.iri)):
        if ent.iri in linked:
            continue
        out.append(
            AuditFinding(
                "info",
                "orphan",
                f"{ent.name} ({ent.cls})",
                "in no relation: the documents name it but the graph links it to nothing.",
                nodes=(ent.iri,),
                evidence=tuple(g.mention_evidence(ent, limit=1)),
            )
        )
    return out


# ---------------------------------------------------------------------------- load and network


def _measure_units(g: _Graph) -> dict[str, dict[str, set[str]]]:
    """Per measure, its lead units and its responsible units (lead included)."""
    measures = {e.iri for e in g.entities.values() if "Measure" in e.classes}
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {p: set() for p in _RESPONSIBILITY})
    for s, p, o in g.triples:
        if s in measures and p in _RESPONSIBILITY:
            out[s][p].add(o)
    for units in out.values():
        units["responsibleUnit"] |= units["leadUnit"]
    return out


def _load(g: _Graph) -> list[AgencyLoad]:
    """Per actor with any measure: measures led, measures shared (responsible, not lead), and
    the number of documents that name it; most leads first."""
    led: dict[str, int] = defaultdict(int)
    shared: dict[str, int] = defaultdict(int)
    for units in _measure_units(g).values():
        for a in units["leadUnit"]:
            led[a] += 1
        for a in units["responsibleUnit"] - units["leadUnit"]:
            shared[a] += 1
    out = []
    for iri in set(led) | set(shared):
        ent = g.entities.get(iri)
        out.append(
            AgencyLoad(
                iri=iri,
                name=g.label(iri),
                cls=ent.cls if ent else "",
                led=led[iri],
                shared=shared[iri],
                documents=len(ent.docs) if ent else 0,
            )
        )
    out.sort(key=lambda a: (-a.led, -a.shared, -a.documents, a.name, a.iri))
    return out


def _network(g: _Graph) -> Network:
    """Actors linked when responsible for the same measure; communities by greedy modularity
    (deterministic for a given graph), betweenness unweighted (the number of hops between
    agencies, not the strength of their ties)."""
    graph = nx.Graph()
    for units in _measure_units(g).values():
        actors = sorted(units["responsibleUnit"])
        graph.add_nodes_from(actors)
        for i, a in enumerate(actors):
            for b in actors[i + 1 :]:
                w = graph.get_edge_data(a, b, {"weight": 0})["weight"]
                graph.add_edge(a, b, weight=w + 1)
    if graph.number_of_nodes() == 0:
        return Network()
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    found = greedy_modularity_communities(graph, weight="weight") if graph.number_of_edges() else []
    communities = sorted(
        ([*sorted(c, key=g.label)] for c in found),
        key=lambda c: (-len(c), g.label(c[0])),
    )
    community_of = {n: i + 1 for i, c in enumerate(communities) for n in c}
    for n in sorted(graph.nodes):  # isolated nodes when there are no edges at all
        if n not in community_of:
            communities.append([n])
            community_of[n] = len(communities)
    nodes = []
    for n in graph.nodes:
        others = sorted({community_of[m] for m in graph.neighbors(n)} - {community_of[n]})
        weight_to: dict[int, int] = defaultdict(int)
        for m in graph.neighbors(n):
            weight_to[community_of[m]] += graph.edges[n, m]["weight"]
        total = sum(weight_to.values())
        # Guimerà and Amaral's participation coefficient: 0 when every link stays in the
        # agency's community, towards 1 when its links spread evenly over many communities
        participation = 1 - sum((w / total) ** 2 for w in weight_to.values()) if total else 0.0
        nodes.append(
            NetworkNode(
                iri=n,
                name=g.label(n),
                degree=graph.degree(n),
                weighted_degree=int(graph.degree(n, weight="weight")),
                betweenness=round(betweenness[n], 4),
                community=community_of[n],
                participation=round(participation, 3),
                bridges_to=tuple(others),
            )
        )
    nodes.sort(key=lambda x: (-x.degree, -x.betweenness, x.name))
    edges = sorted(
        ((*sorted((g.label(a), g.label(b))), int(d["weight"])) for a, b, d in graph.edges(data=True)),
        key=lambda e: (-e[2], e[0], e[1]),
    )
    return Network(
        nodes=nodes,
        edges=[(str(a), str(b), int(w)) for a, b, w in edges],
        communities=[[g.label(n) for n in c] for c in communities],
    )


# ---------------------------------------------------------------------------- entry points

_ORDER = {c: i for i, c in enumerate(CHECKS)}


def audit(store: GraphStore) -> AuditReport:
    """Audit every document graph of ``store``; findings sorted by severity, check, subject."""
    g = _Graph(store)
    measure_findings, covered = _measure_findings(g)
    findings = [
        *_shape_findings(store, g, covered),
        *_evidence_findings(g),
        *measure_findings,
        *_name_findings(g),
        *_orphan_findings(g),
    ]
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), _ORDER.get(f.check, 99), f.subject))
    return AuditReport(
        store=str(store.path),
        documents=sorted(d.label for d in g.docs.values()),
        findings=findings,
        load=_load(g),
        network=_network(g),
    )


FORMATS = ("md", "html", "json")
_EXTENSIONS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def output_format(path: Path | None, requested: str | None) -> str:
    """``--format`` if given, else the output file's extension, else Markdown."""
    if requested:
        return requested
    return _EXTENSIONS.get(path.suffix.lower(), "md") if path is not None else "md"


def cmd_audit(args: argparse.Namespace) -> int:
    """Write the report, then exit 3 if ``--fail-on`` severity (or worse) was found."""
    from graph.audit_report import render

    fmt = output_format(args.output, args.format)
    with GraphStore(args.store, read_only=True) as store:
        report = audit(store)
    text = render(report, fmt)
    summary = report.summary()
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {fmt} audit to {args.output}: {summary}")
    if report.fails(args.fail_on):
        print(f"policy-graph audit: findings at or above {args.fail_on}: {summary}", file=sys.stderr)
        return EXIT_FINDINGS
    return 0


def add_command(
    sub: argparse._SubParsersAction, store_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``policy-graph audit``."""
    p = sub.add_parser(
        "audit",
        help="check the graph and report findings with their evidence",
        description="Check the graph against the SHACL shapes and for measures without a lead, joint "
        "leads, suspected duplicate entities, shared short names, entities in no relation and evidence "
        "quotes that no longer match their document; measure each agency's responsibility load and the "
        "co-responsibility network. Every finding shows the document and quote behind it. "
        f"Exit status {EXIT_FINDINGS} with --fail-on when findings of that severity or worse exist.",
    )
    p.add_argument(
        "-o", "--output", type=Path, default=None, metavar="FILE", help="file to write (default: stdout)"
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="report format (default: from FILE's extension, else md)",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default=None,
        help=f"exit with status {EXIT_FINDINGS} if findings of this severity or worse exist",
    )
    store_option(p)
    p.set_defaults(func=cmd_audit)
