"""``policy-graph serve`` as a user meets it: the real server in a subprocess, asked by a real
SPARQL client (SPARQLWrapper) and by plain HTTP."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from graph.store import GraphStore

LEADS = """SELECT DISTINCT ?measure ?lead WHERE {
  ?m pol:leadUnit ?u ; skos:prefLabel ?measure . ?u skos:prefLabel ?lead .
  FILTER (STRSTARTS(?measure, "构建以促进健康"))
}"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint(built_store: Path) -> Iterator[str]:
    """The server on a free loopback port, with a 2 s time limit and at most 50 rows."""
    cmd = [sys.executable, "-m", "graph.cli", "serve", "--store", str(built_store), "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--timeout", "2", "--max-rows", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("SPARQL endpoint http://127.0.0.1:"), line
        yield line.split()[2].rstrip(",")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _client(url: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


EXPECTED_LEAD = ("构建以促进健康为导向的创新型医保制度", "深圳市医疗保障局")


def test_select_as_json(endpoint: str) -> None:
    data = _client(endpoint, LEADS, JSON).queryAndConvert()
    rows = [(b["measure"]["value"], b["lead"]["value"]) for b in data["results"]["bindings"]]
    assert rows == [EXPECTED_LEAD]
    assert data["results"]["bindings"][0]["lead"]["xml:lang"] == "zh-hans"


def test_select_as_xml(endpoint: str) -> None:
    doc = _client(endpoint, LEADS, XML).queryAndConvert()
    ns = "http://www.w3.org/2005/sparql-results#"
    values = [n.firstChild.data for n in doc.getElementsByTagNameNS(ns, "literal")]
    assert values == list(EXPECTED_LEAD)


def test_select_as_csv(endpoint: str) -> None:
    text = _client(endpoint, LEADS, CSV).queryAndConvert().decode()
    assert list(csv.reader(io.StringIO(text))) == [["measure", "lead"], list(EXPECTED_LEAD)]


def test_select_as_tsv(endpoint: str) -> None:
    text = _client(endpoint, LEADS, TSV).queryAndConvert().decode()
    assert text.splitlines() == [
        "?measure\t?lead",
        '"构建以促进健康为导向的创新型医保制度"@zh-hans\t"深圳市医疗保障局"@zh-hans',
    ]


def test_construct_as_turtle(endpoint: str, built_store: Path) -> None:
    query = "CONSTRUCT { ?b pol:subOrganizationOf ?a } WHERE { ?b pol:subOrganizationOf ?a }"
    body = _client(endpoint, query, TURTLE).query().response.read()
    quads = ox.parse(body, format=ox.RdfFormat.TURTLE)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    with GraphStore(built_store, read_only=True) as store:
        expected = set(store.query(query))
    assert triples == expected and len(triples) == 4


def test_post_direct_body_and_accept_header(endpoint: str) -> None:
    status, ctype, body = _http(
        endpoint,
        LEADS.encode(),
        {
            "Content-Type": "application/sparql-query",
            "Accept": "text/csv;q=0.5, application/sparql-results+xml",
        },
    )
    assert (status, ctype) == (200, "application/sparql-results+xml; charset=utf-8")
    assert "深圳市医疗保障局" in body


def test_get_with_format_parameter(endpoint: str) -> None:
    url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK { ?m a pol:Measure }", "format": "json"})
    assert _http(url)[::2] == (200, '{"head": {}, "boolean": true}')


def test_malformed_query_is_400_with_the_parser_message(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed) as info:
        _client(endpoint, "SELECT ?x WHERE { ?x ", JSON).query()
    assert "malformed query: error at 1:" in str(info.value)
    status, _ctype, body = _http(endpoint + "?" + urllib.parse.urlencode({"query": "SELEC ?x"}))
    assert (status, body) == (400, "malformed query: error at 1:9: expected one of DESCRIBE, [_]\n")


def test_update_is_refused_and_the_store_is_unchanged(endpoint: str, built_store: Path) -> None:
    before = GraphStore(built_store, read_only=True)
    count = len(before.sorted_nquads())
    before.close()
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    client = _client(endpoint, update, JSON)
    client.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as info:  # SPARQLWrapper passes 403 through
        client.query()
    assert info.value.code == 403
    refused = "this endpoint is read-only: SPARQL Update is refused\n"
    form = urllib.parse.urlencode({"update": update}).encode()
    assert _http(endpoint, form)[::2] == (403, refused)
    direct = _http(endpoint, update.encode(), {"Content-Type": "application/sparql-update"})
    assert direct[::2] == (403, refused)
    as_query = urllib.parse.urlencode({"query": update}).encode()
    assert _http(endpoint, as_query)[::2] == (403, refused)
    with GraphStore(built_store, read_only=True) as after:
        assert len(after.sorted_nquads()) == count


def test_query_past_the_time_limit_is_stopped(endpoint: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:  # SPARQLWrapper passes 503 through
        _client(endpoint, SLOW, JSON).query()
    assert info.value.code == 503
    status, _ctype, body = _http(endpoint + "?" + urllib.parse.urlencode({"query": SLOW}))
    assert (status, body) == (503, "query stopped: it ran longer than the time limit of 2 s (--timeout)\n")
    # and the server still answers
    assert _http(endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"}))[0] == 200


def test_result_limit_cuts_and_says_so(endpoint: str) -> None:
    request = urllib.request.Request(
        endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["X-Result-Truncated"] == "stopped after 50 results"
        assert len(json.loads(response.read())["results"]["bindings"]) == 50


def test_query_page_works_offline_and_links_the_named_queries(endpoint: str) -> None:
    root = endpoint.removesuffix("sparql")
    status, ctype, page = _http(root + "?name=lead-units")
    assert (status, ctype) == (200, "text/html; charset=utf-8")
    assert "http://" not in page and "https://" not in page.replace("https://w3id.org", "")
    assert '<a href="/?name=measures-without-lead">measures-without-lead</a>' in page
    assert "?m a pol:Measure ; skos:prefLabel ?measure ; pol:leadUnit ?u ." in page
    status, _ctype, text = _http(root + "queries/lead-units.rq")
    assert status == 200 and text.startswith("# The lead unit of each measure")


def test_page_runs_a_query_in_a_browser(endpoint: str) -> None:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        try:
            page = browser.new_page()
            page.goto(endpoint.removesuffix("sparql"))
            page.fill("#q", LEADS)
            page.click("button[type=submit]")
            page.wait_for_selector("#out table")
            cells = page.eval_on_selector_all("#out td", "tds => tds.map(td => td.textContent)")
        finally:
            browser.close()
    assert cells == list(EXPECTED_LEAD)
