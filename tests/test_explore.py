"""``policy-graph html``: the page opened from disk in Debian's headless Chromium, as a reader
would, plus the command's filters and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from graph.cli import main
from graph.explore import SelectionError, read_graph, select
from graph.ontology import entity_classes
from graph.pipeline import build
from graph.store import GraphStore

HEALTH_BUREAU = "深圳市医疗保障局"
XSS_DOC = """广州市卫生健康委员会关于加强托育服务的通知

一、工作任务

(一)推进“<script>pwn()</script>”项目。(责任单位:市卫生健康委、市医保局)
"""
PAYLOAD = "<script>pwn()</script><img src=x onerror=pwn()>"


@pytest.fixture(scope="module")
def corpus_page(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "graph.html"
    assert main(["html", "--store", str(built_store), "-o", str(out)]) == 0
    return out


class Opened:
    """A page loaded from file:// with every request and console error recorded."""

    def __init__(self, browser: Browser, path: Path) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.add_init_script("window.__pwned = false; window.pwn = () => { window.__pwned = true; };")
        self.page.goto(path.as_uri())
        # the page's CSP forbids eval, so wait for the attribute the page sets when it has settled
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=60_000)

    def click_node(self, node_id: str) -> None:
        """Click the node where it is drawn on the canvas."""
        self.page.mouse.click(*self._at(node_id))

    def hover_node(self, node_id: str) -> str:
        """Rest the mouse on the node; returns the tooltip's text."""
        self.page.mouse.move(5, 5)
        self.page.mouse.move(*self._at(node_id), steps=4)
        tip = self.page.locator("div.vis-tooltip")
        tip.wait_for(state="visible", timeout=5_000)
        return tip.inner_text()

    def _at(self, node_id: str) -> tuple[float, float]:
        x, y = self.page.evaluate(
            """id => { const n = window.policyGraph.network;
                       const p = n.canvasToDOM(n.getPositions([id])[id]); return [p.x, p.y]; }""",
            node_id,
        )
        box = self.page.locator("#network canvas").bounding_box()
        assert box is not None
        return box["x"] + x, box["y"] + y


def _entity_count(store_path: Path) -> int:
    classes = " ".join(f"<{info.iri}>" for info in entity_classes().values())
    with GraphStore(store_path, read_only=True) as store:
        rows = list(
            store.query(f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?c {{ {classes} }} ?e a ?c }}")
        )
    return int(rows[0]["n"].value)


def _count(store_path: Path, sparql: str) -> int:
    with GraphStore(store_path, read_only=True) as store:
        return int(next(iter(store.query(sparql)))["n"].value)


def _iri(store_path: Path, name: str) -> str:
    with GraphStore(store_path, read_only=True) as store:
        rows = list(store.query(f"SELECT DISTINCT ?e WHERE {{ ?e skos:prefLabel '{name}'@zh-Hans }}"))
    assert len(rows) == 1
    return rows[0]["e"].value


def test_page_loads_offline_without_errors_and_draws_every_entity(
    browser: Browser, corpus_page: Path, built_store: Path
) -> None:
    opened = Opened(browser, corpus_page)
    assert opened.errors == []
    assert opened.requests == [corpus_page.as_uri()]
    drawn = opened.page.evaluate("window.policyGraph.network.body.data.nodes.length")
    assert drawn == opened.page.evaluate("window.policyGraph.nodes.length") == _entity_count(built_store)
    # physics has stopped once the layout settled
    assert opened.page.evaluate("window.policyGraph.network.physics.physicsEnabled") is False
    opened.page.close()


def test_search_by_a_traditional_alias_focuses_the_node(
    browser: Browser, corpus_page: Path, built_store: Path
) -> None:
    opened = Opened(browser, corpus_page)
    opened.page.fill("#search", "深圳醫保局")
    opened.page.press("#search", "Enter")
    expected = _iri(built_store, HEALTH_BUREAU)
    assert opened.page.evaluate("window.policyGraph.network.getSelectedNodes()") == [expected]
    # the view is centred on it
    centre = opened.page.evaluate(
        """id => { const n = window.policyGraph.network, c = n.canvas.frame.canvas;
                   const p = n.canvasToDOM(n.getPositions([id])[id]);
                   return [p.x - c.clientWidth / 2, p.y - c.clientHeight / 2]; }""",
        expected,
    )
    assert all(abs(v) < 2 for v in centre)
    assert opened.page.locator("#details .name").inner_text() == HEALTH_BUREAU
    opened.page.close()


def test_clicking_a_node_shows_its_evidence_quote(
    browser: Browser, corpus_page: Path, built_store: Path
) -> None:
    opened = Opened(browser, corpus_page)
    branch = _iri(built_store, "深圳市医疗保障局福田分局")
    opened.click_node(branch)
    details = opened.page.locator("#details").inner_text()
    assert details.startswith("深圳市医疗保障局福田分局\n机构")
    with GraphStore(built_store, read_only=True) as store:
        quotes = {
            row["q"].value
            for row in store.query(
                f"SELECT DISTINCT ?q WHERE {{ ?a rdf:subject <{branch}> ; pol:evidence/pol:quote ?q }}"
            )
        }
    assert quotes and all(q in details for q in quotes)
    assert "深圳市福田区第八届人民代表大会第二次会议第20220066号建议的答复 · 2022-07-28" in details
    opened.page.close()


def test_english_labels_and_class_and_relation_toggles(
    browser: Browser, corpus_page: Path, built_store: Path
) -> None:
    opened = Opened(browser, corpus_page)
    page = opened.page
    lead_edge = page.evaluate("window.policyGraph.edges.get({filter: e => e.relation === 'leadUnit'})[0].id")
    assert page.evaluate(f"window.policyGraph.edges.get({lead_edge!r}).label") == "牵头单位"
    page.check("input[name=lang][value=en]")
    assert page.evaluate(f"window.policyGraph.edges.get({lead_edge!r}).label") == "lead unit"
    agencies = _count(built_store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pol:Agency }")
    leads = _count(built_store, "SELECT (COUNT(DISTINCT *) AS ?n) WHERE { ?s pol:leadUnit ?o }")
    assert page.locator("#classes").inner_text().startswith(f"agency (Agency)\n{agencies}")
    assert page.locator("#classes-head").inner_text() == "Classes"
    # hiding a class takes its entities off the canvas; hiding a relation takes its edges
    total_nodes = page.evaluate("window.policyGraph.network.body.data.nodes.length")
    total_edges = page.evaluate("window.policyGraph.network.body.data.edges.length")
    page.uncheck("#classes input[value=Agency]")
    assert page.evaluate("window.policyGraph.network.body.data.nodes.length") == total_nodes - agencies
    page.uncheck("#relations input[value=leadUnit]")
    assert page.evaluate("window.policyGraph.network.body.data.edges.length") == total_edges - leads
    # typing part of a name lists matching entities to choose from
    page.fill("#search", "福田分局")
    assert page.locator("#suggestions button").first.inner_text() == "深圳市医疗保障局福田分局 · agency"
    assert opened.errors == []
    page.close()


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A document with markup in a quoted name, built through the real pipeline; then a name
    made of markup, as a hostile or broken source could produce."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "xss.txt").write_text(XSS_DOC, encoding="utf-8")
    store_path = folder / "store"
    with GraphStore(store_path) as store:
        assert build([folder / "xss.txt"], store, progress=False).ok
        store.oxigraph.update(
            f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            DELETE {{ GRAPH ?g {{ ?e skos:prefLabel ?old }} }}
            INSERT {{ GRAPH ?g {{
                ?e skos:prefLabel "{PAYLOAD}"@zh-Hans ; skos:altLabel "{PAYLOAD}别名"@zh-Hans }} }}
            WHERE {{ GRAPH ?g {{ ?e skos:prefLabel ?old }} FILTER (STR(?old) = "广州市医疗保障局") }}"""
        )
    return store_path


def test_markup_in_names_and_quotes_is_shown_as_text_and_never_runs(
    browser: Browser, hostile_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hostile.html"
    assert main(["html", "--store", str(hostile_store), "-o", str(out)]) == 0
    assert "<script>pwn()" not in out.read_text(encoding="utf-8")
    opened = Opened(browser, out)
    page = opened.page
    bureau = page.evaluate(f"window.policyGraph.nodes.get({{filter: n => n.names[0] === {PAYLOAD!r}}})[0].id")
    opened.click_node(bureau)
    assert page.locator("#details .name").inner_text() == PAYLOAD
    assert f"别名 / aliases: {PAYLOAD}别名" in page.locator("#details").inner_text()
    measure = page.evaluate("window.policyGraph.nodes.get({filter: n => n.cls === 'Measure'})[0].id")
    opened.click_node(measure)
    assert "推进“<script>pwn()</script>”项目" in page.locator("#details").inner_text()
    tip = opened.hover_node(bureau)
    assert tip.startswith(PAYLOAD + "\n机构\n别名 / aliases: " + PAYLOAD + "别名")
    assert page.evaluate("window.__pwned") is False
    assert page.evaluate("document.querySelectorAll('#details img, #details script, .tip img').length") == 0
    assert opened.errors == []
    page.close()


# ---------------------------------------------------------------- filters and errors


def test_focus_depth_and_max_nodes(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        g, documents = read_graph(store)
    near = select(g, documents, focus="市医保局福田分局", depth=1)
    names = sorted(d["name"] for _n, d in near.graph.nodes(data=True))
    assert names == [
        "深圳市医疗保障局",
        "深圳市医疗保障局福田分局",
        "深圳市福田区第八届人民代表大会第二次会议第20220066号建议的答复",
        "福田区",
    ]
    assert not near.cut
    cut = select(g, documents, max_nodes=10)
    assert cut.graph.number_of_nodes() == 10 and cut.total == g.number_of_nodes() and cut.cut


def test_class_and_relation_filters(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        g, documents = read_graph(store)
    leads = select(g, documents, classes=["Agency", "Measure"], relation_names=["leadUnit"])
    assert {d["cls"] for _n, d in leads.graph.nodes(data=True)} == {"Agency", "Measure"}
    assert {k for _s, _o, k in leads.graph.edges(keys=True)} == {"leadUnit"}
    # only the entities the relation connects stay
    assert min(d for _n, d in leads.graph.degree()) >= 1


def test_document_filter_keeps_that_documents_entities_and_quotes(built_store: Path) -> None:
    label = "002_0c2aae9792a09d6f.txt"
    classes = " ".join(f"<{info.iri}>" for info in entity_classes().values())
    expected = _count(
        built_store,
        f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH ?d {{ ?d rdfs:label "{label}" .
            VALUES ?c {{ {classes} }} ?e a ?c }} }}""",
    )
    with GraphStore(built_store, read_only=True) as store:
        g, documents = read_graph(store)
    chosen = select(g, documents, document=label)
    assert chosen.graph.number_of_nodes() == expected
    quoted = {e["document"] for _s, _o, d in chosen.graph.edges(data=True) for e in d["evidence"]}
    assert [documents[d]["label"] for d in quoted] == [label]


def test_unknown_filters_are_clear_errors(
    built_store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = str(tmp_path / "x.html")
    assert main(["html", "--store", str(built_store), "-o", out, "--focus", "无此机构"]) == 1
    assert capsys.readouterr().err == "policy-graph html: no entity is named '无此机构'\n"
    assert main(["html", "--store", str(built_store), "-o", out, "--class", "Ministry"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("policy-graph html: unknown class Ministry; choose from Agency, Facility, Fund,")
    with GraphStore(built_store, read_only=True) as store:
        g, documents = read_graph(store)
    expected = r"^no document 'nope.txt'; the graph has 000_74ae017d24c2ebeb.txt, 001_"
    with pytest.raises(SelectionError, match=expected):
        select(g, documents, document="nope.txt")


def test_max_nodes_cut_is_reported(
    built_store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "cut.html"
    assert main(["html", "--store", str(built_store), "-o", str(out), "--max-nodes", "20"]) == 0
    total = _entity_count(built_store)
    assert capsys.readouterr().err == (
        f"policy-graph html: --max-nodes 20 cut the graph: showing 20 of {total} entities\n"
    )
    assert f'"shown":20,"total":{total}' in out.read_text(encoding="utf-8")
