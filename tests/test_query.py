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
from graph.sparql import QueryError, Result, named_queries, named_query, run, select, table
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
    assert {t.predicate.value for t in triples} == {"https://w3id.org/policy-graph/ontology#subOrganizationOf"}


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


def _write_expected(store: Path) -> None:
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
