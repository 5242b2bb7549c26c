"""Time explorer pages of 500, 2,000 and 5,000 nodes in headless Chromium: how long the page
takes to write, how long from navigation until the layout has settled (the page sets
``body[data-ready]`` when vis-network's stabilisation is done and physics is off), and how big
the file is.

    python benchmarks/html_bench.py                  # 500, 2000, 5000 nodes
    python benchmarks/html_bench.py --sizes 1000 3000

The graphs are shaped like ours: per city a region with districts in a province, about
twenty-five agencies governing it (some branches of others), two policies issued by the city
government and based on national ones, their numbered measures each with a lead and one to
three responsible units, hospitals located in districts, programmes (most in no relation, as in
the bundled corpus) and target groups; every relation carries an evidence quote.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import sync_playwright

from graph.explore import Selection
from graph.explore_page import render

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ID = "https://w3id.org/policy-graph/id/"


class _Builder:
    """Adds entities and facts until the graph has ``limit`` nodes."""

    def __init__(self, limit: int, rng: random.Random) -> None:
        self.g = nx.MultiDiGraph()
        self.limit = limit
        self.rng = rng
        self.documents: dict[str, dict[str, str]] = {}

    @property
    def full(self) -> bool:
        return self.g.number_of_nodes() >= self.limit

    def entity(self, cls: str, name: str, doc: str) -> str | None:
        iri = f"{ID}{cls}/{len(self.g)}"
        if self.full:
            return None
        self.g.add_node(iri, cls=cls, name=name, aliases={name[-5:]}, documents={doc})
        return iri

    def fact(self, s: str | None, rel: str, o: str | None, doc: str) -> None:
        if s is None or o is None:
            return
        quote = f"{self.g.nodes[s]['name']}（{rel}）：{self.g.nodes[o]['name']}。"
        ev = [{"quote": quote, "start": self.rng.randrange(10_000), "document": doc}]
        self.g.add_edge(s, o, key=rel, relation=rel, evidence=ev)


def synthetic(nodes: int, seed: int = 7) -> Selection:
    """A graph of exactly ``nodes`` entities, city by city (see the module docstring)."""
    rng = random.Random(seed)
    b = _Builder(nodes, rng)
    national_doc = f"{ID}document/national"
    b.documents[national_doc] = {
        "label": "national.txt",
        "title": "国务院关于实施健康中国行动的意见",
        "date": "2019-06-24",
    }
    national = [b.entity("Policy", f"国家第{i}号政策", national_doc) for i in range(8)]
    province = None
    city = 0
    while not b.full:
        doc = f"{ID}document/{city}"
        b.documents[doc] = {
            "label": f"{city:04d}.txt",
            "title": f"第{city}市关于推进卫生健康工作的实施意见",
            "date": "2024-05-01",
        }
        if city % 5 == 0:
            province = b.entity("Region", f"第{city // 5}省", doc)
        region = b.entity("Region", f"第{city}市", doc)
        b.fact(region, "partOf", province, doc)
        districts = [b.entity("Region", f"第{city}市第{d}区", doc) for d in range(4)]
        for d in districts:
            b.fact(d, "partOf", region, doc)
        agencies = [b.entity("Agency", f"第{city}市第{a}局", doc) for a in range(25)]
        government = agencies[0]
        for i, agency in enumerate(agencies):
            b.fact(agency, "jurisdiction", region, doc)
            if i >= 22:
                b.fact(agency, "subOrganizationOf", agencies[i - 20], doc)
        for p in range(2):
            policy = b.entity("Policy", f"第{city}市关于第{p}项工作的实施意见", doc)
            b.fact(policy, "issuedBy", government, doc)
            b.fact(policy, "basedOn", rng.choice(national), doc)
            for m in range(15):
                measure = b.entity("Measure", f"推进第{city}市第{p}号文第{m}项重点任务", doc)
                b.fact(measure, "partOf", policy, doc)
                pool = [a for a in agencies if a]
                units = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                b.fact(measure, "leadUnit", units[0] if units else None, doc)
                for unit in units:
                    b.fact(measure, "responsibleUnit", unit, doc)
        for h in range(5):
            b.fact(
                b.entity("Hospital", f"第{city}市第{h}人民医院", doc), "locatedIn", rng.choice(districts), doc
            )
        groups = [b.entity("Group", name, doc) for name in ("老年人", "婴幼儿", "困难群众")]
        for p in range(10):
            programme = b.entity("Programme", f"第{city}市第{p}号民生项目", doc)
            if p < 4:
                b.fact(rng.choice(agencies), "administers", programme, doc)
            elif p < 6:
                b.fact(programme, "targets", rng.choice(groups), doc)
        city += 1
    return Selection(b.g, b.g.number_of_nodes(), b.documents)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for n in args.sizes:
            chosen = synthetic(n)
            edges = chosen.graph.number_of_edges()
            t0 = time.perf_counter()
            page_text = render(chosen, title=f"bench {n}")
            written = time.perf_counter() - t0
            path = Path(tmp) / f"bench-{n}.html"
            path.write_text(page_text, encoding="utf-8")
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready=true]", state="attached", timeout=600_000)
            loaded = time.perf_counter() - t0
            drawn = page.evaluate("window.policyGraph.nodes.length")
            assert drawn == n, (drawn, n)
            physics = page.evaluate("window.policyGraph.stabilisedIn") / 1000
            page.close()
            size = path.stat().st_size
            rows.append((n, edges, written, loaded, physics, size))
            print(
                f"{n:>6} nodes, {edges} edges: page written in {written:.1f} s, loaded and settled "
                f"in {loaded:.1f} s (physics {physics:.1f} s), {size / 1e6:.2f} MB",
                flush=True,
            )
        browser.close()
    print(
        "\n| nodes | edges | write page (s) | load + settle (s) | of which physics (s) | file (MB) |"
        "\n|---:|---:|---:|---:|---:|---:|"
    )
    for n, edges, written, loaded, physics, size in rows:
        print(f"| {n:,} | {edges:,} | {written:.1f} | {loaded:.1f} | {physics:.1f} | {size / 1e6:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
