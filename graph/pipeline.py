"""The whole way of one document: read -> normalise -> extract -> resolve -> write -> store.

Each stage is its own module; this one only strings them together, shows progress, and
keeps going past a bad file (the file is reported with its reason and nothing already in
the store is lost, since a document's graph is replaced in one transaction).
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
from graph.read import ReadError, iter_paths, load_manifest, read_document
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


def load(path: Path, manifests: dict[Path, dict[str, dict[str, Any]]]) -> Document:
    """Read one file with the manifest entry of its folder, if any."""
    folder = path.parent
    if folder not in manifests:
        manifests[folder] = load_manifest(folder)
    meta = manifests[folder].get(path.name)
    return read_document(path, meta)


def build(
    paths: Iterable[Path],
    store: GraphStore,
    *,
    progress: bool = True,
    on_error: Callable[[str, str], None] | None = None,
) -> BuildReport:
    """Build (or re-build) the named graph of every document under ``paths``."""
    report = BuildReport()
    files = list(iter_paths(paths))
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    store.load_ontology()
    bar = tqdm(files, desc="building", unit="doc", disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.name[:40])
        try:
            doc = load(path, manifests)
            quads = process(doc)
        except ReadError as exc:
            report.failed.append((str(path), exc.reason))
            if on_error:
                on_error(str(path), exc.reason)
            continue
        except Exception as exc:  # an extractor bug must not stop the other documents
            reason = f"extraction failed: {type(exc).__name__}: {exc}"
            report.failed.append((str(path), reason))
            if on_error:
                on_error(str(path), reason)
            continue
        store.replace_graph(document_iri(doc.doc_id), quads)
        report.built.append(str(path))
        report.quads += len(quads)
    return report
