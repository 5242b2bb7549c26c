"""Crash safety: a build killed with SIGKILL leaves only whole documents, and the next one carries on.

Each document's graph is replaced by one SPARQL update (``DROP SILENT GRAPH <g> ; INSERT
DATA {…}``), which Oxigraph applies as one RocksDB transaction. These tests kill real
processes at many points and then look at what is on disk:

* a ``policy-graph build`` of 30 documents killed before, during and after its documents;
* a writer that does nothing but replace four large graphs by one of two versions, so that
  nearly every kill lands inside a transaction.

After each kill the store must open, every named graph in it must be exactly a graph a
clean build writes (the ontology's, or a document's old or new version, never part of one),
documents once stored stay stored, and finally a build completes to the very same store as
a clean build (sorted N-Quads equal).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.document import Document
from graph.pipeline import build, process
from graph.store import ONTOLOGY_GRAPH, GraphStore

ROOT = Path(__file__).resolve().parents[1]
COPIES = 6  # 30 documents: a build of some seconds, long enough to be killed at many points
BIG_DOC = "001_7e66034cdb9a4942.txt"  # ~2,800 quads: its replacement takes ~0.1 s


def _nquads(quads: list[ox.Quad]) -> str:
    """Sorted N-Quads; blank node labels (the ontology has some, fresh on every load) blanked."""
    return "".join(sorted(_BNODE.sub("_:b", f"{q} .\n") for q in quads))


_BNODE = re.compile(r"_:[0-9A-Za-z]+")


def _graphs(store: GraphStore) -> dict[str, str]:
    """Sorted N-Quads of every named graph in the store, found from the quads themselves.

    Not ``document_graphs()``: a half-written graph might lack its ``a pol:Document``.
    """
    db = store.oxigraph
    return {str(g): _nquads(list(db.quads_for_pattern(None, None, None, g))) for g in db.named_graphs()}


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """The bundled documents, six times over under different names, with their manifest."""
    folder = tmp_path_factory.mktemp("crash") / "docs"
    folder.mkdir()
    entries = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["documents"]
    documents = []
    for k in range(COPIES):
        for entry in entries:
            name = f"{k:02d}_{entry['file']}"
            shutil.copy(corpus / entry["file"], folder / name)
            documents.append({**entry, "file": name})
    (folder / "manifest.json").write_text(json.dumps({"documents": documents}), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def clean(many: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """Every graph of an uninterrupted build, and its whole store as sorted N-Quads."""
    with GraphStore(tmp_path_factory.mktemp("clean") / "store") as store:
        report = build([many], store, progress=False)
        assert report.ok and len(report.built) == 5 * COPIES
        return _graphs(store), store.sorted_nquads()


class _Progress:
    """Reads tqdm's progress from a build's stderr: how many documents are done."""

    def __init__(self, stream) -> None:
        self.done = -1  # -1: the bar has not appeared yet
        self._stream = stream
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for chunk in iter(lambda: self._stream.read1(4096), b""):
            counts = re.findall(rb"(\d+)/\d+ \[", chunk)
            if counts:
                self.done = max(self.done, int(counts[-1]))


def _assert_only_whole_graphs(store_path: Path, clean_graphs: dict[str, str]) -> set[str]:
    """Open the store as the next build would, and check every graph in it is whole."""
    with GraphStore(store_path) as store:
        graphs = _graphs(store)
    for g, nquads in graphs.items():
        assert g in clean_graphs, f"unknown graph {g}"
        assert nquads == clean_graphs[g], f"graph {g} is not whole"
    return set(graphs)


# (documents done, then seconds more) before SIGKILL; None: that long after the start,
# while Python is still importing or the store is being created
KILL_POINTS = [(None, 0.5), (0, 0.0), (2, 0.05), (11, 0.03), (23, 0.0)]


def test_build_killed_at_many_points_leaves_whole_documents(many: Path, clean, tmp_path: Path) -> None:
    clean_graphs, clean_nquads = clean
    store = tmp_path / "store"
    present: set[str] = set()
    killed = 0
    for done, extra in KILL_POINTS:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "build", str(many), "--store", str(store)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        progress = _Progress(proc.stderr)
        deadline = time.monotonic() + 60
        while done is not None and progress.done < done and proc.poll() is None:
            assert time.monotonic() < deadline, "the build made no progress"
            time.sleep(0.005)
        time.sleep(extra)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed += proc.returncode == -signal.SIGKILL
        now = _assert_only_whole_graphs(store, clean_graphs)
        assert present <= now, "a document stored before was lost"
        present = now
    assert killed == len(KILL_POINTS)  # every build really was cut short
    assert 0 < len(present - {str(ONTOLOGY_GRAPH)}) < 5 * COPIES

    # the next build carries on and ends where a clean build ends
    run = subprocess.run(
        [sys.executable, "-m", "graph.cli", "build", str(many), "--store", str(store), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (run.returncode, run.stderr) == (0, "")
    with GraphStore(store, read_only=True) as s:
        assert s.sorted_nquads() == clean_nquads
        assert _graphs(s) == clean_graphs  # the ontology's graph too, blank node labels aside


_WRITER = """
import sys, pyoxigraph as ox
from graph.store import GraphStore
versions = [list(ox.parse(path=p, format=ox.RdfFormat.N_QUADS)) for p in sys.argv[2:4]]
graphs = [ox.NamedNode(f"https://example.org/crash/{k}") for k in range(4)]
with GraphStore(sys.argv[1]) as store:
    i = 0
    while True:
        for g in graphs:
            store.replace_graph(g, [ox.Quad(q.subject, q.predicate, q.object, g) for q in versions[i % 2]])
        if i == 0:
            print("ready", flush=True)  # every graph is written whole once
        i += 1
"""


def test_killed_inside_graph_replacement_keeps_old_or_new(corpus: Path, tmp_path: Path) -> None:
    """Kill a process that spends nearly all its time inside ``replace_graph``."""
    text = (corpus / BIG_DOC).read_text(encoding="utf-8")
    versions = []
    for k, body in enumerate((text, text + "\n市医疗保障局负责，各区人民政府配合。\n")):
        quads = process(Document(doc_id=BIG_DOC, text=body))
        path = tmp_path / f"v{k}.nq"
        ox.serialize(quads, str(path), ox.RdfFormat.N_QUADS)
        versions.append(quads)
    assert _nquads(versions[0]) != _nquads(versions[1])
    store = tmp_path / "store"
    allowed: dict[str, dict[str, int]] = {}  # graph -> {its N-Quads in version v: v}
    for k in range(4):
        g = ox.NamedNode(f"https://example.org/crash/{k}")
        allowed[str(g)] = {
            _nquads([ox.Quad(q.subject, q.predicate, q.object, g) for q in v]): n
            for n, v in enumerate(versions)
        }
    seen_versions: set[int] = set()
    for delay in (0.0, 0.07, 0.19, 0.31, 0.48):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(store), str(tmp_path / "v0.nq"), str(tmp_path / "v1.nq")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        with GraphStore(store) as s:
            graphs = _graphs(s)
        assert set(graphs) == set(allowed)  # each was written whole at least once before "ready"
        for g, nquads in graphs.items():
            assert nquads in allowed[g], f"graph {g} is neither the old version nor the new one"
            seen_versions.add(allowed[g][nquads])
    assert seen_versions == {0, 1}
