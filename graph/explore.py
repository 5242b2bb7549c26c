"""``policy-graph html``: choose the part of the graph to look at and write it as one offline
HTML page (the page itself is made by ``graph/explore_page.py``).

The graph is read from the store into networkx: entities are nodes (class, canonical name,
every other name), relation triples are edges carrying their evidence (quote, document title
and date). Filters then cut it down: an entity's neighbourhood (``--focus`` found by any of
its names, ``--depth`` steps in either direction), classes, relations, one document, and a
node limit that keeps the best-connected entities and says what it left out.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from graph.normalise import to_simplified
from graph.ontology import entity_classes, relations
from graph.store import GraphStore, StoreError

DEFAULT_MAX_NODES = 5000


class SelectionError(Exception):
    """A filter that matches nothing the graph holds: the message names what does exist."""


@dataclass
class Selection:
    """The part of the graph to draw, and what was left out by the node limit."""

    graph: nx.MultiDiGraph
    total: int  # entities that matched the filters before the node limit
    documents: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> label, title, date

    @property
    def cut(self) -> bool:
        return self.graph.number_of_nodes() < self.total


# ---------------------------------------------------------------- reading the store

_ENTITIES = """SELECT DISTINCT ?e ?c ?name WHERE { ?e a ?c ; skos:prefLabel ?name }"""
_ALIASES = """SELECT DISTINCT ?e ?alias WHERE { ?e skos:altLabel ?alias }"""
_DOCUMENTS = """SELECT DISTINCT ?d ?label ?title ?date WHERE {
  GRAPH ?d { ?d a pol:Document ; rdfs:label ?label . OPTIONAL { ?d dcterms:title ?title }
             OPTIONAL { ?d dcterms:date ?date } } }"""
_IN_DOCUMENT = """SELECT DISTINCT ?e ?d WHERE { GRAPH ?d { ?e skos:prefLabel ?name } }"""
_FACTS = """SELECT DISTINCT ?s ?p ?o ?quote ?start ?d WHERE {
  GRAPH ?d { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                pol:evidence [ pol:quote ?quote ; pol:startOffset ?start ] } }"""


def read_graph(store: GraphStore) -> tuple[nx.MultiDiGraph, dict[str, dict[str, str]]]:
    """Every entity and relation of the store, with names, documents and evidence."""
    classes = {str(info.iri): name for name, info in entity_classes().items()}
    rels = {str(info.iri): name for name, info in relations().items()}
    g = nx.MultiDiGraph()
    for row in store.query(_ENTITIES):
        cls = classes.get(row["c"].value)
        if cls:
            g.add_node(row["e"].value, cls=cls, name=row["name"].value, aliases=set(), documents=set())
    for row in store.query(_ALIASES):
        if row["e"].value in g:
            g.nodes[row["e"].value]["aliases"].add(row["alias"].value)
    for row in store.query(_IN_DOCUMENT):
        if row["e"].value in g:
            g.nodes[row["e"].value]["documents"].add(row["d"].value)
    documents = {
        row["d"].value: {
            "label": row["label"].value,
            "title": row["title"].value if row["title"] else row["label"].value,
            "date": row["date"].value if row["date"] else "",
        }
        for row in store.query(_DOCUMENTS)
    }
    edges: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in store.query(_FACTS):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        if p in rels and s in g and o in g:
            quote = {
                "quote": row["quote"].value,
                "start": int(row["start"].value),
                "document": row["d"].value,
            }
            edges.setdefault((s, rels[p], o), []).append(quote)
    for (s, rel, o), evidence in sorted(edges.items()):
        evidence.sort(key=lambda e: (str(e["document"]), e["start"]))
        g.add_edge(s, o, key=rel, relation=rel, evidence=evidence)
    return g, documents


# ---------------------------------------------------------------- filters


def find_entity(g: nx.MultiDiGraph, name: str) -> str:
    """The node named ``name`` by its canonical name or any alias, in either script."""
    wanted = {name.strip(), to_simplified(name.strip())}
    hits = sorted(n for n, d in g.nodes(data=True) if wanted & ({d["name"]} | d["aliases"]))
    if not hits:
        raise SelectionError(f"no entity is named {name!r}")
    names = sorted({g.nodes[h]["name"] for h in hits})
    if len(names) > 1:
        raise SelectionError(f"{name!r} names {len(hits)} entities ({'、'.join(names)}); give the full name")
    return hits[0]


def _check(given: Iterable[str], known: Iterable[str], what: str) -> set[str]:
    given, known = set(given), set(known)
    unknown = sorted(given - known)
    if unknown:
        raise SelectionError(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    return given


def select(
    g: nx.MultiDiGraph,
    documents: dict[str, dict[str, str]],
    *,
    focus: str | None = None,
    depth: int = 1,
    classes: Iterable[str] = (),
    relation_names: Iterable[str] = (),
    document: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Selection:
    """Apply the filters in the order a reader expects: what to keep, then where to look."""
    keep_classes = _check(classes, entity_classes(), "class")
    keep_relations = _check(relation_names, relations(), "relation")
    view = g.copy()
    if document is not None:
        doc = next(
            (d for d, info in documents.items() if document in (info["label"], info["title"], d)), None
        )
        if doc is None:
            labels = ", ".join(sorted(info["label"] for info in documents.values()))
            raise SelectionError(f"no document {document!r}; the graph has {labels}")
        view.remove_nodes_from([n for n, d in g.nodes(data=True) if doc not in d["documents"]])
        view.remove_edges_from(
            [
                (s, o, k)
                for s, o, k, d in view.edges(keys=True, data=True)
                if not any(e["document"] == doc for e in d["evidence"])
            ]
        )
        for _s, _o, d in view.edges(data=True):  # what this document says: its quotes only
            d["evidence"] = [e for e in d["evidence"] if e["document"] == doc]
    if keep_classes:
        view.remove_nodes_from([n for n, d in g.nodes(data=True) if d["cls"] not in keep_classes])
    centre = find_entity(g, focus) if focus is not None else None
    if keep_relations:
        view.remove_edges_from([(s, o, k) for s, o, k in view.edges(keys=True) if k not in keep_relations])
        # asking for some relations means asking for the entities they connect
        view.remove_nodes_from([n for n in list(view) if view.degree(n) == 0 and n != centre])
    if centre is not None:
        if centre not in view:
            raise SelectionError(f"{focus!r} is not in the part of the graph the other filters keep")
        view = view.subgraph(nx.ego_graph(view.to_undirected(as_view=True), centre, radius=depth)).copy()
        order = [centre, *(n for n in nx.bfs_tree(view.to_undirected(as_view=True), centre) if n != centre)]
    else:
        order = sorted(view, key=lambda n: (-view.degree(n), view.nodes[n]["name"], n))
    total = view.number_of_nodes()
    if total > max_nodes:
        view = view.subgraph(order[:max_nodes]).copy()
    return Selection(view, total, documents)


# ---------------------------------------------------------------- the command


def cmd_html(args: argparse.Namespace) -> int:
    from graph.explore_page import render

    try:
        with GraphStore(args.store, read_only=True) as store:
            g, documents = read_graph(store)
        chosen = select(
            g,
            documents,
            focus=args.focus,
            depth=args.depth,
            classes=args.cls or (),
            relation_names=args.relation or (),
            document=args.document,
            max_nodes=args.max_nodes,
        )
    except (StoreError, SelectionError) as exc:
        print(f"policy-graph html: {exc}", file=sys.stderr)
        return 1
    if chosen.graph.number_of_nodes() == 0:
        print("policy-graph html: nothing to draw: the filters keep no entity", file=sys.stderr)
        return 1
    page = render(chosen, title=args.title)
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(page, encoding="utf-8")
    except OSError as exc:
        print(f"policy-graph html: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    shown = chosen.graph
    print(f"wrote {args.output}: {shown.number_of_nodes()} entities, {shown.number_of_edges()} relations")
    if chosen.cut:
        print(
            f"policy-graph html: --max-nodes {args.max_nodes} cut the graph: showing "
            f"{shown.number_of_nodes()} of {chosen.total} entities",
            file=sys.stderr,
        )
    return 0


def add_command(
    sub: argparse._SubParsersAction, store_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``html`` to the command line."""
    parser = sub.add_parser(
        "html",
        help="write the graph as one interactive HTML page that works offline",
        description=(
            "Write the graph, or part of it, as one self-contained HTML page (vis-network via "
            "pyvis, everything inlined): colours and a legend by class, a search box over all "
            "names, toggles for classes and relations, and the evidence quotes of a node or "
            "edge on click."
        ),
        epilog=(
            "examples:\n"
            "  policy-graph html -o out/graph.html\n"
            "  policy-graph html -o out/ylb.html --focus 深圳医保局 --depth 2\n"
            "  policy-graph html -o out/leads.html --relation leadUnit --relation responsibleUnit\n"
            "  policy-graph html -o out/doc.html --document 001_7e66034cdb9a4942.txt"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the page to write")
    parser.add_argument("--focus", metavar="NAME", help="only this entity's neighbourhood (any of its names)")
    parser.add_argument("--depth", type=int, default=1, metavar="N", help="steps around --focus (default 1)")
    parser.add_argument(
        "--class",
        dest="cls",
        action="append",
        metavar="CLASS",
        help=f"keep only this class (repeatable): {', '.join(entity_classes())}",
    )
    parser.add_argument(
        "--relation",
        action="append",
        metavar="REL",
        help="keep only this relation and the entities it connects (repeatable)",
    )
    parser.add_argument(
        "--document", metavar="DOC", help="only what this document states (file name or title)"
    )
    parser.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"draw at most N entities, the best connected first (default {DEFAULT_MAX_NODES})",
    )
    parser.add_argument("--title", default="policy-graph", help="the page's title")
    store_option(parser)
    parser.set_defaults(func=cmd_html)
