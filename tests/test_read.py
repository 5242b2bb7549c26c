"""Reading: every encoding and format a scraper produces gives the graph the UTF-8 text gives.

The bundled documents are re-encoded (UTF-8 with a BOM, UTF-16, GB18030 with Windows line
ends, Big5), wrapped in an HTML page full of navigation and scripts, written as Word
``.docx`` files with python-docx and as PDFs with a CJK text layer, and each is read and
run through the pipeline. Its quads must equal those of the UTF-8 text, apart from the three
that say where the file was and how it was stored (``pol:sourcePath``, ``pol:encoding``,
``pol:format``): same entities, relations, evidence quotes *and* evidence offsets, which
holds because each reader gives back exactly the text the UTF-8 file holds. Two documented
exceptions: HTML collapses white space the way a browser shows it (one bundled document
indents lines with ASCII spaces; its ``<p>`` form is compared with that collapsed text, and
its ``<pre>`` form with the original), and a PDF has no blank lines (its form is compared
with the text minus blank lines, and its entities and relations with the original's).

No CJK font is installed on this machine, so the PDFs are written directly: Adobe's
predefined ``STSong-Light`` font with the ``UniGB-UCS2-H`` CMap, the way iText writes
Chinese without embedding a font. A viewer draws it with its Asian font pack; the text layer
(what pypdf reads) is exact either way.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import docx
import pytest

from graph.document import Document
from graph.ontology import POL
from graph.pipeline import build, process
from graph.read import (
    MAX_BYTES,
    ReadError,
    decode_bytes,
    html_text,
    iter_paths,
    read_document,
)
from graph.store import GraphStore

CORPUS_FILES = (
    "000_74ae017d24c2ebeb.txt",
    "001_7e66034cdb9a4942.txt",
    "002_0c2aae9792a09d6f.txt",
    "003_d0089da7c7f280c0.txt",
    "004_1c87228e0ad02169.txt",
)
# The traditional-script document, with the three characters Big5 lacks (variant forms that
# arrived through a simplified-to-traditional converter) in the forms a Big5 source writes.
BIG5_SOURCE = "000_74ae017d24c2ebeb.txt"
BIG5_FORMS = {"衆": "眾", "爲": "為", "羣": "群"}
STORAGE = {str(POL.sourcePath), str(POL.encoding), str(POL.format)}
_SPACE = re.compile(r"[ \t\n\r\f]+")


# ---------------------------------------------------------------- writers of test files


def to_html(text: str, *, title: str, charset: str = "utf-8", pre: bool = False) -> str:
    """``text`` as the article of a government-style page with furniture all around it.

    Each line becomes a ``<p>`` (its first characters in ``<strong>``, non-breaking spaces as
    ``&nbsp;``), each blank line a ``<br>``; with ``pre`` the text goes in one ``<pre>``.
    """
    if pre:
        body = f"<pre>{html.escape(text)}</pre>"
    else:
        parts = []
        for line in text.split("\n"):
            line = _SPACE.sub(" ", line).strip(" ")
            if not line:
                parts.append("<br>")
                continue
            head, tail = html.escape(line[:4]), html.escape(line[4:])
            parts.append(f"<p><strong>{head}</strong>{tail}</p>".replace("\xa0", "&nbsp;"))
        body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{html.escape(title)}</title>
<style>p {{ margin: 0 }} .ad:before {{ content: "广告" }}</style>
<script>var nav = "<p>首页</p>"; document.write("责任单位：脚本");</script>
</head><body>
<header><div class="logo">深圳市人民政府门户网站</div>
<form><input name="q" value="搜索"><button>搜索</button><select><option>全站</option></select></form></header>
<nav><ul><li><a href="/">首页</a></li><li><a href="/zw">政务公开</a></li></ul></nav>
<div class="crumbs" role="navigation">当前位置：首页 &gt; 政策文件</div>
<div style="display: none">隐藏的责任单位：市财政局</div>
<main><article>
{body}
</article></main>
<aside><h3>相关链接</h3><a href="http://www.gov.cn">中国政府网</a></aside>
<footer>版权所有 © 深圳市人民政府 粤ICP备05031020号</footer>
<script>trackPageView("责任单位：统计脚本");</script><noscript>请启用脚本</noscript>
</body></html>
"""


def html_canonical(text: str) -> str:
    """What the ``<p>`` page of ``text`` reads back as: each line's white space collapsed."""
    return "\n".join(_SPACE.sub(" ", line).strip(" ") for line in text.split("\n"))


def write_docx(text: str, path: Path) -> None:
    """``text`` as a Word document, one paragraph per line (blank lines as empty paragraphs)."""
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))


def cjk_pdf(text: str, lines_per_page: int = 30) -> bytes:
    """A PDF whose text layer is ``text``: one ``Tj`` per line, 30 lines a page.

    The font is Adobe's predefined ``STSong-Light`` with the ``UniGB-UCS2-H`` CMap (character
    codes are UCS-2), so no font file is needed to write it. A blank line is only a line
    advance, as in any PDF, so it does not come back as a line of its own.
    """
    lines = text.split("\n")
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[""]]
    objects: list[bytes] = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"",  # 2: the page tree, written once the pages are known
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for page_lines in pages:
        ops = [b"BT /F1 10 Tf 14 TL 36 806 Td"]
        for i, line in enumerate(page_lines):
            if i:
                ops.append(b"T*")
            if line:
                ops.append(b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def without_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line)


# ---------------------------------------------------------------- comparing graphs


def manifest(corpus: Path) -> dict[str, dict]:
    data = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in data["documents"]}


def graph_of(path: Path, name: str, meta: dict) -> tuple[str, Document]:
    """Sorted N-Quads of the graph ``path`` gives when read as document ``name``.

    The document's name (which its graph IRI and every assertion IRI derive from) is the
    bundled file's, so that a ``.docx`` and the ``.txt`` it was made from can be compared;
    the three storage facts are left out.
    """
    doc = read_document(path, meta)
    doc.doc_id = name
    lines = sorted(f"{q} .\n" for q in process(doc) if str(q.predicate.value) not in STORAGE)
    return "".join(lines), doc


def text_graph(tmp: Path, text: str, name: str, meta: dict) -> str:
    """The graph of ``text`` as a UTF-8 file: the reference every other form must equal."""
    path = tmp / "utf8" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return graph_of(path, name, meta)[0]


def relation_triples(nquads: str) -> set[str]:
    """The entity and relation statements: everything but evidence and the document node."""
    keep = set()
    for line in nquads.splitlines():
        subject = line.split(" ", 1)[0]
        if "/evidence/" in subject or "/document/" in subject or "/assertion/" in subject:
            continue
        keep.add(line)
    return keep


@pytest.fixture(scope="module")
def meta(corpus: Path) -> dict[str, dict]:
    return manifest(corpus)


def original(corpus: Path, name: str) -> str:
    return (corpus / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_encoding_builds_the_same_graph(name: str, corpus: Path, meta: dict, tmp_path: Path) -> None:
    text = original(corpus, name)
    expected = text_graph(tmp_path, text, name, meta[name])
    forms = {
        "utf-8-sig": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf-16": text.encode("utf-16"),
        "gb18030": text.encode("gb18030"),
        "gb18030-crlf": text.replace("\n", "\r\n").encode("gb18030"),
    }
    for form, raw in forms.items():
        path = tmp_path / form / name
        path.parent.mkdir()
        path.write_bytes(raw)
        got, doc = graph_of(path, name, meta[name])
        assert doc.text == text, form
        assert doc.meta["encoding"] == form.removesuffix("-crlf"), form
        assert doc.meta["format"] == "text"
        assert got == expected, form


def test_big5_builds_the_same_graph(corpus: Path, meta: dict, tmp_path: Path) -> None:
    text = original(corpus, BIG5_SOURCE)
    with pytest.raises(UnicodeEncodeError):
        text.encode("big5")  # as bundled, three characters have no Big5 code
    text = "".join(BIG5_FORMS.get(ch, ch) for ch in text)
    raw = text.encode("big5")
    assert raw.decode("gb18030") != text  # Big5 bytes are valid GB18030: the detector must choose
    expected = text_graph(tmp_path, text, BIG5_SOURCE, meta[BIG5_SOURCE])
    path = tmp_path / "big5" / BIG5_SOURCE
    path.parent.mkdir()
    path.write_bytes(raw)
    got, doc = graph_of(path, BIG5_SOURCE, meta[BIG5_SOURCE])
    assert doc.text == text
    assert doc.meta["encoding"] == "big5"
    assert got == expected
    assert len(relation_triples(got)) > 50


def test_declared_encoding_settles_what_detection_cannot(tmp_path: Path) -> None:
    # two characters are too few for any detector; a manifest entry or <meta charset> decides
    raw = "关于".encode("gb18030")
    path = tmp_path / "short.txt"
    path.write_bytes(raw)
    assert read_document(path, {"encoding": "GB2312"}).text == "关于"
    assert read_document(path, {"encoding": "GB2312"}).meta["encoding"] == "gb18030"
    page = tmp_path / "short.html"
    page.write_bytes(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>'
                     b"<body><p>" + raw + b"</p></body></html>")  # fmt: skip
    doc = read_document(page)
    assert (doc.text, doc.meta["encoding"], doc.meta["format"]) == ("关于", "gb18030", "html")


def test_a_wrong_declaration_loses_to_the_bytes(corpus: Path, tmp_path: Path) -> None:
    text = original(corpus, "002_0c2aae9792a09d6f.txt")
    page = tmp_path / "page.html"
    page.write_bytes(to_html(text, title="t", charset="big5").encode("gb18030"))
    doc = read_document(page)
    assert doc.meta["encoding"] == "gb18030"
    assert doc.text == text


def test_line_ends_are_normalised() -> None:
    text = "各区人民政府，市政府直属各单位：\r\n现将《实施方案》印发给你们，\r请认真贯彻执行。\r\n"
    assert decode_bytes(text.encode("gb18030")) == (text.replace("\r\n", "\n").replace("\r", "\n"), "gb18030")
    assert decode_bytes(b"a\r\nb") == ("a\nb", "utf-8")


# ---------------------------------------------------------------- HTML


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_html_page_builds_the_same_graph(name: str, corpus: Path, meta: dict, tmp_path: Path) -> None:
    text = original(corpus, name)
    shown = html_canonical(text)
    # four of the five documents are exactly what a browser shows; 001 indents with spaces
    assert (shown == text) == (name != "001_7e66034cdb9a4942.txt")
    expected = text_graph(tmp_path, shown, name, meta[name])
    charset, encoding = ("gb2312", "gb18030") if name < "002" else ("utf-8", "utf-8")
    path = tmp_path / "html" / name.replace(".txt", ".html")
    path.parent.mkdir()
    path.write_bytes(to_html(text, title="页面标题", charset=charset).encode(encoding))
    got, doc = graph_of(path, name, meta[name])
    assert doc.text == shown
    assert (doc.meta["format"], doc.meta["encoding"]) == ("html", encoding)
    assert doc.meta["title"] == meta[name]["title"]  # the manifest's title wins over <title>
    assert got == expected


def test_html_pre_keeps_the_text_exactly(corpus: Path, meta: dict, tmp_path: Path) -> None:
    name = "001_7e66034cdb9a4942.txt"
    text = original(corpus, name)
    expected = text_graph(tmp_path, text, name, meta[name])
    path = tmp_path / "pre" / "001.htm"
    path.parent.mkdir()
    path.write_text(to_html(text, title="t", pre=True), encoding="utf-8")
    got, doc = graph_of(path, name, meta[name])
    assert doc.text == text
    assert got == expected


def test_html_drops_page_furniture_and_keeps_the_article() -> None:
    text, title = html_text(
        to_html("牵头单位：市卫生健康委\n\n责任单位：各区政府", title=" 实施意见 - 门户 ")
    )
    assert title == "实施意见 - 门户"
    assert text == "牵头单位：市卫生健康委\n\n责任单位：各区政府"
    for junk in ("首页", "搜索", "全站", "隐藏", "相关链接", "版权所有", "脚本", "广告", "当前位置"):
        assert junk not in text


def test_html_blocks_break_lines_and_inline_elements_do_not() -> None:
    page = """<html><body><article><header><h1>关于印发<em>方案</em>的通知</h1>
    <p class="date">2024-01-02</p></header>
    <div>第一段<span>接着</span>
       写。<br>换行<br/><br>空一行</div>
    <table><tr><td>序号</td><td>牵头单位</td></tr><tr><td>1</td><td>市医保局</td></tr></table>
    <ul><li>一</li><li>二 &amp; 三</li></ul><p>&#x4e2d;&nbsp;文　全角空格</p>
    <!-- a comment --></article><footer>页脚</footer></body></html>"""
    text, title = html_text(page)
    assert title is None
    assert text.split("\n") == [
        "关于印发方案的通知",  # a header inside the article is the article's own
        "2024-01-02",
        "第一段接着 写。",
        "换行",
        "",
        "空一行",
        "序号",
        "牵头单位",
        "1",
        "市医保局",
        "一",
        "二 & 三",
        "中\xa0文　全角空格",
    ]


def test_html_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("\n<!DOCTYPE html><html><body><nav>首页</nav><p>正文</p></body></html>", encoding="utf-8")
    doc = read_document(path)
    assert (doc.text, doc.meta["format"]) == ("正文", "html")


def test_deeply_nested_html_does_not_hit_the_recursion_limit() -> None:
    text, _ = html_text("<div>" * 5000 + "深" + "</div>" * 5000)
    assert text == "深"


# ---------------------------------------------------------------- Word


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_docx_builds_the_same_graph(name: str, corpus: Path, meta: dict, tmp_path: Path) -> None:
    text = original(corpus, name)
    expected = text_graph(tmp_path, text, name, meta[name])
    path = tmp_path / "docx" / name.replace(".txt", ".docx")
    path.parent.mkdir()
    write_docx(text, path)
    got, doc = graph_of(path, name, meta[name])
    assert doc.text == text
    assert (doc.meta["format"], doc.meta["encoding"]) == ("docx", "utf-8")
    assert got == expected


def test_docx_reads_paragraphs_and_table_cells_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("关于印发实施方案的通知")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [["序号", "任务", "牵头单位"], ["1", "建设医联体", "市卫生健康委"], ["2", "", ""]]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # one cell spanning two columns
    merged.text = "各区政府"
    inner = table.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "嵌套"
    document.add_paragraph("附件：任务分工表")
    path = tmp_path / "table.docx"
    document.save(str(path))
    assert read_document(path).text.split("\n") == [
        "关于印发实施方案的通知",
        "序号", "任务", "牵头单位",
        "1", "建设医联体", "嵌套", "", "市卫生健康委",
        "2", "各区政府",
        "附件：任务分工表",
    ]  # fmt: skip


def test_docx_saved_under_another_name_is_read_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "download.txt"
    write_docx("牵头单位：市医保局", path)
    assert read_document(path).meta["format"] == "docx"


# ---------------------------------------------------------------- PDF


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_pdf_builds_the_same_graph(name: str, corpus: Path, meta: dict, tmp_path: Path) -> None:
    text = original(corpus, name)
    lines = without_blank_lines(text)
    expected = text_graph(tmp_path, lines, name, meta[name])
    path = tmp_path / "pdf" / name.replace(".txt", ".pdf")
    path.parent.mkdir()
    path.write_bytes(cjk_pdf(text))
    got, doc = graph_of(path, name, meta[name])
    assert doc.text == lines
    assert doc.meta["format"] == "pdf"
    assert "encoding" not in doc.meta
    assert got == expected
    # and, blank lines apart, it states what the text file states
    assert relation_triples(got) == relation_triples(text_graph(tmp_path, text, name, meta[name]))


def test_pdf_saved_as_txt_is_read_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "download.txt"
    path.write_bytes(cjk_pdf("深圳市医疗保障局\n责任单位：各区政府"))
    doc = read_document(path)
    assert (doc.text, doc.meta["format"]) == ("深圳市医疗保障局\n责任单位：各区政府", "pdf")


# ---------------------------------------------------------------- folders and the CLI


def test_folders_yield_every_supported_format_and_skip_hidden_files(tmp_path: Path) -> None:
    names = ["a.txt", "b.HTML", "c.htm", "d.shtml", "e.docx", "f.pdf", "g.md", "sub/h.text", "sub/i.xhtml"]
    ignored = ["manifest.json", "notes.csv", ".hidden.txt", "._a.txt", "~$e.docx", ".git/x.txt", "j.doc"]
    for name in names + ignored:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])] == sorted(names)
    # a file named directly is read whatever its name
    assert list(iter_paths([tmp_path / "notes.csv"])) == [tmp_path / "notes.csv"]


def test_a_mixed_folder_builds_through_the_cli(corpus: Path, tmp_path: Path, capsys) -> None:
    from graph.cli import main

    folder = tmp_path / "mixed"
    folder.mkdir()
    texts = {name: original(corpus, name) for name in CORPUS_FILES}
    (folder / "a.txt").write_bytes(texts[CORPUS_FILES[2]].encode("gb18030"))
    (folder / "b.html").write_text(to_html(texts[CORPUS_FILES[3]], title="重慶"), encoding="utf-8")
    write_docx(texts[CORPUS_FILES[4]], folder / "c.docx")
    (folder / "d.pdf").write_bytes(cjk_pdf(texts[CORPUS_FILES[1]]))
    big5 = "".join(BIG5_FORMS.get(ch, ch) for ch in texts[BIG5_SOURCE])
    (folder / "e.txt").write_bytes(big5.encode("big5"))
    store = tmp_path / "store"
    assert main(["build", str(folder), "--store", str(store), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"built 5 document(s) into {store.resolve()}\n")
    with GraphStore(store, read_only=True) as s:
        rows = s.query(
            "SELECT ?l ?f ?e WHERE { GRAPH ?g { ?g rdfs:label ?l ; pol:format ?f "
            "OPTIONAL { ?g pol:encoding ?e } } }"
        )
        found = sorted((r["l"].value, r["f"].value, r["e"].value if r["e"] else None) for r in rows)
    assert found == [
        ("a.txt", "text", "gb18030"),
        ("b.html", "html", "utf-8"),
        ("c.docx", "docx", "utf-8"),
        ("d.pdf", "pdf", None),
        ("e.txt", "text", "big5"),
    ]


def test_max_bytes_is_a_parameter_of_read_and_build(tmp_path: Path) -> None:
    assert MAX_BYTES == 20 * 1024 * 1024
    path = tmp_path / "a.txt"
    path.write_text("牵头单位：市医保局", encoding="utf-8")  # 27 bytes
    with pytest.raises(ReadError) as info:
        read_document(path, max_bytes=26)
    assert info.value.reason == "too large (27 bytes; the limit is 26)"
    assert read_document(path, max_bytes=27).text == "牵头单位：市医保局"
    with GraphStore(tmp_path / "store") as store:
        report = build([path], store, progress=False, max_bytes=10)
    assert report.failed == [(str(path), "too large (27 bytes; the limit is 10)")]


def test_pdf_after_some_junk_is_still_a_pdf(tmp_path: Path) -> None:
    # a scraper that saved the HTTP response head in front of the file
    path = tmp_path / "saved.pdf"
    path.write_bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n" + cjk_pdf("深圳市医疗保障局")
    )
    doc = read_document(path)
    assert (doc.text, doc.meta["format"]) == ("深圳市医疗保障局", "pdf")
