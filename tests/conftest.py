"""Shared fixtures: the bundled corpus built once into a real on-disk store per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from graph.pipeline import build
from graph.resources import corpus_dir
from graph.store import GraphStore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """A store holding the bundled corpus; tests open it read-only."""
    path = tmp_path_factory.mktemp("store") / "graph"
    with GraphStore(path) as store:
        report = build([corpus], store, progress=False)
    assert report.ok, report.failed
    return path


@pytest.fixture
def store_copy(built_store: Path, tmp_path: Path) -> Path:
    """A private writable copy of the built store, for tests that change it."""
    target = tmp_path / "graph"
    shutil.copytree(built_store, target)
    return target


@pytest.fixture(scope="session")
def exported_trig(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "graph.trig"
    with GraphStore(built_store, read_only=True) as store:
        store.export(out, "trig")
    return out


# Debian's Chromium, headless, as root in a sandbox with no network: the background services
# would otherwise try (and fail) to reach Google at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One real headless Chromium for the session's browser tests."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
