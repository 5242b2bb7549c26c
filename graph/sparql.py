"""Running SPARQL on the store and writing the results: the one place the command line,
the Python API and the HTTP endpoint share.

Queries run with the union of all document graphs as the default graph and the project's
prefixes (``pol:``, ``skos:``, ``rdfs:``, ``rdf:``, ``prov:``, ``dcterms:``, ``xsd:``)
declared, so a user writes ``?m pol:leadUnit ?u`` without a prologue. Results are read up to
a row limit at most, so a runaway query cannot fill memory; the result says when it was cut.

Python use::

    from graph.sparql import select
    rows = select("policy-graph-store", "SELECT ?n WHERE { ?a a pol:Agency ; skos:prefLabel ?n }")
    # [{'n': '深圳市卫生健康委员会'}, ...]
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

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
GRAPH_TYPE = "text/turtle"
_XSD = "http://www.w3.org/2001/XMLSchema#"
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
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]] = field(default_factory=list)
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


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | int | float | None:
    """A term as a plain Python value: numbers as numbers, everything else as its text."""
    if term is None:
        return None
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
    """The result in a SPARQL 1.1 results format (json, xml, csv, tsv); graphs as Turtle."""
    if result.kind == "graph":
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    if fmt not in RESULT_TYPES:
        raise QueryError(f"unknown result format {fmt!r}; choose one of {', '.join(RESULT_TYPES)}")
    return {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt](result).encode("utf-8")


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def _json(result: Result) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    body = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(body, ensure_ascii=False)


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != _XSD + "string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(result: Result) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            cells = [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(result.variables, row, strict=True)
                if t is not None
            ]
            out.append("<result>" + "".join(cells) + "</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def _ask_rows(result: Result) -> tuple[list[str], list[list[str]]]:
    return ["boolean"], [["true" if result.boolean else "false"]]


def _csv(result: Result) -> str:
    """SPARQL 1.1 CSV: plain values, CRLF line ends."""
    head, rows = (
        _ask_rows(result)
        if result.kind == "ask"
        else (result.variables, [["" if t is None else t.value for t in row] for row in result.rows])
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return buffer.getvalue()


def _tsv(result: Result) -> str:
    """SPARQL 1.1 TSV: terms in their N-Triples form, variables with their ``?``."""
    if result.kind == "ask":
        head, rows = _ask_rows(result)
        return "\n".join(["\t".join(head), *("\t".join(r) for r in rows)]) + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the terminal table


def _short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a person reads it: literals by their text, IRIs by a prefixed name."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns):]}"
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
