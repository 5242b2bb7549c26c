"""Where the ontology and the reference data live.

The design card keeps ``ontology/`` and ``data/`` at the top of the repository, beside the
package, so that they read as data rather than code. A wheel carries them inside the package
(``graph/_bundled``, see ``pyproject.toml``); an editable install or a source checkout reads
them from the repository. This module is the one place that knows both layouts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _root(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"policy-graph is installed without its {name}/ folder")


def ontology_dir() -> Path:
    """The folder holding the OWL ontology and SHACL shapes (``*.ttl``)."""
    return _root("ontology")


def ontology_files() -> list[Path]:
    """Every Turtle file of the ontology, shapes included, in a stable order."""
    return sorted(ontology_dir().glob("*.ttl"))


def data_dir() -> Path:
    """The folder holding reference data and the bundled corpus."""
    return _root("data")


def reference_file(name: str) -> Path:
    """A reference table under ``data/reference/``."""
    return data_dir() / "reference" / name


def corpus_dir() -> Path:
    """The bundled default corpus."""
    return data_dir() / "corpus"
