"""``policy-graph query``: SPARQL from the terminal, inline, from a file, or by name from the
library of competency questions in ``graph/queries/``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from graph.sparql import RESULT_TYPES, QueryError, named_queries, named_query, run, serialize, table
from graph.store import GraphStore, StoreError

FORMATS = ("table", *RESULT_TYPES)

_EPILOG = """\
The project's prefixes are declared for you: pol: skos: rdfs: rdf: prov: dcterms: xsd:.
The default graph is the union of all documents' graphs (use GRAPH ?g to see which).
SELECT and ASK print as a table or in a SPARQL results format; CONSTRUCT and DESCRIBE
print Turtle.

examples:
  policy-graph query 'SELECT ?n WHERE { ?a a pol:Agency ; skos:prefLabel ?n }'
  policy-graph query --name lead-units --format csv > leads.csv
  policy-graph query --file my.rq --format json
  policy-graph query --list
"""


def _list_named() -> str:
    lines = []
    for q in named_queries().values():
        lines.append(f"{q.name}\n    {q.purpose}")
    return "\n".join(lines) + "\n"


def _read_query(args: argparse.Namespace) -> str:
    """The query text from exactly one of: the argument, ``--file``, ``--name``."""
    given = [x for x in (args.sparql, args.file, args.name) if x is not None]
    if len(given) != 1:
        raise QueryError("give exactly one query: inline, --file FILE or --name NAME (see --list)")
    if args.file is not None:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read query file {args.file}: {exc}") from exc
    if args.name is not None:
        return named_query(args.name).text
    return args.sparql


def cmd_query(args: argparse.Namespace) -> int:
    """Run one query and print it: 0 when it ran (rows or none), 1 when it could not."""
    if args.list:
        sys.stdout.write(_list_named())
        return 0
    try:
        if args.limit is not None and args.limit <= 0:
            raise QueryError("--limit must be positive")
        sparql = _read_query(args)
        with GraphStore(args.store, read_only=True) as store:
            result = run(store, sparql, max_rows=args.limit)
    except (QueryError, StoreError) as exc:
        print(f"policy-graph query: {exc}", file=sys.stderr)
        return 1
    if result.kind != "graph" and args.format == "table":
        sys.stdout.write(table(result))
    else:
        body = serialize(result, "json" if args.format == "table" else args.format)
        sys.stdout.flush()
        sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")  # end the terminal line
        sys.stdout.buffer.flush()
    if result.truncated:
        print(f"policy-graph query: stopped after {args.limit} results (--limit)", file=sys.stderr)
    return 0


def add_command(
    sub: argparse._SubParsersAction, store_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``query`` to the command line."""
    parser = sub.add_parser(
        "query",
        help="run a SPARQL query (inline, --file or --name)",
        description="Run a SPARQL query on the graph and print the result.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sparql", nargs="?", help="the query text")
    parser.add_argument("--file", metavar="FILE", help="read the query from FILE")
    parser.add_argument("--name", metavar="NAME", help="run a named query (see --list)")
    parser.add_argument("--list", action="store_true", help="list the named queries and what they ask")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output of SELECT/ASK: aligned table (default), csv, tsv, json or xml",
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="print at most N rows (default: all)"
    )
    store_option(parser)
    parser.set_defaults(func=cmd_query)
