"""The whole way of one document: read -> normalise -> extract -> resolve -> write -> store.

Each stage is its own module; this one only strings them together, shows progress, and
keeps going past a bad file (the file is reported with its reason and nothing already in
the store is lost, since a document's graph is replaced in one transaction).

A build killed at any moment (even with SIGKILL) leaves every document's graph either as it
was before or as the new build wrote it, and the next build simply replaces each graph
again: there is no journal to replay and no state outside the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from tqdm import tqdm

from graph.document import Document
from graph.extract import extract
from graph.read import MAX_BYTES, ReadError, iter_paths, load_manifest, read_document
from graph.resolve import resolve
from graph.store import GraphStore
from graph.write import document_iri, document_quads


@dataclass
class BuildReport:
    """What a build did: documents stored, quads written, files that failed and why."""

    built: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    quads: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def process(doc: Document) -> list[ox.Quad]:
    """Normalise, extract, resolve and write one document: its named graph's quads."""
    doc.normalised()
    extract(doc)
    resolve(doc)
    return document_quads(doc)


def load(
    path: Path, manifests: dict[Path, dict[str, dict[str, Any]]], *, max_bytes: int = MAX_BYTES
) -> Document:
    """Read one file with the manifest entry of its folder, if any."""
    folder = path.parent
    if folder not in manifests:
        manifests[folder] = load_manifest(folder)
    meta = manifests[folder].get(path.name)
    return read_document(path, meta, max_bytes=max_bytes)


def _one_line(message: str, limit: int = 300) -> str:
    """A reason fit for one line of the build's report, however the exception put it."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def build(
    paths: Iterable[Path],
    store: GraphStore,
    *,
    progress: bool = True,
    on_error: Callable[[str, str], None] | None = None,
    max_bytes: int = MAX_BYTES,
) -> BuildReport:
    """Build (or re-build) the named graph of every document under ``paths``.

    A file that cannot be read, or whose extraction or storing fails, is reported through
    ``on_error(path, reason)`` and in ``BuildReport.failed`` and the build goes on; its
    graph from an earlier build, if any, is left as it was. Files over ``max_bytes`` are
    refused unread. Only an error of the store itself (disk full, lost lock) stops the build.
    """
    report = BuildReport()
    files = list(iter_paths(paths))
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    store.load_ontology()
    bar = tqdm(files, desc="building", unit="doc", disable=not progress)

    def fail(path: Path, reason: str) -> None:
        reason = _one_line(reason)
        report.failed.append((str(path), reason))
        if on_error:
            on_error(str(path), reason)

    for path in bar:
        bar.set_postfix_str(path.name[:40])
        if path.parent not in manifests:
            # a broken manifest is reported once; its folder's files are built without it
            try:
                manifests[path.parent] = load_manifest(path.parent)
            except ReadError as exc:
                manifests[path.parent] = {}
                fail(exc.path, exc.reason)
        try:
            doc = load(path, manifests, max_bytes=max_bytes)
            quads = process(doc)
        except ReadError as exc:
            fail(path, exc.reason)
            continue
        except Exception as exc:  # an extractor bug must not stop the other documents
            fail(path, f"extraction failed: {type(exc).__name__}: {exc}")
            continue
        try:
            store.replace_graph(document_iri(doc.doc_id), quads)
        except (SyntaxError, ValueError) as exc:  # the update was refused whole: nothing written
            fail(path, f"could not be stored: {type(exc).__name__}: {exc}")
            continue
        report.built.append(str(path))
        report.quads += len(quads)
    return report
