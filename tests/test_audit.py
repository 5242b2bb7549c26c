"""``policy-graph audit``: planted faults in small hand-built graphs are each found exactly once
(and nothing else is), and the report on the bundled corpus ranks agencies by lead load and
opens offline with its chart."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from playwright.sync_api import Browser

from graph.audit import EXIT_FINDINGS, AuditReport, audit, output_format
from graph.audit_report import render
from graph.cli import main
from graph.ontology import DCTERMS, POL, PROV
from graph.resolve import entity_key
from graph.store import GraphStore
from graph.write import document_iri, entity_iri

# ---------------------------------------------------------------------------- building graphs


def _n(term: object) -> ox.NamedNode:
    return ox.NamedNode(str(term))


@dataclass
class Doc:
    """One document's named graph written by hand, the way graph/write.py writes it."""

    label: str
    text: str
    place: ox.NamedNode | None = None
    quads: list[ox.Quad] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.g = document_iri(self.label)
        self.add(self.g, rdflib.RDF.type, _n(POL.Document))
        self.add(self.g, rdflib.RDFS.label, ox.Literal(self.label))
        self.add(self.g, DCTERMS.title, ox.Literal(self.text.splitlines()[0]))
        self.add(self.g, POL.text, ox.Literal(self.text))
        self.add(self.g, POL.contentHash, ox.Literal(hashlib.sha256(self.text.encode()).hexdigest()))
        if self.place is not None:
            self.add(self.g, POL.place, self.place)

    def add(self, s: ox.NamedNode, p: object, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, _n(p), o, self.g))

    def entity(self, cls: str, name: str, *alts: tuple[str, str], raw_key: bool = False) -> ox.NamedNode:
        """An entity named ``name`` (prefLabel and rdfs:label) with (altLabel, language) pairs.

        Its IRI is the build's (a hash of the folded name) unless ``raw_key``: a hash of the
        name as written, as a resolver that forgot to fold scripts would make.
        """
        key = f"{cls}/{hashlib.sha1(name.encode()).hexdigest()[:16]}" if raw_key else entity_key(cls, name)
        node = entity_iri(key)
        self.add(node, rdflib.RDF.type, _n(POL[cls]))
        self.add(node, rdflib.SKOS.prefLabel, ox.Literal(name, language="zh-Hans"))
        self.add(node, rdflib.RDFS.label, ox.Literal(name, language="zh-Hans"))
        for alt, lang in alts:
            self.add(node, rdflib.SKOS.altLabel, ox.Literal(alt, language=lang))
        return node

    def relate(self, s: ox.NamedNode, rel: str, o: ox.NamedNode, quote: str, shift: int = 0) -> None:
        """A relation with its assertion and evidence; ``shift`` moves the offsets off the quote."""
        start = self.text.index(quote) + shift
        end = start + len(quote)
        key = hashlib.sha1(f"{self.label}|{s.value}|{rel}|{o.value}".encode()).hexdigest()[:20]
        a = ox.NamedNode(f"https://w3id.org/policy-graph/id/assertion/{key}")
        e = ox.NamedNode(f"https://w3id.org/policy-graph/id/evidence/{key}")
        p = _n(POL[rel])
        self.quads.append(ox.Quad(s, p, o, self.g))
        self.add(a, rdflib.RDF.type, _n(POL.Assertion))
        self.add(a, rdflib.RDF.subject, s)
        self.add(a, rdflib.RDF.predicate, p)
        self.add(a, rdflib.RDF.object, o)
        self.add(a, PROV.wasDerivedFrom, self.g)
        self.add(a, POL.evidence, e)
        self.add(e, rdflib.RDF.type, _n(POL.Evidence))
        self.add(e, POL.quote, ox.Literal(quote))
        self.add(e, POL.startOffset, ox.Literal(str(start), datatype=_n(rdflib.XSD.integer)))
        self.add(e, POL.endOffset, ox.Literal(str(end), datatype=_n(rdflib.XSD.integer)))
        self.add(e, POL.inDocument, self.g)


def _store(tmp_path: Path, *docs: Doc) -> Path:
    path = tmp_path / "store"
    with GraphStore(path) as store:
        for doc in docs:
            store.replace_graph(doc.g, doc.quads)
    return path


def _audit(path: Path) -> AuditReport:
    with GraphStore(path, read_only=True) as store:
        return audit(store)


BASE_TEXT = (
    "深圳市促进全民健康实施方案\n"
    "一、加强全民健康促进工作。牵头单位：市卫生健康委；责任单位：市教育局、市财政局。\n"
)
FAULT_TEXT = (
    "二、完善医疗保障制度。责任单位：市财政局、市教育局。\n"
    "三、建设智慧医院。由市卫生健康委、市教育局共同牵头。\n"
)


def _shenzhen(text: str = BASE_TEXT, *, no_lead: bool = False, joint: bool = False, shift: int = 0) -> Doc:
    """A Shenzhen plan with one well-formed measure; optionally a measure without lead (二),
    one with joint leads (三), and the evidence of the first lead moved by ``shift``."""
    doc = Doc("shenzhen-plan.txt", text + (FAULT_TEXT if no_lead or joint else ""))
    plan = doc.entity("Policy", "深圳市促进全民健康实施方案")
    health = doc.entity("Agency", "深圳市卫生健康委员会", ("市卫生健康委", "zh-Hans"))
    edu = doc.entity("Agency", "深圳市教育局", ("市教育局", "zh-Hans"))
    fin = doc.entity("Agency", "深圳市财政局", ("市财政局", "zh-Hans"))
    m1 = doc.entity("Measure", "加强全民健康促进工作")
    doc.relate(m1, "partOf", plan, "一、加强全民健康促进工作。")
    doc.relate(m1, "leadUnit", health, "牵头单位：市卫生健康委", shift=shift)
    for unit in (health, edu, fin):
        doc.relate(m1, "responsibleUnit", unit, "牵头单位：市卫生健康委；责任单位：市教育局、市财政局。")
    if no_lead:
        m2 = doc.entity("Measure", "完善医疗保障制度")
        doc.relate(m2, "partOf", plan, "二、完善医疗保障制度。")
        for unit in (fin, edu):
            doc.relate(m2, "responsibleUnit", unit, "责任单位：市财政局、市教育局。")
    if joint:
        m3 = doc.entity("Measure", "建设智慧医院")
        doc.relate(m3, "partOf", plan, "三、建设智慧医院。")
        for unit in (health, edu):
            doc.relate(m3, "leadUnit", unit, "由市卫生健康委、市教育局共同牵头")
            doc.relate(m3, "responsibleUnit", unit, "由市卫生健康委、市教育局共同牵头")
    return doc


def _traditional() -> Doc:
    """A second document whose agency kept its traditional-script name as the canonical name."""
    doc = Doc(
        "shenzhen-smart.txt", "深圳市推進智慧醫療方案\n一、推進智慧醫療。牽頭單位：深圳市衛生健康委員會。\n"
    )
    plan = doc.entity("Policy", "深圳市推进智慧医疗方案")
    measure = doc.entity("Measure", "推进智慧医疗")
    agency = doc.entity("Agency", "深圳市衛生健康委員會", raw_key=True)
    doc.relate(measure, "partOf", plan, "一、推進智慧醫療。")
    doc.relate(measure, "leadUnit", agency, "牽頭單位：深圳市衛生健康委員會")
    doc.relate(measure, "responsibleUnit", agency, "牽頭單位：深圳市衛生健康委員會")
    return doc


def _checks(report: AuditReport) -> list[tuple[str, str]]:
    return [(f.severity, f.check) for f in report.findings]


# ---------------------------------------------------------------------------- planted faults


def test_a_clean_graph_has_no_finding(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen()))
    assert report.findings == []
    assert [(a.name, a.led, a.shared, a.documents) for a in report.load] == [
        ("深圳市卫生健康委员会", 1, 0, 1),
        ("深圳市教育局", 0, 1, 1),
        ("深圳市财政局", 0, 1, 1),
    ]


def test_a_measure_without_lead_is_one_warning(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(no_lead=True)))
    assert _checks(report) == [("warning", "no-lead")]
    f = report.findings[0]
    assert f.subject == "measure «完善医疗保障制度» of 《深圳市促进全民健康实施方案》"
    assert f.message == "2 responsible unit(s) (深圳市教育局、深圳市财政局) but no lead unit."
    assert [(e.document, e.quote) for e in f.evidence] == [
        ("shenzhen-plan.txt", "责任单位：市财政局、市教育局。")
    ]


def test_joint_leads_are_information_not_an_error(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(joint=True)))
    assert _checks(report) == [("info", "joint-lead")]
    f = report.findings[0]
    assert f.subject == "measure «建设智慧医院» of 《深圳市促进全民健康实施方案》"
    assert f.message == "2 joint leads: 深圳市卫生健康委员会、深圳市教育局."
    assert [e.quote for e in f.evidence] == ["由市卫生健康委、市教育局共同牵头"]
    # the load counts each joint lead as a lead
    assert [(a.name, a.led, a.shared) for a in report.load] == [
        ("深圳市卫生健康委员会", 2, 0),
        ("深圳市教育局", 1, 1),
        ("深圳市财政局", 0, 1),
    ]


def test_an_agency_in_two_scripts_is_one_duplicate_warning(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(), _traditional()))
    assert _checks(report) == [("warning", "duplicate")]
    f = report.findings[0]
    assert f.subject == "深圳市卫生健康委员会 (Agency) / 深圳市衛生健康委員會 (Agency)"
    assert f.message == "2 nodes look like one entity: the same name in two scripts."
    assert [(e.document, e.quote) for e in f.evidence] == [
        ("shenzhen-plan.txt", "牵头单位：市卫生健康委；"),
        ("shenzhen-smart.txt", "牽頭單位：深圳市衛生健康委員會。"),
    ]


def test_a_broken_evidence_offset_is_one_error(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(shift=2)))
    assert _checks(report) == [("error", "evidence-mismatch")]
    f = report.findings[0]
    assert f.subject == "加强全民健康促进工作 —leadUnit→ 深圳市卫生健康委员会"
    start = BASE_TEXT.index("牵头单位：市卫生健康委") + 2
    assert f.message == (
        f"the evidence quotes «牵头单位：市卫生健康委» but the text at {start}–{start + 11} reads "
        f"«{BASE_TEXT[start : start + 11]}»; the quote occurs at offset {start - 2}."
    )
    assert f.evidence[0].document == "shenzhen-plan.txt"


def test_all_planted_faults_together_are_each_found_once(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(no_lead=True, joint=True, shift=1), _traditional()))
    assert _checks(report) == [
        ("error", "evidence-mismatch"),
        ("warning", "no-lead"),
        ("warning", "duplicate"),
        ("info", "joint-lead"),
    ]
    assert report.fails("error") and report.fails("warning")


# ---------------------------------------------------------------------------- more checks


def test_an_abbreviated_node_of_the_same_place_is_a_duplicate(tmp_path: Path) -> None:
    """市卫健委 left as a node of its own in a Shenzhen document is 深圳市卫生健康委员会."""
    region = entity_iri(entity_key("Region", "深圳市"))
    doc = Doc(
        "abbreviated.txt",
        "深圳市健康方案\n一、加强健康服务。牵头单位：市卫健委。由深圳市卫生健康委员会负责深圳市。\n",
        region,
    )
    doc.entity("Region", "深圳市")
    plan = doc.entity("Policy", "深圳市健康方案")
    measure = doc.entity("Measure", "加强健康服务")
    short = doc.entity("Agency", "市卫健委")
    full = doc.entity("Agency", "深圳市卫生健康委员会")
    doc.relate(measure, "partOf", plan, "一、加强健康服务。")
    doc.relate(measure, "leadUnit", short, "牵头单位：市卫健委")
    doc.relate(measure, "responsibleUnit", short, "牵头单位：市卫健委")
    doc.relate(full, "jurisdiction", region, "由深圳市卫生健康委员会负责深圳市")
    report = _audit(_store(tmp_path, doc))
    assert _checks(report) == [("warning", "duplicate")]
    assert (
        report.findings[0].message
        == "2 nodes look like one entity: 市卫健委 abbreviates 深圳市卫生健康委员会."
    )


def _bureau_doc(label: str, city: str, bureau: str, short: str) -> Doc:
    text = f"{city}医保实施方案\n一、完善医保支付。牵头单位：{short}。\n"
    doc = Doc(label, text)
    plan = doc.entity("Policy", f"{city}医保实施方案")
    measure = doc.entity("Measure", f"完善{bureau}医保支付")
    agency = doc.entity("Agency", bureau, (short, "zh-Hans"))
    doc.relate(measure, "partOf", plan, "一、完善医保支付。")
    doc.relate(measure, "leadUnit", agency, f"牵头单位：{short}")
    doc.relate(measure, "responsibleUnit", agency, f"牵头单位：{short}")
    return doc


def test_a_short_name_of_bodies_of_different_places_is_information(tmp_path: Path) -> None:
    report = _audit(
        _store(
            tmp_path,
            _bureau_doc("sz.txt", "深圳市", "深圳市医疗保障局", "市医保局"),
            _bureau_doc("hz.txt", "菏泽市", "菏泽市医疗保障局", "市医保局"),
        )
    )
    assert _checks(report) == [("info", "shared-short-name")]
    f = report.findings[0]
    assert f.subject == "short name «市医保局»"
    assert "深圳市医疗保障局 (深圳市)、菏泽市医疗保障局 (菏泽市)" in f.message
    assert sorted(e.document for e in f.evidence) == ["hz.txt", "sz.txt"]


def test_a_short_name_of_two_bodies_of_one_place_is_a_warning(tmp_path: Path) -> None:
    report = _audit(
        _store(
            tmp_path,
            _bureau_doc("a.txt", "深圳市", "深圳市人民政府办公厅", "市政府办"),
            _bureau_doc("b.txt", "深圳市", "深圳市人民政府办公室", "市政府办"),
        )
    )
    assert _checks(report) == [("warning", "ambiguous-short-name")]


def test_an_entity_in_no_relation_is_an_orphan(tmp_path: Path) -> None:
    doc = _shenzhen(BASE_TEXT + "市民政局参与宣传。\n")
    doc.entity("Agency", "深圳市民政局", ("市民政局", "zh-Hans"))
    report = _audit(_store(tmp_path, doc))
    assert _checks(report) == [("info", "orphan")]
    f = report.findings[0]
    assert f.subject == "深圳市民政局 (Agency)"
    assert [e.quote for e in f.evidence] == ["市民政局参与宣传。"]


def test_shape_violations_name_the_focus_node(tmp_path: Path) -> None:
    """A relation written without assertion is a SHACL violation, reported with names, not IRIs."""
    doc = _shenzhen()
    measure = entity_iri(entity_key("Measure", "加强全民健康促进工作"))
    other = doc.entity("Agency", "深圳市民政局")
    doc.quads.append(ox.Quad(measure, _n(POL.coOrganizer), other, doc.g))
    report = _audit(_store(tmp_path, doc))
    assert _checks(report) == [("error", "shape")]
    f = report.findings[0]
    assert f.subject == "加强全民健康促进工作 (Measure)"
    assert "深圳市民政局" in f.message and "https://w3id.org/policy-graph/id/" not in f.message
    assert "RelationEvidenceShape" in f.message


def test_a_changed_text_is_a_content_hash_error(tmp_path: Path) -> None:
    doc = _shenzhen()
    doc.quads = [q for q in doc.quads if q.predicate != _n(POL.contentHash)]
    doc.add(doc.g, POL.contentHash, ox.Literal("0" * 64))
    report = _audit(_store(tmp_path, doc))
    assert _checks(report) == [("error", "content-hash")]
    assert report.findings[0].subject == "document shenzhen-plan.txt"


def test_the_network_links_agencies_that_share_a_measure(tmp_path: Path) -> None:
    report = _audit(_store(tmp_path, _shenzhen(no_lead=True, joint=True)))
    net = report.network
    assert sorted(net.edges) == [
        ("深圳市卫生健康委员会", "深圳市教育局", 2),
        ("深圳市卫生健康委员会", "深圳市财政局", 1),
        ("深圳市教育局", "深圳市财政局", 2),
    ]
    assert {n.name: n.degree for n in net.nodes} == {
        "深圳市卫生健康委员会": 2,
        "深圳市教育局": 2,
        "深圳市财政局": 2,
    }
    assert sorted(x for c in net.communities for x in c) == [
        "深圳市卫生健康委员会",
        "深圳市教育局",
        "深圳市财政局",
    ]


# ---------------------------------------------------------------------------- rendering and CLI


def test_html_escapes_everything_from_documents(tmp_path: Path) -> None:
    text = BASE_TEXT + "二、<b>推进</b>改革。牵头单位：<script>alert(1)</script>局。\n"
    doc = _shenzhen(text)
    plan = entity_iri(entity_key("Policy", "深圳市促进全民健康实施方案"))
    measure = doc.entity("Measure", "<b>推进</b>改革")
    agency = doc.entity("Agency", "<script>alert(1)</script>局")
    doc.relate(measure, "partOf", plan, "二、<b>推进</b>改革。")
    doc.relate(measure, "responsibleUnit", agency, "牵头单位：<script>alert(1)</script>局")
    report = _audit(_store(tmp_path, doc))
    assert _checks(report) == [("warning", "no-lead")]
    page = render(report, "html")
    assert "<script>alert" not in page and "<b>推进" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in page
    assert "&lt;b&gt;推进&lt;/b&gt;改革" in page


def test_output_format_follows_the_extension() -> None:
    assert output_format(None, None) == "md"
    assert output_format(Path("r.HTML"), None) == "html"
    assert output_format(Path("r.json"), None) == "json"
    assert output_format(Path("r.txt"), None) == "md"
    assert output_format(Path("r.json"), "md") == "md"


def test_fail_on_sets_exit_status_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(_store(tmp_path, _shenzhen(no_lead=True)))
    assert main(["audit", "--store", store]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# policy-graph audit\n")
    assert "**完善医疗保障制度**" not in out and "measure «完善医疗保障制度»" in out
    assert main(["audit", "--store", store, "--fail-on", "error"]) == 0
    assert main(["audit", "--store", store, "--fail-on", "warning"]) == EXIT_FINDINGS == 3
    target = tmp_path / "out" / "audit.json"
    assert main(["audit", "--store", store, "-o", str(target), "--fail-on", "warning"]) == 3
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["summary"] == {"error": 0, "warning": 1, "info": 0}
    assert data["findings"][0]["check"] == "no-lead"


def test_a_missing_store_is_exit_status_1(tmp_path: Path) -> None:
    assert main(["audit", "--store", str(tmp_path / "nothing")]) == 1


# ---------------------------------------------------------------------------- the bundled corpus


@pytest.fixture(scope="module")
def corpus_reports(built_store: Path) -> tuple[dict, str]:
    """The JSON and HTML reports of the bundled corpus, from one audit (SHACL takes seconds)."""
    with GraphStore(built_store, read_only=True) as store:
        report = audit(store)
    return json.loads(render(report, "json")), render(report, "html")


def test_corpus_load_is_led_by_the_health_commission(corpus_reports: tuple[dict, str]) -> None:
    data, _ = corpus_reports
    load = data["load"]
    assert load[0]["name"] == "深圳市卫生健康委员会"
    assert load[0]["led"] > load[1]["led"]
    assert [a["led"] for a in load] == sorted((a["led"] for a in load), reverse=True)
    assert [f for f in data["findings"] if f["check"] == "no-lead"] == []


def test_corpus_html_opens_offline_with_its_chart(corpus_reports: tuple[dict, str]) -> None:
    _, page = corpus_reports
    # no resource is fetched over the network: no src/href/url()/@import to http(s)
    assert not re.search(r"""(?:src|href|srcset)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", page, re.I)
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2  # the load chart and the network
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    assert "深圳市卫生健康委员会" in page


def test_charts_draw_names_with_a_cjk_font_without_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a CJK font the bars carry the agencies' names; glyphs the font lacks (DejaVu Sans
    has none of these) must not flood the output with one warning per character."""
    import graph.audit_report as audit_report

    report = _audit(_store(tmp_path, _shenzhen(no_lead=True, joint=True)))
    monkeypatch.setattr(audit_report, "cjk_font", lambda: "DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts = [audit_report.load_chart(report), audit_report.network_chart(report)]
    assert all(c is not None and c.startswith(b"\x89PNG") for c in charts)


def test_corpus_html_report_shows_its_charts_in_a_browser_offline(
    corpus_reports: tuple[dict, str], tmp_path: Path, browser: Browser
) -> None:
    """Opened from disk in headless Chromium, the page fetches nothing and both charts decode."""
    page_file = tmp_path / "audit.html"
    page_file.write_text(corpus_reports[1], encoding="utf-8")
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_file.as_uri())
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    page.close()
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    assert len(widths) == 2 and all(w and w > 100 for w in widths)
