"""Extraction quality measured with the project's scorer against gold annotations.

The bundled corpus is scored as one set (the milestone figures), the ten development
documents under ``fixtures/more`` as another: these were never used to write rules, so they
show whether extraction generalises to the genre.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.pipeline import build
from graph.resources import ontology_dir
from graph.store import GraphStore

FIXTURES = Path(__file__).parent / "fixtures"
SCORER = FIXTURES / "tools" / "score.py"


def score(trig: Path, gold: Path, tmp: Path) -> dict:
    out = tmp / "score.json"
    subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--gold",
            str(gold),
            "--graph",
            str(trig),
            "--ontology",
            str(ontology_dir() / "policy-graph.ttl"),
            "--json",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def more_trig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("more")
    with GraphStore(tmp / "store") as store:
        report = build([FIXTURES / "more" / "corpus"], store, progress=False)
        assert report.ok, report.failed
        store.export(tmp / "more.trig", "trig")
    return tmp / "more.trig"


def test_bundled_corpus_milestone(exported_trig: Path, tmp_path: Path) -> None:
    result = score(exported_trig, FIXTURES / "gold", tmp_path)
    # measured 0.905 / 0.966 / P 1.000 F1 0.789: the floors keep a regression from passing
    # and are at least the targets of the extraction issues (0.90 / 0.90 / P 0.85 F1 0.70)
    assert result["entities"]["all"]["f1"] >= 0.90
    assert result["relations"]["core"]["f1"] >= 0.95
    assert result["relations"]["further"]["p"] >= 0.95
    assert result["relations"]["further"]["f1"] >= 0.77
    assert result["resolution"]["split_entities"] == 0


def test_development_documents(more_trig: Path, tmp_path: Path) -> None:
    result = score(more_trig, FIXTURES / "more" / "gold", tmp_path)
    # measured 0.862 / 0.893 / P 1.000 F1 0.703
    assert result["entities"]["all"]["f1"] >= 0.84
    assert result["relations"]["core"]["f1"] >= 0.87
    assert result["relations"]["further"]["p"] >= 0.95
    assert result["relations"]["further"]["f1"] >= 0.68
