"""The explorer page: one HTML file that works from disk, by mail, with no network at all.

pyvis builds the nodes, edges and vis-network options, but its own templates link Bootstrap
from a CDN even with ``cdn_resources="in_line"`` (pyvis issue #229), so the page is our own
template (``graph/templates/explorer.html``) with vis-network's JS and CSS, read from the
installed pyvis package, written into it.

Safety model. Names and quotes come from documents and may contain markup. The graph travels
as JSON in ``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
``\\u003c``, ``\\u003e`` and ``\\u0026``, so no text can close that element or be read as a tag;
the page's script reads it with ``JSON.parse`` and puts text into the page only through
``textContent`` (tooltips are elements built that way). The page's Content-Security-Policy
(``default-src 'none'``) forbids every request, so the page cannot reach the network even by
mistake. The title is HTML-escaped; the inlined libraries are refused if they could close their
own element.

Layout. Physics runs for at most ``STABILISATION_ITERATIONS`` and the page then switches it off,
so a settled graph stays still and costs nothing. Above ``IMPROVED_LAYOUT_LIMIT`` nodes the
start positions come from ``seed_layout`` (communities already apart), since from vis-network's
random start the same iterations leave a few thousand nodes as one hairball. A networkx spring
layout of the whole graph was measured too and was slower (49 s for 5,000 nodes) than the page's
own physics (10-13 s): ``benchmarks/html_bench.py``, figures in ``docs/explorer.md``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import random
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import opencc
import pyvis
from pyvis.network import Network

from graph.normalise import fold
from graph.ontology import entity_classes, relations, symmetric_relations

if TYPE_CHECKING:
    from graph.explore import Selection

TEMPLATES = Path(__file__).parent / "templates"
VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"

# Measured (docs/explorer.md): with these, 5,000 nodes settle in about 10 s in headless Chromium.
STABILISATION_ITERATIONS = 150
BARNES_HUT_THETA = 0.9  # coarser far-field approximation: 2-3x faster iterations, same picture
IMPROVED_LAYOUT_LIMIT = 100  # vis's own Kamada-Kawai seeding is quadratic: only for small graphs
BIG_GRAPH = 1500  # above this, edges are hidden while dragging or zooming, to keep it fluid
LABEL_CHARS = 18  # longer names (measure headings) are shortened on the canvas, whole elsewhere
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"


@cache
def _asset(path: Path) -> str:
    """A bundled JS or CSS file, checked to be safe to write inside its element."""
    # newlines as the HTML parser leaves them, or a CRLF checkout would break the CSP hashes
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)  # devtools would try to fetch it
    if re.search(r"</(script|style)|<!--", text, re.IGNORECASE):
        raise ValueError(f"{path} cannot be inlined: it could close its own element")
    return text


def script_json(value: Any) -> str:
    """JSON that cannot end its ``<script>`` element nor be read as markup by any parser."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def search_keys(names: list[str]) -> list[str]:
    """Every form a reader may type a name in: as written, simplified, traditional, any case.

    The page cannot convert scripts itself (OpenCC's tables would add megabytes), so the forms
    are written into the page and the search box compares against them.
    """
    keys: dict[str, None] = {}
    for name in names:
        for form in (name, fold(name), _s2t().convert(name)):
            keys.setdefault(form.casefold(), None)
    return list(keys)


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options for graphs of up to a few thousand nodes (see the module docstring).

    Straight edges (smooth curves put a physics node on every edge), the forceAtlas2Based
    solver (its linear repulsion settles clustered graphs quickly) with a coarse Barnes-Hut
    approximation, a capped stabilisation after which the page turns physics off,
    and labels that are not drawn while too small to read, which keeps zoomed-out redraws fast.
    """
    big = n_nodes > BIG_GRAPH
    return {
        "autoResize": True,
        "layout": {"improvedLayout": n_nodes <= IMPROVED_LAYOUT_LIMIT, "randomSeed": 7},
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": FONT, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {
                "min": 8,
                "max": 30,
                "label": {"enabled": True, "min": 12, "max": 22, "drawThreshold": 7},
            },
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "color": {"color": "#a0aab4", "highlight": "#222222", "hover": "#555555", "inherit": False},
            "font": {"size": 10, "face": FONT, "color": "#555555", "strokeWidth": 3, "align": "middle"},
            "scaling": {"label": {"enabled": True, "drawThreshold": 8}},
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "theta": BARNES_HUT_THETA,
                "gravitationalConstant": -60,
                "centralGravity": 0.012,
                "springLength": 90,
                "springConstant": 0.08,
                "damping": 0.6,
                "avoidOverlap": 0.1,
            },
            "maxVelocity": 60,
            "minVelocity": 2,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": STABILISATION_ITERATIONS,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "keyboard": False,
        },
    }


def seed_layout(g: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Starting positions that already separate the graph's communities.

    From vis-network's random start, 150 iterations leave a few thousand nodes as one hairball;
    started with each community (Louvain, linear time) gathered in a disc around a point of a
    spring layout of the community graph, the same iterations settle into readable clusters.
    """
    undirected = nx.Graph(g)
    communities = nx.community.louvain_communities(undirected, seed=seed)
    member = {n: i for i, c in enumerate(communities) for n in c}
    between = nx.Graph()
    between.add_nodes_from(range(len(communities)))
    for s, o in undirected.edges():
        a, b = member[s], member[o]
        if a != b:
            w = between.get_edge_data(a, b, {"weight": 0})["weight"]
            between.add_edge(a, b, weight=w + 1)
    scale = 45.0 * len(undirected) ** 0.5
    centres = nx.spring_layout(between, weight="weight", seed=seed, scale=scale)
    rng = random.Random(seed)
    out: dict[str, tuple[float, float]] = {}
    for i, community in enumerate(communities):
        cx, cy = centres[i]
        radius = 30.0 * len(community) ** 0.5
        for n in sorted(community):
            r, a = radius * rng.random() ** 0.5, rng.uniform(0, 2 * math.pi)
            out[n] = (round(float(cx) + r * math.cos(a), 1), round(float(cy) + r * math.sin(a), 1))
    return out


def network(selection: Selection) -> Network:
    """The selection as a pyvis network: coloured and shaped by class, edges labelled by relation."""
    g = selection.graph
    classes = entity_classes()
    relation_info = relations()
    symmetric = symmetric_relations()
    positions = seed_layout(g) if g.number_of_nodes() > IMPROVED_LAYOUT_LIMIT else {}
    # pyvis checks ids against lists (quadratic, but 1.3 s for 5,000 nodes and 12,000 edges)
    net = Network(directed=True)
    for iri, data in g.nodes(data=True):
        info = classes[data["cls"]]
        names = [data["name"], *sorted(set(data["aliases"]) - {data["name"]})]
        extra: dict[str, Any] = {}
        if iri in positions:
            extra["x"], extra["y"] = positions[iri]
        net.add_node(
            iri,
            label=_short(data["name"]),
            shape=info.shape,
            color=info.colour,
            value=g.degree(iri) + 1,
            cls=data["cls"],
            names=names,
            keys=search_keys(names),
            **extra,
        )
    for i, (s, o, data) in enumerate(g.edges(data=True)):
        rel = data["relation"]
        net.add_edge(
            s,
            o,
            id=f"e{i}",
            label=relation_info[rel].label_zh,
            relation=rel,
            arrows="" if rel in symmetric else "to",
            evidence=data["evidence"],
        )
    net.set_options(json.dumps(vis_options(g.number_of_nodes())))
    return net


def page_data(selection: Selection, title: str) -> dict[str, Any]:
    """Everything the page's script needs, as one JSON-ready value."""
    net = network(selection)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    class_count = Counter(n["cls"] for n in nodes)
    relation_count = Counter(e["relation"] for e in edges)
    documents = selection.documents
    used = {ev["document"] for e in edges for ev in e["evidence"]}
    return {
        "title": title,
        "shown": len(nodes),
        "total": selection.total,
        "classes": [
            {
                "name": name,
                "zh": t.label_zh,
                "en": t.label_en,
                "colour": t.colour,
                "shape": t.shape,
                "count": class_count[name],
            }
            for name, t in entity_classes().items()
            if class_count[name]
        ],
        "relations": [
            {"name": name, "zh": t.label_zh, "en": t.label_en, "count": relation_count[name]}
            for name, t in relations().items()
            if relation_count[name]
        ],
        "documents": {iri: info for iri, info in documents.items() if iri in used},
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
    }


def _csp_source(script: str) -> str:
    """The CSP source that admits exactly this inline script and nothing else."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def render(selection: Selection, *, title: str = "policy-graph") -> str:
    """The whole self-contained page as a string."""
    vis_js = _asset(VIS_DIR / "vis-network.min.js")
    app_js = _asset(TEMPLATES / "explorer.js")
    fills = {
        "<!--TITLE-->": html.escape(title),
        "/*SCRIPT_HASHES*/": f"{_csp_source(vis_js)} {_csp_source(app_js)}",
        "/*VIS_CSS*/": _asset(VIS_DIR / "vis-network.css"),
        "/*VIS_JS*/": vis_js,
        "/*APP_JS*/": app_js,
        "/*GRAPH_DATA*/": script_json(page_data(selection, title)),
    }
    # one pass, so that no filled-in text is ever searched for another placeholder
    pattern = re.compile("|".join(re.escape(k) for k in fills))
    return pattern.sub(lambda m: fills[m.group(0)], (TEMPLATES / "explorer.html").read_text(encoding="utf-8"))
