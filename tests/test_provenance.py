"""Every relation has an assertion whose evidence quotes the original text exactly."""

from __future__ import annotations

from pathlib import Path

from graph.store import GraphStore

EVIDENCE = """
SELECT ?doc ?quote ?start ?end ?text WHERE {
  GRAPH ?g {
    ?e a pol:Evidence ; pol:quote ?quote ; pol:startOffset ?start ; pol:endOffset ?end ; pol:inDocument ?d .
    ?d pol:text ?text ; rdfs:label ?doc .
  }
}
"""

FACT_TO_QUOTE = """
SELECT ?quote WHERE {
  ?m skos:prefLabel "发展社区健康服务"@zh-Hans .
  ?a rdf:subject ?m ; rdf:predicate pol:leadUnit ; rdf:object ?u ; pol:evidence/pol:quote ?quote .
  ?u skos:prefLabel ?lead .
}
"""


def test_every_quote_is_the_original_text_at_its_offsets(built_store: Path, corpus: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        rows = list(store.query(EVIDENCE))
    assert len(rows) > 200
    originals = {p.name: p.read_text(encoding="utf-8") for p in corpus.glob("*.txt")}
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        original = originals[row["doc"].value]
        assert row["text"].value == original
        assert original[start:end] == row["quote"].value


def test_every_relation_triple_has_an_assertion(built_store: Path) -> None:
    query = """
    SELECT (COUNT(*) AS ?n) WHERE {
      GRAPH ?g { ?s ?p ?o }
      GRAPH ?og { ?p a pol:Relation }
      FILTER NOT EXISTS {
        GRAPH ?g { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pol:evidence ?e }
      }
    }"""
    with GraphStore(built_store, read_only=True) as store:
        (row,) = list(store.query(query))
    assert int(row["n"].value) == 0


def test_traditional_names_are_kept_as_zh_hant(built_store: Path) -> None:
    query = """
    SELECT ?alt WHERE {
      ?e skos:prefLabel "深圳市医疗保障局"@zh-Hans ; skos:altLabel ?alt FILTER(lang(?alt) = "zh-hant")
    }
    """
    with GraphStore(built_store, read_only=True) as store:
        alts = sorted({row["alt"].value for row in store.query(query)})
    assert "深圳醫保局" in alts
