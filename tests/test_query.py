"""``policy-graph query`` and the Python API: every named competency question on the bundled
corpus gives exactly the rows in ``tests/fixtures/queries/<name>.json`` (reviewed against the
documents), and the command line prints each format and reports bad input exactly.

After a deliberate change of extraction, rewrite the expected rows with
``python tests/test_query.py STORE`` and review the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.cli import main
from graph.sparql import QueryError, Result, named_queries, named_query, run, select, serialize, table
from graph.store import GraphStore

EXPECTED = Path(__file__).parent / "fixtures" / "queries"


def _rows(store: Path, name: str) -> list[list[object]]:
    return [list(row.values()) for row in select(store, named_query(name).text)]


def test_the_library_has_at_least_twelve_questions_each_with_its_purpose() -> None:
    queries = named_queries()
    assert len(queries) >= 12
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == sorted(queries)
    for q in queries.values():
        assert len(q.purpose) > 30, q.name


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_gives_the_expected_rows(built_store: Path, name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    result = select(built_store, named_query(name).text)
    assert [list(r.values()) for r in result] == expected["rows"]
    with GraphStore(built_store, read_only=True) as store:
        assert run(store, named_query(name).text).variables == expected["variables"]


def test_competency_answers_in_brief(built_store: Path) -> None:
    """The headline answers, spelled out so a reader sees what the golden files hold."""
    load = _rows(built_store, "agency-load")
    assert load[0] == ["深圳市卫生健康委员会", 13, 6, 1]
    assert _rows(built_store, "measures-without-lead") == []
    assert ["深圳市医疗保障局", "深圳市医疗保障局福田分局", "福田区"] in _rows(built_store, "branches")
    assert [
        "菏泽市人民政府办公室关于促进3岁以下婴幼儿照护服务发展的实施意见",
        "山东省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见",
        1,
    ] in _rows(built_store, "policy-bases")


def test_python_api_takes_a_store_folder(built_store: Path) -> None:
    sparql = "SELECT ?n WHERE { ?r a pol:Region ; pol:adminCode '440304' ; skos:prefLabel ?n }"
    rows = select(built_store, sparql)
    assert rows == [{"n": "福田区"}]


def test_python_api_refuses_a_construct(built_store: Path) -> None:
    with pytest.raises(QueryError, match=r"^select\(\) runs SELECT queries; use run\(\) for ASK"):
        select(built_store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_row_limit_marks_the_result_truncated(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        result = run(store, "SELECT ?s WHERE { ?s a pol:Measure }", max_rows=3)
    assert len(result.rows) == 3 and result.truncated


def test_table_aligns_chinese_text() -> None:
    rows = [[ox.Literal("深圳市"), ox.Literal("1")], [ox.Literal("福田区分局"), ox.Literal("22")]]
    result = Result("select", variables=["name", "n"], rows=rows)
    assert table(result) == "name       | n\n-----------+---\n深圳市     | 1\n福田区分局 | 22\n"


# ---------------------------------------------------------------- the command line


def test_cli_named_query_as_csv(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(built_store), "--name", "policy-issuers", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["issuer", "policy", "date", "number"]
    assert ["广东省人民政府", "广东省人民政府关于实施健康广东行动的意见", "", "粤府〔2019〕116号"] in rows


def test_cli_query_from_a_file_as_a_table(
    built_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?code WHERE { ?r skos:prefLabel '福田区'@zh-Hans ; pol:adminCode ?code }")
    assert main(["query", "--store", str(built_store), "--file", str(query)]) == 0
    assert capsys.readouterr().out == "code\n------\n440304\n"


def test_cli_construct_prints_turtle(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sparql = "CONSTRUCT { ?b pol:subOrganizationOf ?a } WHERE { ?b pol:subOrganizationOf ?a }"
    assert main(["query", "--store", str(built_store), sparql]) == 0
    triples = list(ox.parse(capsys.readouterr().out.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 4
    assert {t.predicate.value for t in triples} == {
        "https://w3id.org/policy-graph/ontology#subOrganizationOf"
    }


def test_cli_ask_as_json(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(built_store), "--format", "json", "ASK { ?m a pol:Measure }"]) == 0
    assert json.loads(capsys.readouterr().out) == {"head": {}, "boolean": True}


def test_cli_malformed_query_is_exit_1_with_the_parser_message(
    built_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--store", str(built_store), "SELEC ?x"]) == 1
    assert capsys.readouterr().err == "policy-graph query: error at 1:9: expected one of DESCRIBE, [_]\n"


def test_cli_unknown_name_lists_the_names(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(built_store), "--name", "nope"]) == 1
    names = ", ".join(named_queries())
    assert capsys.readouterr().err == f"policy-graph query: no named query 'nope'; choose one of: {names}\n"


def test_cli_needs_exactly_one_query(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(built_store)]) == 1
    assert capsys.readouterr().err == (
        "policy-graph query: give exactly one query: inline, --file FILE or --name NAME (see --list)\n"
    )


def test_cli_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(tmp_path / "none"), "ASK {}"]) == 1
    assert capsys.readouterr().err == (
        f"policy-graph query: no graph store at {tmp_path / 'none'}: "
        "run 'policy-graph build' first or pass --store DIR\n"
    )


def test_cli_limit_cuts_and_says_so(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sparql = "SELECT DISTINCT ?m WHERE { ?m a pol:Measure } ORDER BY ?m"
    assert main(["query", "--store", str(built_store), "--format", "tsv", "--limit", "2", sparql]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3  # the header and two rows
    assert err == "policy-graph query: stopped after 2 results (--limit)\n"


def test_cli_limit_must_be_positive(built_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--store", str(built_store), "--limit", "0", "ASK {}"]) == 1
    assert capsys.readouterr().err == "policy-graph query: --limit must be positive\n"


def test_cli_unreadable_file(built_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.rq"
    assert main(["query", "--store", str(built_store), "--file", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"policy-graph query: cannot read query file {missing}: "
        f"[Errno 2] No such file or directory: '{missing}'\n"
    )


def test_cli_list_names_every_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("agencies-by-region\n    Agencies by the region they govern")
    assert [line for line in out.splitlines() if not line.startswith(" ")] == sorted(named_queries())


# ---------------------------------------------------------------- the result formats


PLAIN = """SELECT ?region ?code ?n ?none WHERE {
  { SELECT DISTINCT ?r ?region ?code WHERE {
      ?r a pol:Region ; skos:prefLabel ?region ; pol:adminCode ?code } }
  BIND (STRLEN(?region) AS ?n)
  OPTIONAL { ?r pol:noSuchProperty ?none }
} ORDER BY ?code ?region"""


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_results_are_written_by_oxigraph_itself(built_store: Path, fmt: str) -> None:
    """Our bytes are Oxigraph's own serialisation of the same query (language tags, numbers,
    unbound values and all), even though the rows went through the row limit first."""
    library = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}[fmt]
    with GraphStore(built_store, read_only=True) as store:
        ours = serialize(run(store, PLAIN, max_rows=1000), fmt)
        theirs = store.query(PLAIN).serialize(format=getattr(ox.QueryResultsFormat, library))
    assert ours == theirs


def test_a_cut_result_is_still_a_valid_result(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        result = run(store, PLAIN, max_rows=2)
    for fmt in ("json", "xml", "tsv"):
        parsed = ox.parse_query_results(serialize(result, fmt), getattr(ox.QueryResultsFormat, fmt.upper()))
        assert [s["region"].value for s in parsed] == ["北京市", "漳州市"]


def test_blank_nodes_and_triple_terms_survive(built_store: Path) -> None:
    sparql = "SELECT ?b ?t WHERE { BIND (BNODE('x') AS ?b) BIND (<<( ?b pol:p 1 )>> AS ?t) }"
    with GraphStore(built_store, read_only=True) as store:
        result = run(store, sparql)
    parsed = list(ox.parse_query_results(serialize(result, "json"), ox.QueryResultsFormat.JSON))
    assert isinstance(parsed[0]["b"], ox.BlankNode) and isinstance(parsed[0]["t"], ox.Triple)
    assert parsed[0]["t"].subject == parsed[0]["b"]


def test_ask_in_every_format(built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        result = run(store, "ASK { ?h a pol:Hospital }")
    assert serialize(result, "json") == b'{"head":{},"boolean":true}'
    assert serialize(result, "csv") == b"true"
    assert b"<boolean>true</boolean>" in serialize(result, "xml")


# ---------------------------------------------------------------- the questions on more data


G1, G2 = (
    ox.NamedNode("https://w3id.org/policy-graph/id/document/test-1"),
    ox.NamedNode("https://w3id.org/policy-graph/id/document/test-2"),
)


def _entity(key: str, cls: str, label: str, g: ox.NamedNode) -> tuple[ox.NamedNode, list[ox.Quad]]:
    node = ox.NamedNode(f"https://w3id.org/policy-graph/id/{key}")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    return node, [
        ox.Quad(node, rdf_type, ox.NamedNode(POL + cls), g),
        ox.Quad(node, pref, ox.Literal(label, language="zh-Hans"), g),
    ]


POL = "https://w3id.org/policy-graph/ontology#"


@pytest.fixture
def larger_store(store_copy: Path) -> Path:
    """The corpus plus two documents the corpus lacks examples for: a chain of legal bases
    across documents (甲 on 乙 in one, 乙 on 丙 in the other), a measure with no lead and a
    measure with two."""
    q1: list[ox.Quad] = []
    q2: list[ox.Quad] = []
    x, quads = _entity("Policy/test-x", "Policy", "甲办法", G1)
    q1 += quads
    y, quads = _entity("Policy/test-y", "Policy", "乙条例", G1)
    q1 += quads
    q2 += _entity("Policy/test-y", "Policy", "乙条例", G2)[1]
    z, quads = _entity("Policy/test-z", "Policy", "丙法", G2)
    q2 += quads
    u1, quads = _entity("Agency/test-u1", "Agency", "测试局", G1)
    q1 += quads
    u2, quads = _entity("Agency/test-u2", "Agency", "测试委", G1)
    q1 += quads
    m1, quads = _entity("Measure/test-m1", "Measure", "无人牵头的任务", G1)
    q1 += quads
    m2, quads = _entity("Measure/test-m2", "Measure", "两家牵头的任务", G1)
    q1 += quads
    p = {n: ox.NamedNode(POL + n) for n in ("basedOn", "partOf", "responsibleUnit", "leadUnit")}
    q1 += [
        ox.Quad(x, p["basedOn"], y, G1),
        ox.Quad(m1, p["partOf"], x, G1),
        ox.Quad(m1, p["responsibleUnit"], u1, G1),
        ox.Quad(m2, p["partOf"], x, G1),
    ]
    q1 += [ox.Quad(m2, p[rel], u, G1) for rel in ("responsibleUnit", "leadUnit") for u in (u1, u2)]
    q2 += [ox.Quad(y, p["basedOn"], z, G2)]
    with GraphStore(store_copy) as store:
        store.replace_graph(G1, q1)
        store.replace_graph(G2, q2)
    return store_copy


def test_policy_bases_follow_a_chain_across_documents(larger_store: Path) -> None:
    rows = [r for r in _rows(larger_store, "policy-bases") if r[0] in {"甲办法", "乙条例"}]
    assert rows == [["乙条例", "丙法", 1], ["甲办法", "乙条例", 1], ["甲办法", "丙法", 2]]


def test_a_measure_without_a_lead_is_found(larger_store: Path) -> None:
    assert _rows(larger_store, "measures-without-lead") == [["甲办法", "无人牵头的任务", "测试局"]]
    leads = [r for r in _rows(larger_store, "lead-units") if r[0] == "甲办法"]
    assert leads == [["甲办法", "两家牵头的任务", "测试委"], ["甲办法", "两家牵头的任务", "测试局"]]


def test_a_measure_with_two_leads_is_found(larger_store: Path) -> None:
    [(measure, leads, units)] = _rows(larger_store, "joint-leads")
    assert (measure, leads, sorted(units.split("、"))) == ("两家牵头的任务", 2, ["测试委", "测试局"])


# ---------------------------------------------------------------- the documented example


@pytest.mark.parametrize("doc", ["docs/query.md", "README.md"])
def test_the_documented_python_example_runs(
    built_store: Path, capsys: pytest.CaptureFixture[str], doc: str
) -> None:
    text = (Path(__file__).parents[1] / doc).read_text(encoding="utf-8")
    if "<!-- python-api -->" not in text:
        pytest.skip(f"{doc} has no Python API example")
    block = text.split("<!-- python-api -->\n```python\n", 1)[1].split("```", 1)[0]
    exec(block.replace('"policy-graph-store"', repr(str(built_store))), {})
    assert capsys.readouterr().out.splitlines() == [
        "健全公共卫生应急管理体系 -> 深圳市卫生健康委员会",
        "健全医疗卫生服务综合监管制度 -> 深圳市卫生健康委员会",
        "创建国家食品安全示范城市 -> 深圳市市场监督管理局",
    ]


# ---------------------------------------------------------------- rewriting the expected rows


def _write_expected(store: Path) -> None:
    """Write each named query's rows on ``store`` as its expected rows (review the diff!)."""
    EXPECTED.mkdir(parents=True, exist_ok=True)
    with GraphStore(store, read_only=True) as opened:
        for name, query in named_queries().items():
            result = run(opened, query.text)
            rows = [list(r.values()) for r in select(opened, query.text)]
            lines = "".join(f"\n  {json.dumps(row, ensure_ascii=False)}," for row in rows).rstrip(",")
            text = f'{{"variables": {json.dumps(result.variables)},\n "rows": [{lines}\n ]}}\n'
            (EXPECTED / f"{name}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    _write_expected(Path(sys.argv[1]))
