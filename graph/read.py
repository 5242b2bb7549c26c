"""Stage 1: documents in. Files and folders become ``Document`` objects with metadata.

A folder may hold a ``manifest.json`` (see ``data/corpus/manifest.json``) giving each file's
title, date, place, issuer, source, genre and script; files without an entry get what can be
read off the text later (title from the first line, place from the names in it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graph.document import Document

MANIFEST = "manifest.json"
TEXT_SUFFIXES = (".txt", ".text", ".md")


class ReadError(Exception):
    """A file that cannot be read as a document; the message says why, in one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and the document files inside named folders, in sorted order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES:
                    yield child
        else:
            yield path


def load_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest entries of a folder, keyed by file name ({} when there is none)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(manifest, f"unreadable manifest ({exc})") from exc
    return {entry["file"]: entry for entry in data.get("documents", []) if "file" in entry}


def read_document(path: Path, meta: dict[str, Any] | None = None) -> Document:
    """Read one file into a ``Document``, or raise ``ReadError`` saying why not."""
    if not path.exists():
        raise ReadError(path, "no such file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot read ({exc.strerror})") from exc
    if not raw.strip():
        raise ReadError(path, "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(path, f"not UTF-8 text (byte {exc.start})") from exc
    metadata = dict(meta or {})
    metadata.setdefault("encoding", "utf-8")
    metadata.setdefault("format", "text")
    return Document(doc_id=path.name, text=text, path=path, meta=metadata)
