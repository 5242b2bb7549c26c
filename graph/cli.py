"""``policy-graph``: build the graph from documents, then export, query, serve, explore and
audit it.

Exit status (all commands): 0 success; 1 the command could not run (no store, bad option,
unwritable output); 2 ``build`` finished but skipped at least one file (listed on stderr);
3 ``audit --fail-on`` found findings of that severity (the report is still written).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from graph import __version__
from graph.pipeline import build
from graph.read import MAX_BYTES
from graph.resources import corpus_dir
from graph.store import DEFAULT_STORE, EXPORT_FORMATS, STORE_ENV, GraphStore, Stats, StoreError

EXIT_OK, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2

# Modules that add a command of their own (query, serve, html, audit): each defines
# ``add_command(subparsers, store_option)``. Listed here so ``--help`` shows them in order.
COMMAND_MODULES: tuple[str, ...] = ("graph.query", "graph.serve", "graph.explore", "graph.audit")

_DESCRIPTION = """\
policy-graph turns Chinese policy documents into one RDF knowledge graph of agencies,
policies, measures and who leads, funds and runs what, with the exact quote behind every
fact. Build it from documents, then export, query or explore it.
"""

_EPILOG = f"""\
The graph lives in an on-disk Oxigraph store: --store DIR, else ${STORE_ENV}, else
./{DEFAULT_STORE}. Exit status: 0 ok, 1 error, 2 build skipped some files,
3 audit --fail-on found findings of that severity.

examples:
  policy-graph build                      # the bundled corpus
  policy-graph build docs/ more.txt       # your own files and folders
  policy-graph export -f trig -o out/policy-graph.trig
  policy-graph stats
  policy-graph query --name lead-units    # named SPARQL questions (--list shows them)
  policy-graph serve                      # SPARQL endpoint at http://127.0.0.1:8000/sparql
  policy-graph html -o out/graph.html     # one offline page to explore the graph
  policy-graph audit -o out/audit.html    # responsibility gaps, loads, duplicates
"""


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"graph store folder (default: ${STORE_ENV} or ./{DEFAULT_STORE})",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policy-graph",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "build",
        help="extract documents into the graph store",
        description="Read documents (files or folders of text, HTML, Word .docx or PDF files, in UTF-8, "
        "GB18030 or Big5), extract entities and relations, and store each document as its own named graph, "
        "replacing any earlier build of the same file. With no PATH, builds the bundled corpus. A folder may "
        "hold a manifest.json with titles, dates and places. Unreadable files are skipped with a reason.",
    )
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: bundled corpus)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--max-bytes",
        type=int,
        default=MAX_BYTES,
        metavar="N",
        help=f"skip files larger than N bytes (default {MAX_BYTES:,})",
    )
    _store_option(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "export",
        help="write the graph to an RDF file",
        description="Write the whole graph to one file. trig, nq and jsonld keep one named graph per "
        "document; ttl writes the union of all graphs.",
    )
    p.add_argument(
        "-f", "--format", choices=sorted(EXPORT_FORMATS), default="trig", help="RDF format (default trig)"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="file to write")
    p.add_argument("--include-ontology", action="store_true", help="also write the ontology and shapes graph")
    _store_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="count documents, entities and relations in the store")
    _store_option(p)
    p.set_defaults(func=cmd_stats)
    for name in COMMAND_MODULES:
        # each reading stage owns its command: add_command(sub, store_option) adds a parser
        # whose defaults include func=<callable(args) -> exit status>
        importlib.import_module(name).add_command(sub, _store_option)
    return parser


def _print_stats(stats: Stats, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    print(f"documents  {stats.documents}", file=out)
    print(f"entities   {stats.entity_total}", file=out)
    for name, n in sorted(stats.entities.items()):
        print(f"  {name:<20} {n}", file=out)
    print(f"relations  {stats.relation_total}", file=out)
    for name, n in sorted(stats.relations.items()):
        print(f"  {name:<20} {n}", file=out)
    print(f"triples    {stats.triples}", file=out)


def cmd_build(args: argparse.Namespace) -> int:
    paths = args.paths or [corpus_dir()]
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"policy-graph: {p}: no such file or folder", file=sys.stderr)
    paths = [p for p in paths if p.exists()]

    def on_error(path: str, reason: str) -> None:
        print(f"skipped {path}: {reason}", file=sys.stderr)

    with GraphStore(args.store) as store:
        report = build(paths, store, progress=not args.quiet, on_error=on_error, max_bytes=args.max_bytes)
        stats = store.stats()
        where = store.path.resolve()
    print(f"built {len(report.built)} document(s) into {where}")
    if report.failed or missing:
        print(f"skipped {len(report.failed) + len(missing)} file(s):")
        for path, reason in report.failed:
            print(f"  {path}: {reason}")
        for p in missing:
            print(f"  {p}: no such file or folder")
    _print_stats(stats)
    print(f"next: policy-graph export -f trig -o policy-graph.trig --store {args.store or where}")
    return EXIT_SKIPPED if (report.failed or missing) else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    with GraphStore(args.store, read_only=True) as store:
        n = store.export(args.output, args.format, include_ontology=args.include_ontology)
    print(f"wrote {n} statements to {args.output}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    with GraphStore(args.store, read_only=True) as store:
        _print_stats(store.stats())
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (StoreError, OSError) as exc:
        print(f"policy-graph: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
