"""The store: one named graph per document, deterministic rebuilds, transactional replacement."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.pipeline import build
from graph.store import GraphStore
from graph.write import document_iri


def _graphs(path: Path) -> dict[str, str]:
    """Sorted N-Quads text of each document graph."""
    with GraphStore(path, read_only=True) as store:
        return {
            str(g): "".join(sorted(f"{q} .\n" for q in store.graph_quads(g))) for g in store.document_graphs()
        }


def test_one_named_graph_per_document(built_store: Path, corpus: Path) -> None:
    files = sorted(p.name for p in corpus.glob("*.txt"))
    with GraphStore(built_store, read_only=True) as store:
        graphs = store.document_graphs()
        labels = sorted(
            row["l"].value
            for row in store.query("SELECT ?l WHERE { GRAPH ?g { ?g a pol:Document ; rdfs:label ?l } }")
        )
    assert len(graphs) == 5
    assert labels == files
    assert {str(g) for g in graphs} == {str(document_iri(f)) for f in files}


def test_rebuild_is_byte_identical(built_store: Path, corpus: Path, tmp_path: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        first = store.sorted_nquads()
    with GraphStore(tmp_path / "again") as store:
        build([corpus], store, progress=False)
        second = store.sorted_nquads()
        build([corpus], store, progress=False)  # building over itself changes nothing either
        third = store.sorted_nquads()
    assert first.encode() == second.encode() == third.encode()
    assert len(first.splitlines()) > 3000


def test_rebuilding_one_document_leaves_the_others(store_copy: Path, corpus: Path, tmp_path: Path) -> None:
    before = _graphs(store_copy)
    changed = tmp_path / "docs"
    changed.mkdir()
    shutil.copy(corpus / "manifest.json", changed / "manifest.json")
    target = "002_0c2aae9792a09d6f.txt"
    text = (corpus / target).read_text(encoding="utf-8")
    (changed / target).write_text(
        text.replace("福田区卫生健康局", "福田区卫生健康局", 1) + "\n市医保局负责。\n", encoding="utf-8"
    )
    with GraphStore(store_copy) as store:
        report = build([changed / target], store, progress=False)
    assert report.built == [str(changed / target)]
    after = _graphs(store_copy)
    g = str(document_iri(target))
    assert set(after) == set(before)
    assert after[g] != before[g]
    for other in before:
        if other != g:
            assert after[other] == before[other], other


def test_read_only_store_that_does_not_exist(tmp_path: Path) -> None:
    from graph.store import StoreError

    missing = tmp_path / "nowhere"
    try:
        GraphStore(missing, read_only=True)
    except StoreError as exc:
        assert str(exc) == f"no graph store at {missing}: run 'policy-graph build' first or pass --store DIR"
    else:
        raise AssertionError("opening a missing store read-only must fail")


def test_rebuild_in_other_processes_is_byte_identical(tmp_path: Path) -> None:
    """Two CLI builds with different hash seeds export the same sorted N-Quads."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        store = tmp_path / f"store{seed}"
        out = tmp_path / f"graph{seed}.nq"
        for args in (["build", "--quiet"], ["export", "-f", "nq", "-o", str(out)]):
            subprocess.run(
                [sys.executable, "-m", "graph.cli", *args, "--store", str(store)],
                check=True,
                capture_output=True,
                env=env,
            )
        outputs.append(sorted(out.read_bytes().splitlines()))
    assert outputs[0] == outputs[1]
