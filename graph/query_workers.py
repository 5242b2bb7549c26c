"""Queries under a time limit: a small pool of worker processes, each ready before it is used.

Oxigraph cannot cancel a query inside the process that runs it, so a query that must be
stopped has to run in a process that can be killed. Each worker is started (``spawn``: the
server is threaded, so nothing is forked from it), imports the package, checks that it can
open the store and says it is ready; only then does it take queries, so the time limit
measures the query and not the start of a Python process. A worker opens the store
read-only for each query, which costs a few milliseconds and means a rebuild of the store
while the server runs is seen by the next query. A worker still busy at the time limit is
killed and a new one is started in the background.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from dataclasses import dataclass
from http import HTTPStatus
from multiprocessing.connection import Connection
from pathlib import Path

from graph.sparql import QueryError, media_type, run, serialize
from graph.store import GraphStore, StoreError

_CONTEXT = multiprocessing.get_context("spawn")
_READY = "ready"
_START_LIMIT = 120.0  # seconds a new worker may take to import the package and open the store


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type and body; ``truncated`` when rows were cut."""

    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def answer(store: str, sparql: str, fmt: str, max_rows: int) -> Reply:
    """Run one query on the store and serialise it: what a worker does for each request."""
    try:
        with GraphStore(store, read_only=True) as opened:
            result = run(opened, sparql, max_rows=max_rows)
        body = serialize(result, fmt)
    except QueryError as exc:
        return text_reply(HTTPStatus.BAD_REQUEST, f"malformed query: {exc}")
    except StoreError as exc:
        return text_reply(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))
    return Reply(HTTPStatus.OK, media_type(result, fmt) + "; charset=utf-8", body, result.truncated)


def _worker_main(conn: Connection, store: str) -> None:
    """A worker's life: say it is ready, then answer one query after another until closed.

    Ctrl-C at the terminal reaches the whole process group; the server stops its workers
    itself, so a worker ignores it rather than print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        GraphStore(store, read_only=True).close()
    except StoreError as exc:
        conn.send(str(exc))
        return
    conn.send(_READY)
    while True:
        try:
            sparql, fmt, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, sparql, fmt, max_rows))


class _Worker:
    def __init__(self, store: str) -> None:
        self.conn, child_conn = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_worker_main, args=(child_conn, store), daemon=True)
        self.process.start()
        child_conn.close()

    def wait_ready(self) -> None:
        """Block until the worker can take queries; raise StoreError if it cannot."""
        if not self.conn.poll(_START_LIMIT):
            self.stop()
            raise StoreError(f"a query worker did not start within {_START_LIMIT:g} s")
        try:
            message = self.conn.recv()
        except EOFError:
            message = "a query worker ended while starting"
        if message != _READY:
            self.stop()
            raise StoreError(message)

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes over one store; ``execute`` runs a query under ``timeout``."""

    def __init__(self, store: Path, size: int, timeout: float) -> None:
        self.store, self.size, self.timeout = str(store), size, timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False

    def start(self) -> None:
        """Start every worker and wait until all are ready (raises StoreError if one cannot)."""
        workers = [self._new() for _ in range(self.size)]
        for worker in workers:
            worker.wait_ready()
            self._idle.put(worker)

    def _new(self) -> _Worker:
        worker = _Worker(self.store)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Stop a worker and start another in the background, put in the pool once ready."""
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return

        def start_one() -> None:
            fresh = self._new()
            try:
                fresh.wait_ready()
            except StoreError:
                with self._lock:
                    self._workers.discard(fresh)
                return
            self._idle.put(fresh)

        threading.Thread(target=start_one, daemon=True).start()

    def execute(self, sparql: str, fmt: str, max_rows: int) -> Reply:
        """Run a query in an idle worker; a query still running at the time limit is killed."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return text_reply(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"server busy: all {self.size} query workers stayed busy for {self.timeout:g} s; try again",
            )
        try:
            worker.conn.send((sparql, fmt, max_rows))
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                return text_reply(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"query stopped: it ran longer than the time limit of {self.timeout:g} s (--timeout)",
                )
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            return text_reply(HTTPStatus.INTERNAL_SERVER_ERROR, "the query worker ended without an answer")
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()
