"""``policy-graph serve`` as a user meets it: the real server in a subprocess, asked by a real
SPARQL client (SPARQLWrapper) and by plain HTTP."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from playwright.sync_api import Browser
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from graph.serve import result_format
from graph.sparql import named_queries
from graph.store import GraphStore

LEADS = """SELECT DISTINCT ?measure ?lead WHERE {
  ?m pol:leadUnit ?u ; skos:prefLabel ?measure . ?u skos:prefLabel ?lead .
  FILTER (STRSTARTS(?measure, "构建以促进健康"))
}"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint(built_store: Path) -> Iterator[str]:
    """The server on a free loopback port: two workers, a 2 s time limit, at most 50 rows."""
    cmd = [sys.executable, "-m", "graph.cli", "serve", "--store", str(built_store), "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--timeout", "2", "--max-rows", "50", "--workers", "2"],
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
    assert _http(url)[::2] == (200, '{"head":{},"boolean":true}')


def test_malformed_query_is_400_with_the_parser_message(endpoint: str) -> None:
    with pytest.raises(QueryBadFormed) as info:
        _client(endpoint, "SELECT ?x WHERE { ?x ", JSON).query()
    assert "malformed query: error at 1:" in str(info.value)
    status, _ctype, body = _http(endpoint + "?" + urllib.parse.urlencode({"query": "SELEC ?x"}))
    assert (status, body) == (400, "malformed query: error at 1:9: expected one of DESCRIBE, [_]\n")


def test_update_is_refused_and_the_store_is_unchanged(endpoint: str, built_store: Path) -> None:
    with GraphStore(built_store, read_only=True) as store:
        before = store.sorted_nquads(include_ontology=True)
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
    for text in (update, "# wipe\nPREFIX x: <urn:x>\ndelete where { ?s ?p ?o }"):
        as_query = urllib.parse.urlencode({"query": text}).encode()
        assert _http(endpoint, as_query)[::2] == (403, refused)
    with GraphStore(built_store, read_only=True) as store:
        assert store.sorted_nquads(include_ontology=True) == before


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


def test_page_runs_a_query_in_a_browser(endpoint: str, browser: Browser) -> None:
    page = browser.new_page()
    try:
        page.goto(endpoint.removesuffix("sparql"))
        page.fill("#q", LEADS)
        page.click("button[type=submit]")
        page.wait_for_selector("#out table")
        cells = page.eval_on_selector_all("#out td", "tds => tds.map(td => td.textContent)")
    finally:
        page.close()
    assert cells == list(EXPECTED_LEAD)


def test_a_slow_query_does_not_hold_up_the_others(endpoint: str) -> None:
    """Two workers: while one is busy with a query that will be stopped, the other answers."""
    slow: dict[str, int] = {}

    def ask_slow() -> None:
        slow["status"] = _http(endpoint + "?" + urllib.parse.urlencode({"query": SLOW}))[0]

    thread = threading.Thread(target=ask_slow)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    status, _ctype, body = _http(endpoint + "?" + urllib.parse.urlencode({"query": LEADS, "format": "csv"}))
    assert (status, body.splitlines()[1]) == (200, ",".join(EXPECTED_LEAD))
    assert time.perf_counter() - started < 1.5
    thread.join()
    assert slow == {"status": 503}


def test_requests_the_endpoint_does_not_serve(endpoint: str) -> None:
    form = {"query": "ASK {}", "default-graph-uri": "urn:x"}
    status, _ctype, body = _http(endpoint + "?" + urllib.parse.urlencode(form))
    assert (status, body) == (
        400,
        "default-graph-uri and named-graph-uri are not supported: the default graph is the union of "
        "all documents' graphs; use GRAPH <document> in the query\n",
    )
    assert _http(endpoint)[::2] == (400, "give exactly one 'query' parameter\n")
    assert _http(endpoint, b"ASK {}", {"Content-Type": "text/plain"})[::2] == (
        415,
        "POST a query as application/x-www-form-urlencoded (query=...) or as application/sparql-query\n",
    )
    root = endpoint.removesuffix("sparql")
    assert _http(root + "queries/nope.rq")[::2] == (404, "no such named query: see /queries\n")
    assert _http(root + "elsewhere")[::2] == (
        404,
        "not found: the endpoint is /sparql, the query page is /\n",
    )


def test_named_queries_are_listed_as_json(endpoint: str) -> None:
    status, ctype, body = _http(endpoint.removesuffix("sparql") + "queries")
    listing = json.loads(body)
    assert (status, ctype) == (200, "application/json")
    assert [q["name"] for q in listing] == sorted(named_queries())
    assert listing[0]["purpose"].startswith("Agencies by the region they govern")


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("", "json"),
        ("*/*", "json"),
        ("text/csv", "csv"),
        ("application/sparql-results+xml;q=0.5, text/tab-separated-values", "tsv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.1", "xml"),
        ("text/csv;q=0, application/xml", "xml"),
        ("text/csv;q=0", "json"),
        ("application/json", "json"),
    ],
)
def test_content_negotiation(accept: str, fmt: str) -> None:
    assert result_format(accept, None) == fmt


def test_the_format_parameter_wins_over_accept() -> None:
    assert result_format("text/csv", "tsv") == "tsv"


def _workers_of(pid: int) -> set[int]:
    """The query workers whose parent is ``pid`` (from /proc: Linux only, as the tests run)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            out.add(int(stat.parent.name))
    return out


def test_a_rebuilt_store_is_seen_by_the_next_query(store_copy: Path) -> None:
    """Workers open the store for each query, so a build while the server runs shows up; and
    stopping the server (SIGTERM) stops its workers."""
    cmd = [sys.executable, "-m", "graph.cli", "serve", "--store", str(store_copy), "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[2].rstrip(",")
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:new> { ?s ?p ?o } }"
        ask = url + "?" + urllib.parse.urlencode({"query": count, "format": "csv"})
        assert _http(ask)[2].splitlines() == ["n", "0"]
        with GraphStore(store_copy) as store:
            quad = ox.Quad(
                ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), ox.NamedNode("urn:new")
            )
            store.oxigraph.add(quad)
        assert _http(ask)[2].splitlines() == ["n", "1"]
        workers = _workers_of(proc.pid)
        assert len(workers) == 1
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert not {pid for pid in workers if Path(f"/proc/{pid}").exists()}


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "serve", "--store", str(missing), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"policy-graph serve: no graph store at {missing}: "
        "run 'policy-graph build' first or pass --store DIR\n"
    )
