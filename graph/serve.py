"""``policy-graph serve``: a read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` and a query
page at ``/``, on loopback unless told otherwise.

The HTTP side is the standard library's threading server: the endpoint is for one person or
one program on this machine, and it needs nothing installed. Queries run in a pool of worker
processes (``graph.query_workers``) so that a query past the time limit can be stopped for
real and a crash cannot take the server down. The page is one HTML file with its script and
style inline, so it works with no network.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from graph.query_workers import Reply, WorkerPool, text_reply
from graph.sparql import RESULT_TYPES, named_queries
from graph.store import GraphStore, StoreError, default_store_path

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
DEFAULT_TIMEOUT, DEFAULT_MAX_ROWS = 30.0, 10_000
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# An update sent as a query would get the parser's "expected SELECT…" (400); spotting its
# first keyword, after any comments and prologue, gives the clear refusal (403) instead.
_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n]*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
_BY_TYPE = {t: f for f, t in RESULT_TYPES.items()}
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
NO_DATASET = (
    "default-graph-uri and named-graph-uri are not supported: the default graph is the union of "
    "all documents' graphs; use GRAPH <document> in the query"
)
MAX_BODY = 1_000_000  # bytes of a POSTed query


@dataclass(frozen=True)
class Settings:
    """What the server was started with; the page shows the limits."""

    store: Path
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    workers: int = DEFAULT_WORKERS


def result_format(accept: str, requested: str | None) -> str:
    """The SELECT/ASK format: an explicit ``format`` parameter, else the Accept header's most
    preferred type we serve, else JSON."""
    if requested in RESULT_TYPES:
        return requested
    choices = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = next((float(f[2:]) for f in fields[1:] if f.startswith("q=") and _is_float(f[2:])), 1.0)
        choices.append((-q, i, fields[0].lower()))
    for minus_q, _i, mtype in sorted(choices):
        if minus_q >= 0:  # q=0: not acceptable
            break
        if mtype in _BY_TYPE:
            return _BY_TYPE[mtype]
        if mtype == "application/json":
            return "json"
        if mtype in {"application/xml", "text/xml"}:
            return "xml"
    return "json"


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the HTTP side


class Handler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol: GET ?query=, POST form (query=) or POST application/sparql-query."""

    settings: Settings  # set on the subclass made by make_server
    pool: WorkerPool
    server_version = "policy-graph"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path == "/sparql":
            self._sparql(params)
        elif url.path == "/":
            body = page(self.settings, params.get("name", [""])[0]).encode("utf-8")
            self._send(Reply(HTTPStatus.OK, "text/html; charset=utf-8", body))
        elif url.path == "/queries":
            listing = [{"name": q.name, "purpose": q.purpose} for q in named_queries().values()]
            body = json.dumps(listing, ensure_ascii=False).encode("utf-8")
            self._send(Reply(HTTPStatus.OK, "application/json", body))
        elif url.path.startswith("/queries/") and url.path.endswith(".rq"):
            query = named_queries().get(url.path[len("/queries/") : -len(".rq")])
            if query is None:
                self._send(text_reply(HTTPStatus.NOT_FOUND, "no such named query: see /queries"))
            else:
                body = query.text.encode("utf-8")
                self._send(Reply(HTTPStatus.OK, "application/sparql-query; charset=utf-8", body))
        else:
            self._send(
                text_reply(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql, the query page is /")
            )

    def do_POST(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(
                text_reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a request body is at most {MAX_BODY} bytes")
            )
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        if url.path != "/sparql":
            self._send(text_reply(HTTPStatus.NOT_FOUND, "not found: POST queries to /sparql"))
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if ctype == "application/sparql-update":
            self._send(text_reply(HTTPStatus.FORBIDDEN, READ_ONLY))
        elif ctype == "application/sparql-query":
            self._sparql({**params, "query": [body]})
        elif ctype == "application/x-www-form-urlencoded":
            self._sparql({**params, **parse_qs(body)})
        else:
            message = (
                "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query"
            )
            self._send(text_reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, message))

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(text_reply(HTTPStatus.FORBIDDEN, READ_ONLY))
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._send(text_reply(HTTPStatus.BAD_REQUEST, NO_DATASET))
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._send(text_reply(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter"))
            return
        if _UPDATE.match(queries[0]):
            self._send(text_reply(HTTPStatus.FORBIDDEN, READ_ONLY))
            return
        fmt = result_format(self.headers.get("Accept") or "", params.get("format", [None])[0])
        self._send(self.pool.execute(queries[0], fmt, self.settings.max_rows))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.truncated:
            self.send_header("X-Result-Truncated", f"stopped after {self.settings.max_rows} results")
        self.end_headers()
        self.wfile.write(reply.body)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def make_server(
    settings: Settings, pool: WorkerPool, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    """A threading HTTP server whose handler knows the settings and the worker pool."""
    handler = type("BoundHandler", (Handler,), {"settings": settings, "pool": pool})
    server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
    server = server_class((host, port), handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------- the query page


_PAGE = Path(__file__).parent / "templates" / "query_page.html"
_SLOT = re.compile(r"\{(query|links|timeout|rows)\}")
_EXAMPLE = "SELECT ?agency WHERE {\n  ?a a pol:Agency ; skos:prefLabel ?agency .\n}\n"


def page(settings: Settings, name: str = "") -> str:
    """The query page; ``?name=`` preloads a named query. Every text is HTML-escaped, and the
    slots are filled in one pass so that a query's own text is never taken for a slot."""
    queries = named_queries()
    chosen = queries.get(name)
    links = "".join(
        f'<li><a href="/?name={html.escape(q.name)}">{html.escape(q.name)}</a> '
        f'<small>{html.escape(q.purpose)}</small> <a href="/queries/{html.escape(q.name)}.rq">.rq</a></li>'
        for q in queries.values()
    )
    slots = {
        "query": html.escape(chosen.text if chosen else _EXAMPLE),
        "links": links,
        "timeout": f"{settings.timeout:g}",
        "rows": str(settings.max_rows),
    }
    return _SLOT.sub(lambda m: slots[m.group(1)], _PAGE.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the command


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the workers (which checks the store), then serve until interrupted."""
    for name, value in (
        ("--timeout", args.timeout),
        ("--max-rows", args.max_rows),
        ("--workers", args.workers),
    ):
        if value <= 0:
            print(f"policy-graph serve: {name} must be positive", file=sys.stderr)
            return 1
    settings = Settings(Path(args.store or default_store_path()), args.timeout, args.max_rows, args.workers)
    pool = WorkerPool(settings.store, settings.workers, settings.timeout)
    try:
        GraphStore(settings.store, read_only=True).close()  # fail now, with the store's message
        pool.start()
        server = make_server(settings, pool, args.host, args.port)
    except StoreError as exc:
        pool.close()
        print(f"policy-graph serve: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        pool.close()
        print(f"policy-graph serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if args.host not in _LOOPBACK:
        print(f"policy-graph serve: listening on {args.host}, reachable from other machines", file=sys.stderr)
    host, port = server.server_address[:2]
    where = f"[{host}]" if ":" in host else host
    print(f"SPARQL endpoint http://{where}:{port}/sparql, query page http://{where}:{port}/", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the workers too, as Ctrl-C does
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
    return 0


def add_command(
    sub: argparse._SubParsersAction, store_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``serve`` to the command line."""
    parser = sub.add_parser(
        "serve",
        help="serve a read-only SPARQL endpoint and a query page over HTTP",
        description=(
            "Serve the graph over HTTP: a SPARQL 1.1 Protocol endpoint at /sparql (GET and POST; "
            "results as SPARQL JSON, XML, CSV or TSV by the Accept header or format=json|xml|csv|tsv; "
            "Turtle for CONSTRUCT and DESCRIBE) and a page at / to type queries. Updates are "
            "refused with 403, malformed queries get 400 with the parser's message, and a query "
            "past the time limit is stopped with 503."
        ),
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}, loopback only)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a query after this long (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"return at most N rows or triples per query (default {DEFAULT_MAX_ROWS})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        metavar="N",
        help=f"queries that can run at once, each in its own process (default {DEFAULT_WORKERS}: "
        "the CPUs, at most 4)",
    )
    store_option(parser)
    parser.set_defaults(func=cmd_serve)
