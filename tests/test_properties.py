"""Hostile text: Hypothesis feeds the normaliser, the extractor, the writer, the store and the
readers arbitrary text and bytes, mixed with the stuff of real policy documents.

Properties: nothing crashes; every offset map stays inside the text; every fact's evidence
quotes the original text exactly at its offsets; what the store gives back is what was
written; a reader either returns a document or raises ``ReadError`` (never anything else).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.document import Document
from graph.normalise import normalise
from graph.ontology import POL
from graph.pipeline import process
from graph.read import ReadError, Unreadable, decode_bytes, html_text, read_document
from graph.resources import corpus_dir
from graph.store import GraphStore
from graph.write import document_iri

# Pieces of real policy text: cue words, numbering, brackets, document numbers, names in
# both scripts, and characters that NFKC expands or that str.splitlines() breaks on.
FRAGMENTS = [
    "责任单位：", "牵头单位：", "牵头", "配合", "负责", "《", "》", "〔2019〕", "（一）", "(二)",
    "1.", "一、", "第一条", "为贯彻落实", "关于印发", "的通知", "实施方案", "市卫生健康委",
    "深圳市", "市医保局", "各区人民政府", "醫療保障局", "國務院", "國發〔2019〕13號", "香港特别行政区",
    "：", "；", "，", "。", "、", "——", "…", "“", "”", "号", "区", "局", "委员会", "办公室", "医院",
    "基金", "中心", "联盟", "\n", "\n\n", "\r\n", "\u3000", "\xa0", "\x85", "\u2028", "\x0b", "\x0c",
    "㈠", "㊣", "ﷺ", "½", "ﬁ", "Ａ", "１２３", "e\u0301", "\u200b", "\ufeff", "\U0002a6a5", "𠀀",
]  # fmt: skip


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(corpus_dir().glob("*.txt"))]


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
FULL_WIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
ANY = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot come out of a file
PUNCT = st.sampled_from("，。：；、（）()《》〔〕【】“” \n")
real_slices = st.builds(
    lambda text, start, length: text[start : start + length],
    st.sampled_from(_corpus_texts()),
    st.integers(0, 20000),
    st.integers(0, 300),
)
pieces = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(st.one_of(CJK, FULL_WIDTH, COMBINING, PUNCT), max_size=15),
    st.text(ANY, max_size=8),
    real_slices,
)
policy_text = st.lists(pieces, max_size=30).map("".join)
hostile_text = st.one_of(policy_text, st.text(ANY, max_size=200))


def examples(n: int) -> settings:
    """``n`` examples, no per-example deadline (the first extraction loads the reference data)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@examples(300)
@given(text=hostile_text, data=st.data())
def test_normalise_keeps_a_map_back_to_the_original(text: str, data: st.DataObject) -> None:
    norm = normalise(text)
    assert norm.original == text
    assert len(norm.origin) == len(norm.text) + 1
    assert norm.origin[-1] == len(text)
    assert all(0 <= o < len(text) for o in norm.origin[:-1])
    assert list(norm.origin) == sorted(norm.origin)
    start = data.draw(st.integers(0, len(norm.text)))
    end = data.draw(st.integers(start, len(norm.text)))
    o_start, o_end = norm.original_span(start, end)
    assert 0 <= o_start <= o_end <= len(text)
    assert norm.original_text(start, end) == text[o_start:o_end]
    with pytest.raises(ValueError):
        norm.original_span(0, len(norm.text) + 1)


@examples(200)
@given(text=policy_text)
def test_extraction_never_crashes_and_quotes_exactly(text: str) -> None:
    doc = Document(doc_id="hypothesis.txt", text=text)
    quads = process(doc)
    norm = doc.normalised()
    for mention in doc.mentions:
        assert 0 <= mention.start <= mention.end <= len(norm.text)
    for fact in doc.facts:
        assert 0 <= fact.start <= fact.end <= len(norm.text)
        o_start, o_end, quote = doc.evidence(fact.start, fact.end)
        assert 0 <= o_start <= o_end <= len(text)
        assert quote == text[o_start:o_end]
    # and what the writer says is at each evidence offset is really there
    evidence: dict[str, dict[str, str]] = {}
    for q in quads:
        if q.predicate.value in (str(POL.quote), str(POL.startOffset), str(POL.endOffset)):
            evidence.setdefault(q.subject.value, {})[q.predicate.value.rsplit("#", 1)[-1]] = q.object.value
    for ev in evidence.values():
        assert text[int(ev["startOffset"]) : int(ev["endOffset"])] == ev["quote"]


@pytest.fixture(scope="module")
def scratch_store() -> Iterator[GraphStore]:
    folder = tempfile.mkdtemp(prefix="pg-hypothesis-")
    with GraphStore(Path(folder) / "store") as store:
        yield store
    shutil.rmtree(folder)


@examples(150)
@given(text=hostile_text)
def test_the_store_gives_back_exactly_what_was_written(text: str, scratch_store: GraphStore) -> None:
    """Document text goes into a SPARQL update as a literal; no text may break out of it."""
    doc = Document(doc_id="hostile.txt", text=text, meta={"title": text[:50], "source": text[-30:]})
    quads = process(doc)
    g = document_iri("hostile.txt")
    scratch_store.replace_graph(g, quads)
    assert sorted(map(str, scratch_store.graph_quads(g))) == sorted(map(str, quads))
    stored_text = [q.object.value for q in scratch_store.graph_quads(g) if q.predicate.value == str(POL.text)]
    assert stored_text == [text]


@examples(300)
@given(raw=st.one_of(st.binary(max_size=400), hostile_text.map(lambda t: t.encode("utf-8"))))
def test_decoding_returns_text_or_a_reason(raw: bytes) -> None:
    try:
        text, encoding = decode_bytes(raw)
    except Unreadable as exc:  # the reader's own "cannot read this", and nothing else
        assert "\n" not in str(exc) and str(exc)
        return
    assert text.strip() and "\x00" not in text and "\r" not in text
    assert encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030", "big5", "cp950", "big5hkscs")
    if encoding == "utf-8":
        assert text == raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


@examples(200)
@given(text=hostile_text)
def test_utf8_text_reads_back_as_itself(text: str) -> None:
    raw = text.encode("utf-8")
    try:
        decoded, encoding = decode_bytes(raw)
    except Unreadable as exc:
        # only text that is blank or mostly control characters is refused
        assert str(exc).startswith(("empty file", "binary or unknown encoding")), exc
        return
    assert encoding == ("utf-8-sig" if text.startswith("\ufeff") else "utf-8")
    assert decoded == text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


@examples(200)
@given(
    markup=st.lists(
        st.one_of(
            pieces,
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<br>",
                    "<div>",
                    "</div>",
                    "<pre>",
                    "</pre>",
                    "<script>",
                    "</script>",
                    "<nav>",
                    "</nav>",
                    "<!--",
                    "-->",
                    "<![CDATA[",
                    "]]>",
                    "&nbsp;",
                    "&#0;",
                    "&#xD800;",
                    "&amp",
                    "<table><tr><td>",
                    "</td></tr></table>",
                    "<title>",
                    "</title>",
                    "<",
                    ">",
                    '"',
                    "<p hidden>",
                ]
            ),
        ),
        max_size=40,
    ).map("".join)
)
def test_html_extraction_never_crashes(markup: str) -> None:
    text, title = html_text(markup)
    assert "\x00" not in text
    assert title is None or (title and "\n" not in title)


@examples(200)
@given(raw=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".html", ".docx", ".pdf", ""]))
def test_any_file_gives_a_document_or_a_read_error(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(raw)
        try:
            doc = read_document(path)
        except ReadError as exc:
            assert exc.reason and "\n" not in exc.reason
        else:
            assert doc.text.strip()


@examples(100)
@given(prefix=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html>"]), raw=st.binary(max_size=300))
def test_damaged_pdf_docx_and_html_give_a_read_error(prefix: bytes, raw: bytes) -> None:
    suffix = {b"%PDF-1.4\n": ".pdf", b"PK\x03\x04": ".docx", b"<html>": ".html"}[prefix]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(prefix + raw)
        try:
            read_document(path)
        except ReadError as exc:
            assert exc.reason and "\n" not in exc.reason


def test_a_document_whose_text_is_hostile_builds_through_the_cli(tmp_path: Path, capsys) -> None:
    """Quotes, backslashes, braces and SPARQL keywords in text are data, never syntax."""
    from graph.cli import main

    text = (
        '牵头单位：市卫生健康委"} ; DROP ALL ; INSERT DATA { <a:b> <c:d> "e" } #\n'
        "责任单位：各区人民政府\\\\u0022 '''\"\"\" \\n <script>alert(1)</script>\n"
        "关于印发《深圳市\u0000实施方案》的通知\u2028第二行\x85第三行\n"
    ).replace("\u0000", "")
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["build", str(path), "--store", str(tmp_path / "store"), "--quiet"]) == 0
    capsys.readouterr()
    with GraphStore(tmp_path / "store", read_only=True) as store:
        (g,) = store.document_graphs()
        texts = [q.object.value for q in store.graph_quads(g) if q.predicate == ox.NamedNode(str(POL.text))]
        assert texts == [text]
        assert all(str(q.graph_name) == str(g) for q in store.quads())
