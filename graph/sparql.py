"""Running SPARQL on the store and writing the results: the one place the command line,
the Python API and the HTTP endpoint share.

Queries run with the union of all graphs (every document's, and the ontology's) as the
default graph and the project's prefixes (``pol:``, ``skos:``, ``rdfs:``, ``rdf:``,
``prov:``, ``dcterms:``, ``xsd:``) declared, so a user writes ``?m pol:leadUnit ?u`` without
a prologue. Results are read up to a row limit at most, so a runaway query cannot fill
memory; the result says when it was cut. docs/query.md documents all three ways in.

Python use::

    from graph.sparql import select
    rows = select("policy-graph-store", "SELECT DISTINCT ?n WHERE { ?a a pol:Agency ; skos:prefLabel ?n }")
    # [{'n': '深圳市卫生健康委员会'}, ...]
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from graph.store import PREFIXES, GraphStore

QUERY_DIR = Path(__file__).parent / "queries"

# Result formats of SELECT and ASK, by the name users give and by media type.
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPE = "text/turtle"
_XSD = "http://www.w3.org/2001/XMLSchema#"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}


class QueryError(Exception):
    """A query that cannot run: the message is the parser's or evaluator's own."""


@dataclass(frozen=True)
class NamedQuery:
    """A competency question kept as ``graph/queries/<name>.rq``; its leading comment says why."""

    name: str
    purpose: str
    text: str


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    out = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comment = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        out[path.stem] = NamedQuery(path.stem, " ".join(comment), text)
    return out


def named_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; choose one of: {', '.join(queries)}")
    return queries[name]


@dataclass
class Result:
    """A query's answer, read into memory up to the row limit."""

    kind: str  # "select", "ask" or "graph" (CONSTRUCT, DESCRIBE)
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False  # more rows or triples existed than the limit allowed


def run(store: GraphStore, sparql: str, *, max_rows: int | None = None) -> Result:
    """Run a query; read at most ``max_rows`` rows (or triples), noting when there were more."""
    try:
        answer = store.query(sparql)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(str(exc)) from exc
    try:
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            triples, truncated = _take(answer, max_rows)
            return Result("graph", triples=triples, truncated=truncated)
        variables = [v.value for v in answer.variables]
        solutions, truncated = _take(answer, max_rows)
        rows = [[s[v] for v in variables] for s in solutions]
        return Result("select", variables=variables, rows=rows, truncated=truncated)
    except OSError as exc:  # evaluation errors surface while iterating
        raise QueryError(str(exc)) from exc


def _take(items: Iterable, limit: int | None) -> tuple[list, bool]:
    out = []
    for item in items:
        if limit is not None and len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def python_value(term: Term | None) -> str | int | float | None:
    """A term as a plain Python value: numbers as numbers, everything else as its text."""
    if term is None:
        return None
    if isinstance(term, ox.Triple):
        return _ntriples(term)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype in _DECIMALS:
            return float(term.value)
    return term.value


def select(store: GraphStore | Path | str, sparql: str) -> list[dict[str, str | int | float | None]]:
    """The Python API: run a SELECT on a store (an open one, or its folder) and get rows as dicts."""
    if isinstance(store, GraphStore):
        result = run(store, sparql)
    else:
        with GraphStore(store, read_only=True) as opened:
            result = run(opened, sparql)
    if result.kind != "select":
        raise QueryError("select() runs SELECT queries; use run() for ASK, CONSTRUCT or DESCRIBE")
    return [dict(zip(result.variables, map(python_value, row), strict=True)) for row in result.rows]


# ---------------------------------------------------------------- writing results


def media_type(result: Result, fmt: str) -> str:
    return GRAPH_TYPE if result.kind == "graph" else RESULT_TYPES[fmt]


def serialize(result: Result, fmt: str) -> bytes:
    """The result in a SPARQL 1.1 results format (json, xml, csv, tsv); graphs as Turtle.

    Oxigraph's own serialisers write every format. They write a whole result object, and a
    result cut at the row limit is a list of rows, so the rows are handed back to Oxigraph as
    the one format that is nothing but its own term syntax (TSV: N-Triples terms, one row a
    line, escapes included) and Oxigraph parses that and writes the format asked for.
    """
    if result.kind == "graph":
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    if fmt not in RESULT_TYPES:
        raise QueryError(f"unknown result format {fmt!r}; choose one of {', '.join(RESULT_TYPES)}")
    return _as_oxigraph(result).serialize(format=_FORMATS[fmt]) or b""


def _as_oxigraph(result: Result) -> ox.QuerySolutions | ox.QueryBoolean:
    if result.kind == "ask":
        return ox.parse_query_results(json.dumps({"head": {}, "boolean": result.boolean}), _FORMATS["json"])
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(_ntriples(t) for t in row) for row in result.rows]
    return ox.parse_query_results("\n".join(lines) + "\n", _FORMATS["tsv"])


def _ntriples(term: Term | None) -> str:
    """A term in N-Triples syntax (RDF 1.2 for a triple term); empty for an unbound value."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {_ntriples(term.subject)} {_ntriples(term.predicate)} {_ntriples(term.object)} )>>"
    return str(term)


# ---------------------------------------------------------------- the terminal table


def _short(term: Term | None) -> str:
    """A term as a person reads it: literals by their text, IRIs by a prefixed name."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple | ox.BlankNode):
        return _ntriples(term)
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return term.value
    return term.value


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(result: Result) -> str:
    """An aligned text table of a SELECT or ASK result (what ``policy-graph query`` prints)."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    cells = [[_short(t).replace("\n", " ") for t in row] for row in result.rows]
    widths = [max([_width(v), *(_width(r[i]) for r in cells)]) for i, v in enumerate(result.variables)]
    lines = [" | ".join(_pad(v, w) for v, w in zip(result.variables, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"
