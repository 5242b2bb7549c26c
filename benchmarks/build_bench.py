"""Build throughput: a corpus of N documents (default 5,000) through the whole pipeline.

The corpus is the bundled documents repeated with their place varied: every name of the
document's city (深圳市, 深圳) is replaced by the name of another prefecture-level city taken
from the gazetteer, so abbreviations resolve to a different body in each copy and the store
grows as a real corpus would. Prints documents per second, quads written and the peak
resident memory of the process.

    python benchmarks/build_bench.py [--docs 5000] [--store DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from graph.pipeline import build
from graph.read import load_manifest
from graph.reference import gazetteer, short_forms
from graph.resources import corpus_dir
from graph.store import GraphStore


def make_corpus(target: Path, n: int) -> int:
    """Write ``n`` documents under ``target``; returns the number of characters written."""
    sources = sorted(corpus_dir().glob("*.txt"))
    manifest = load_manifest(corpus_dir())
    cities = sorted((r for r in gazetteer().by_key.values() if r.level == "city"), key=lambda r: r.code)
    entries, chars = [], 0
    for i in range(n):
        src = sources[i % len(sources)]
        meta = dict(manifest.get(src.name, {}))
        text = src.read_text(encoding="utf-8")
        home = meta.get("place", "")
        city = cities[(i // len(sources)) % len(cities)]
        home_city = home[:3] if home.endswith("区") else home
        if home_city and i >= len(sources):
            pairs = zip(short_forms(home_city), short_forms(city.name), strict=False)
            for old, new in ((home_city, city.name), *pairs):
                text = text.replace(old, new)
            meta["place"] = city.name
            meta["title"] = str(meta.get("title", "")).replace(home_city, city.name)
        name = f"{i:05d}_{src.name}"
        (target / name).write_text(text, encoding="utf-8")
        meta["file"] = name
        entries.append(meta)
        chars += len(text)
    manifest_text = json.dumps({"documents": entries}, ensure_ascii=False)
    (target / "manifest.json").write_text(manifest_text, encoding="utf-8")
    return chars


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=5000, help="number of documents (default 5000)")
    parser.add_argument("--store", type=Path, help="store folder (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        chars = make_corpus(corpus, args.docs)
        store_path = args.store or work / "store"
        start = time.perf_counter()
        with GraphStore(store_path) as store:
            report = build([corpus], store, progress=sys.stderr.isatty())
            stats = store.stats()
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"documents        {len(report.built)} built, {len(report.failed)} skipped")
        print(f"characters       {chars:,}")
        print(f"quads            {report.quads:,}")
        print(f"entities         {stats.entity_total:,}")
        print(f"seconds          {elapsed:.1f}")
        print(f"documents/second {len(report.built) / elapsed:.1f}")
        print(f"peak memory      {peak_mb:.0f} MB (max resident set size)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
