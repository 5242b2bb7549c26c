"""``policy-graph serve``: a read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` and a query
page at ``/``, on loopback unless told otherwise.

Each query runs in a child process that opens the store read-only, so a query past the time
limit can be stopped for real (Oxigraph cannot cancel a query inside a process) and a crash
cannot take the server down. Children come from a fork server that has the package already
imported, so starting one costs milliseconds.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from graph.sparql import RESULT_TYPES, QueryError, media_type, named_queries, run, serialize
from graph.store import GraphStore, StoreError, default_store_path

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
DEFAULT_TIMEOUT, DEFAULT_MAX_ROWS = 30.0, 10_000
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n]*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
_BY_TYPE = {t: f for f, t in RESULT_TYPES.items()}
_READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["graph.sparql"])


@dataclass(frozen=True)
class Settings:
    store: Path
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def _text(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


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
    for _q, _i, mtype in sorted(choices):
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


def _child(conn: Connection, store: str, sparql: str, fmt: str, max_rows: int) -> None:
    """Run one query in a child process and send back (status, type, body, truncated)."""
    try:
        with GraphStore(store, read_only=True) as opened:
            result = run(opened, sparql, max_rows=max_rows)
        body = serialize(result, fmt)
        conn.send((200, media_type(result, fmt) + "; charset=utf-8", body, result.truncated))
    except QueryError as exc:
        conn.send((400, "text/plain; charset=utf-8", f"malformed query: {exc}\n".encode(), False))
    except StoreError as exc:
        conn.send((500, "text/plain; charset=utf-8", f"{exc}\n".encode(), False))
    finally:
        conn.close()


def execute(settings: Settings, sparql: str, fmt: str) -> Reply:
    """Run a query under the time limit; a query still running at the limit is killed."""
    if _UPDATE.match(sparql):
        return _text(HTTPStatus.FORBIDDEN, _READ_ONLY)
    receiver, sender = _context.Pipe(duplex=False)
    proc = _context.Process(
        target=_child, args=(sender, str(settings.store), sparql, fmt, settings.max_rows), daemon=True
    )
    proc.start()
    sender.close()
    try:
        if not receiver.poll(settings.timeout):
            proc.kill()
            return _text(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"query stopped: it ran longer than the time limit of {settings.timeout:g} s (--timeout)",
            )
        try:
            status, ctype, body, truncated = receiver.recv()
        except EOFError:
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, "the query process ended without an answer")
        return Reply(status, ctype, body, truncated)
    finally:
        receiver.close()
        proc.join(timeout=5)


# ---------------------------------------------------------------- the HTTP side


class Handler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol: GET ?query=, POST form (query=) or POST application/sparql-query."""

    settings: Settings  # set on the subclass made by make_server
    server_version = "policy-graph"

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path == "/sparql":
            self._sparql(params)
        elif url.path == "/":
            body = page(self.settings, params.get("name", [""])[0]).encode()
            self._send(Reply(200, "text/html; charset=utf-8", body))
        elif url.path.startswith("/queries/") and url.path.endswith(".rq"):
            query = named_queries().get(url.path[len("/queries/") : -3])
            if query is None:
                self._send(_text(HTTPStatus.NOT_FOUND, "no such named query"))
            else:
                self._send(Reply(200, "application/sparql-query; charset=utf-8", query.text.encode()))
        elif url.path == "/queries":
            listing = [{"name": q.name, "purpose": q.purpose} for q in named_queries().values()]
            self._send(Reply(200, "application/json", json.dumps(listing, ensure_ascii=False).encode()))
        else:
            self._send(_text(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql, the query page is /"))

    def do_POST(self) -> None:
        url = urlparse(self.path)
        if url.path != "/sparql":
            self._send(_text(HTTPStatus.NOT_FOUND, "not found: POST queries to /sparql"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if ctype == "application/sparql-update":
            self._send(_text(HTTPStatus.FORBIDDEN, _READ_ONLY))
        elif ctype == "application/sparql-query":
            self._sparql({**params, "query": [body]})
        elif ctype == "application/x-www-form-urlencoded":
            self._sparql({**params, **parse_qs(body)})
        else:
            self._send(
                _text(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "POST a query as application/x-www-form-urlencoded (query=...) "
                    "or as application/sparql-query",
                )
            )

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._send(_text(HTTPStatus.FORBIDDEN, _READ_ONLY))
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._send(_text(HTTPStatus.BAD_REQUEST, "give exactly one 'query' parameter"))
            return
        fmt = result_format(self.headers.get("Accept") or "", params.get("format", [None])[0])
        self._send(execute(self.settings, queries[0], fmt))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.truncated:
            self.send_header("X-Result-Truncated", f"stopped after {self.settings.max_rows} results")
        self.end_headers()
        self.wfile.write(reply.body)


def make_server(
    settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"settings": settings})
    return ThreadingHTTPServer((host, port), handler)


# ---------------------------------------------------------------- the query page


_PAGE = Path(__file__).parent / "templates" / "query_page.html"


_EXAMPLE = "SELECT ?agency WHERE {\n  ?a a pol:Agency ; skos:prefLabel ?agency .\n}\n"


def page(settings: Settings, name: str = "") -> str:
    """The query page; ``?name=`` preloads a named query. Every text is HTML-escaped."""
    queries = named_queries()
    chosen = queries.get(name)
    text = chosen.text if chosen else _EXAMPLE
    links = "".join(
        f'<li><a href="/?name={html.escape(q.name)}">{html.escape(q.name)}</a> '
        f'<small>{html.escape(q.purpose)}</small> <a href="/queries/{html.escape(q.name)}.rq">.rq</a></li>'
        for q in queries.values()
    )
    return (
        _PAGE.read_text(encoding="utf-8")
        .replace("{query}", html.escape(text))
        .replace("{links}", links)
        .replace("{timeout}", f"{settings.timeout:g}")
        .replace("{rows}", str(settings.max_rows))
    )


# ---------------------------------------------------------------- the command


def cmd_serve(args: argparse.Namespace) -> int:
    store = args.store or default_store_path()
    try:
        GraphStore(store, read_only=True).close()  # fail now, not on the first query
    except StoreError as exc:
        print(f"policy-graph serve: {exc}", file=sys.stderr)
        return 1
    settings = Settings(Path(store), timeout=args.timeout, max_rows=args.max_rows)
    try:
        server = make_server(settings, args.host, args.port)
    except OSError as exc:
        print(f"policy-graph serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    if args.host not in _LOOPBACK:
        print(f"policy-graph serve: listening on {args.host}, reachable from other machines", file=sys.stderr)
    host, port = server.server_address[:2]
    print(f"SPARQL endpoint http://{host}:{port}/sparql, query page http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
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
    store_option(parser)
    parser.set_defaults(func=cmd_serve)

