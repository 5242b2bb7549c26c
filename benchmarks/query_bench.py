"""Time every named query on a large synthetic graph shaped like ours: the project's on-disk
Oxigraph store against rdflib's default in-memory store.

    python benchmarks/query_bench.py                 # 1,000,000+ triples, 5 runs per query
    python benchmarks/query_bench.py --triples 200000 --repeat 3 --only lead-units

The graph has one named graph per document, as a build makes: a policy with numbered
measures, each with responsible units drawn from the bodies of a few hundred cities (the
first one leading; one in twenty with two leads, one in twenty with none), issuers, legal
bases between policies, district branches, hospitals in regions, programmes run and funded
by bodies, and for every relation an assertion with an evidence quote and offsets; the
ontology sits in a graph of its own, as after a build. Both stores answer with the union of
the graphs as the default graph, and each run reads every row into Python.

rdflib runs in a forked child so that a run can be stopped: a query whose first rdflib run
takes longer than ``--once-after`` seconds (30) is run only once and marked '(1 run)'; a run
past ``--cap`` seconds (600) is killed and shown as 'killed'. The row counts of the two
stores are compared, and a difference is printed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
import rdflib

from graph.ontology import ID_NS, ONTOLOGY_IRI, POL
from graph.resources import ontology_files
from graph.sparql import named_queries
from graph.store import PREFIXES, GraphStore

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
BODIES = [
    "卫生健康委员会",
    "医疗保障局",
    "财政局",
    "发展和改革委员会",
    "教育局",
    "民政局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "科技创新委员会",
    "生态环境局",
    "公安局",
    "司法局",
]
TOPICS = ["健康服务", "医保支付", "公共卫生", "托育服务", "养老服务", "中医药", "疾病防控", "医疗救治"]


def _n(kind: str, key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID_NS}{kind}/{key}")


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(POL[name]))


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh-Hans")


class Generator:
    """Documents of a synthetic corpus, each as the quads of its own named graph."""

    def __init__(self, cities: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.cities = ["深圳市"] + [f"第{i}市" for i in range(1, cities)]

    def entity(self, quads: list, g: ox.NamedNode, kind: str, key: str, name: str, *extra) -> ox.NamedNode:
        node = _n(kind, key)
        quads += [
            ox.Quad(node, RDF_TYPE, _p(kind), g),
            ox.Quad(node, ox.NamedNode(SKOS + "prefLabel"), _zh(name), g),
            ox.Quad(node, ox.NamedNode(RDFS + "label"), _zh(name), g),
        ]
        for p, o in extra:
            quads.append(ox.Quad(node, p, o, g))
        return node

    def fact(
        self, quads: list, g: ox.NamedNode, doc: ox.NamedNode, s, rel: str, o, quote: str, at: int
    ) -> None:
        key = f"{len(quads)}"
        a, e = _n("assertion", f"{doc.value[-8:]}-{key}"), _n("evidence", f"{doc.value[-8:]}-{key}")
        quads += [
            ox.Quad(s, _p(rel), o, g),
            ox.Quad(a, RDF_TYPE, _p("Assertion"), g),
            ox.Quad(a, ox.NamedNode(RDF + "subject"), s, g),
            ox.Quad(a, ox.NamedNode(RDF + "predicate"), _p(rel), g),
            ox.Quad(a, ox.NamedNode(RDF + "object"), o, g),
            ox.Quad(a, ox.NamedNode(PROV + "wasDerivedFrom"), doc, g),
            ox.Quad(a, _p("evidence"), e, g),
            ox.Quad(e, RDF_TYPE, _p("Evidence"), g),
            ox.Quad(e, _p("quote"), ox.Literal(quote), g),
            ox.Quad(
                e,
                _p("startOffset"),
                ox.Literal(str(at), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
                g,
            ),
            ox.Quad(
                e,
                _p("endOffset"),
                ox.Literal(str(at + len(quote)), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
                g,
            ),
            ox.Quad(e, _p("inDocument"), doc, g),
        ]

    def document(self, i: int) -> list[ox.Quad]:
        rng = self.rng
        city = self.cities[0] if i % 50 == 0 else rng.choice(self.cities)  # 深圳市 for the named queries
        doc = _n("document", f"{i:08d}")
        g = doc
        quads: list[ox.Quad] = [
            ox.Quad(doc, RDF_TYPE, _p("Document"), g),
            ox.Quad(doc, ox.NamedNode(RDFS + "label"), ox.Literal(f"{i:06d}.txt"), g),
            ox.Quad(
                doc,
                ox.NamedNode(DCT + "title"),
                ox.Literal(f"{city}关于{rng.choice(TOPICS)}的实施意见{i}"),
                g,
            ),
            ox.Quad(
                doc,
                ox.NamedNode(DCT + "date"),
                ox.Literal(f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1"),
                g,
            ),
            ox.Quad(doc, _p("genre"), ox.Literal("formal-policy"), g),
        ]
        region = self.entity(quads, g, "Region", city, city, (_p("adminLevel"), ox.Literal("city")))
        province = self.entity(
            quads, g, "Region", "province", "某省", (_p("adminLevel"), ox.Literal("province"))
        )
        self.fact(quads, g, doc, region, "partOf", province, city, 0)
        gov = self.entity(quads, g, "Agency", city + "人民政府", city + "人民政府")
        self.fact(quads, g, doc, gov, "jurisdiction", region, city + "人民政府", 0)
        policy = self.entity(
            quads, g, "Policy", f"p{i}", f"{city}人民政府关于{rng.choice(TOPICS)}的实施意见{i}"
        )
        self.fact(quads, g, doc, policy, "issuedBy", gov, city + "人民政府", 0)
        if i:
            basis = _n("Policy", f"p{rng.randrange(i)}")
            self.fact(quads, g, doc, policy, "basedOn", basis, "根据《…》", 30)
        agencies = []
        for body in BODIES:
            a = self.entity(quads, g, "Agency", city + body, city + body)
            self.fact(quads, g, doc, a, "jurisdiction", region, "市" + body[:3], 40)
            agencies.append(a)
        branch = self.entity(quads, g, "Agency", city + "医保局分局", city + "医疗保障局第一分局")
        self.fact(quads, g, doc, branch, "subOrganizationOf", agencies[1], "市医保局第一分局", 60)
        for k in range(12):
            name = f"{rng.choice(TOPICS)}任务{i}-{k}"
            m = self.entity(quads, g, "Measure", f"m{i}-{k}", name, (_p("sequence"), ox.Literal(str(k + 1))))
            self.fact(quads, g, doc, m, "partOf", policy, name, 100 + k * 80)
            units = rng.sample(agencies, rng.randint(2, 4))
            quote = "(责任单位:" + "、".join("市" + BODIES[agencies.index(u)][:3] for u in units) + ")"
            for u in units:
                self.fact(quads, g, doc, m, "responsibleUnit", u, quote, 140 + k * 80)
            draw = rng.random()  # 90 % one lead, 5 % two (joint), 5 % none (a gap)
            for u in units[: 0 if draw < 0.05 else 2 if draw < 0.10 else 1]:
                self.fact(quads, g, doc, m, "leadUnit", u, quote, 140 + k * 80)
        hospital = self.entity(quads, g, "Hospital", city + "人民医院", city + "人民医院")
        self.fact(quads, g, doc, hospital, "locatedIn", region, "市人民医院", 1200)
        programme = self.entity(quads, g, "Programme", f"{city}惠民保", f"{city}惠民保")
        fund = self.entity(quads, g, "Fund", f"{city}医保基金", f"{city}医保基金")
        group = self.entity(quads, g, "Group", "参保人", "参保人")
        self.fact(quads, g, doc, agencies[1], "administers", programme, "市医保局推行惠民保", 1300)
        self.fact(quads, g, doc, fund, "funds", programme, "医保基金支付惠民保", 1320)
        self.fact(quads, g, doc, programme, "targets", group, "惠民保惠及参保人", 1340)
        return quads


def generate(target: int, cities: int) -> list[ox.Quad]:
    gen = Generator(cities)
    quads: list[ox.Quad] = []
    i = 0
    while len(quads) < target:
        quads += gen.document(i)
        i += 1
    print(f"generated {i:,} documents, {len(quads):,} quads", flush=True)
    return quads


def _time(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` runs, and the row count of the last run."""
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), rows


@dataclass
class Timing:
    """One store's answer to one query: median seconds over ``runs`` runs (None: capped)."""

    seconds: float | None
    runs: int
    rows: int | None


_RDFLIB: rdflib.Dataset | None = None


def _rdflib_child(conn: Connection, text: str, repeat: int, once_after: float) -> None:
    """Run the query up to ``repeat`` times, sending (seconds, rows) after each run; a first
    run longer than ``once_after`` seconds is not repeated."""
    assert _RDFLIB is not None
    for i in range(repeat):
        t0 = time.perf_counter()
        rows = len(list(_RDFLIB.query(text, initNs=PREFIXES)))
        seconds = time.perf_counter() - t0
        conn.send((seconds, rows))
        if i == 0 and seconds > once_after:
            break
    conn.send(None)


def rdflib_timing(text: str, repeat: int, once_after: float, cap: float) -> Timing:
    """rdflib's median in a forked child (the dataset is shared copy-on-write), so that a run
    past ``cap`` seconds can be killed: rdflib cannot be interrupted from inside."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_rdflib_child, args=(sender, text, repeat, once_after))
    child.start()
    sender.close()
    times: list[float] = []
    rows = None
    try:
        while receiver.poll(cap):
            message = receiver.recv()
            if message is None:
                return Timing(statistics.median(times), len(times), rows)
            seconds, rows = message
            times.append(seconds)
        child.kill()
        return Timing(None, 0, None)
    finally:
        child.join()


def _load_ontology(dataset: rdflib.Dataset) -> None:
    """The ontology in a graph of its own, as ``GraphStore.load_ontology`` does: queries read
    relation labels from it."""
    graph = dataset.graph(rdflib.URIRef(ONTOLOGY_IRI))
    for path in ontology_files():
        graph.parse(path, format="turtle")


def _cell(t: Timing) -> str:
    if t.seconds is None:
        return "killed"
    return f"{t.seconds:.3f}" + ("" if t.runs != 1 else " (1 run)")


def main() -> int:
    global _RDFLIB
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--triples", type=int, default=1_000_000, help="at least this many quads (default 1M)"
    )
    parser.add_argument("--cities", type=int, default=300, help="cities the bodies belong to (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query; the median is printed")
    parser.add_argument(
        "--once-after",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="run rdflib only once on a query whose first run takes longer (default 30)",
    )
    parser.add_argument(
        "--cap", type=float, default=600.0, metavar="SECONDS", help="kill an rdflib run after this long"
    )
    parser.add_argument("--only", nargs="*", metavar="NAME", help="time only these named queries")
    args = parser.parse_args()
    queries = {n: q for n, q in named_queries().items() if not args.only or n in args.only}

    quads = generate(args.triples, args.cities)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with GraphStore(Path(tmp) / "store") as store:
            store.oxigraph.bulk_extend(quads)
            store.load_ontology()
            store.load_ontology()
            store.oxigraph.optimize()
        print(f"oxigraph on disk: loaded in {time.perf_counter() - t0:.1f} s", flush=True)

        t0 = time.perf_counter()
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(data="".join(f"{q} .\n" for q in quads), format="nquads")
        _load_ontology(dataset)
        del quads
        _RDFLIB = dataset
        print(f"rdflib in memory: loaded in {time.perf_counter() - t0:.1f} s", flush=True)

        rows = []
        with GraphStore(Path(tmp) / "store", read_only=True) as store:
            for name, query in queries.items():
                ox_s, ox_rows = _time(lambda q=query.text: len(list(store.query(q))), args.repeat)
                rdf = rdflib_timing(query.text, args.repeat, args.once_after, args.cap)
                rows.append((name, ox_s, ox_rows, rdf))
                ratio = f"{rdf.seconds / ox_s:8.1f}x" if rdf.seconds is not None else "       -"
                same = "" if rdf.rows in (None, ox_rows) else f"  ROW COUNTS DIFFER: rdflib {rdf.rows}"
                print(
                    f"{name:<24} rows {ox_rows:>7}  oxigraph {ox_s:8.3f} s  rdflib {_cell(rdf):>14} s"
                    f"  ratio {ratio}{same}",
                    flush=True,
                )
    print(f"\nmedian of {args.repeat} runs; '(1 run)': rdflib's first run took over {args.once_after:g} s")
    print("\n| query | rows | Oxigraph on disk (s) | rdflib in memory (s) | rdflib / Oxigraph |")
    print("|---|--:|--:|--:|--:|")
    for name, ox_s, ox_rows, rdf in rows:
        ratio = f"{rdf.seconds / ox_s:,.0f}" if rdf.seconds is not None else f"> {args.cap / ox_s:,.0f}"
        if rdf.seconds is not None and rdf.seconds / ox_s < 10:
            ratio = f"{rdf.seconds / ox_s:.1f}"
        print(f"| {name} | {ox_rows:,} | {ox_s:.3f} | {_cell(rdf)} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
