"""Stage 1: documents in. Files and folders become ``Document`` objects with metadata.

A folder may hold a ``manifest.json`` (see ``data/corpus/manifest.json``) giving each file's
title, date, place, issuer, source, genre and script; files without an entry get what can be
read off the text later (title from the first line, place from the names in it).

What users feed the tool is whatever their scraper saved, so this stage is defensive:

* Formats: plain text (``.txt``, ``.text``, ``.md``), HTML pages (``.html``, ``.htm``,
  ``.shtml``, ``.xhtml``), Word ``.docx`` and PDF with a text layer. The content decides over
  the name where the name says "text": a PDF, a ``.docx`` or an HTML page saved as ``.txt``
  is read as what it is. A ``.pdf`` or ``.docx`` whose content is something else is refused,
  since that is usually a saved error page.
* Encodings: a BOM (UTF-8, UTF-16, UTF-32) is believed; then strict UTF-8, which never
  accepts text in another encoding by accident; then bytes that are *almost* UTF-8 are
  refused as damaged (cut off by a download limit, say) rather than guessed at, because a
  guess would turn them into plausible-looking nonsense; then an encoding declared by the
  manifest or an HTML ``<meta charset>``; then charset-normalizer, restricted to the
  encodings Chinese documents come in (GB18030 and its subsets GBK and GB2312, Big5 and its
  extensions), which tells GB18030 from Big5 where both decode without error.
* Anything else fails with a ``ReadError`` whose reason is one line: an empty, binary,
  damaged, oversized or unreadable file is reported and skipped, never half-read.

Each ``Document`` records what was found in ``meta["format"]`` (``text``, ``html``,
``docx``, ``pdf``) and ``meta["encoding"]`` (the codec that decoded it; none for PDF, whose
characters come from its fonts' Unicode maps). ``Document.text`` is the text evidence offsets
refer to: the decoded file with line endings normalised to ``\\n``, or the text extracted
from the HTML, Word or PDF document.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graph.document import Document

MANIFEST = "manifest.json"
TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
DOCX_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
DOCUMENT_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES + PDF_SUFFIXES

MAX_BYTES = 20 * 1024 * 1024
"""Largest file read (and largest text kept from a Word or PDF file): 20 MiB.

The longest real policy document is well under 1 MB of text; a file twenty times that is a
dump, a log or a mistake, and reading it would stall the build for everyone else's files.
The size is checked with ``stat`` before a byte is read.
"""

DETECT_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")
"""What charset-normalizer may choose from once UTF-8 has failed.

Restricted on purpose: unrestricted, it calls short Big5 text ``cp949`` (Korean) and plain
ASCII with a few GB bytes ``cp1252``. GB2312 and GBK are subsets of GB18030, so one codec
reads all three.
"""

_GB_FAMILY = {"gb2312", "gbk", "gb18030"}
_BIG5_FAMILY = {"big5", "big5hkscs", "cp950"}

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Binary formats recognised by their first bytes, so the reason can name what the file is.
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)

_CONTROL_OK = {"\t", "\n", "\r", "\x0b", "\x0c"}
_MAX_CONTROL_SHARE = 0.01  # more C0/C1 controls than this and the "text" is really binary


class ReadError(Exception):
    """A file that cannot be read as a document; the message says why, in one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class Unreadable(Exception):
    """Why some bytes cannot be read, without a path: ``read_document`` turns it into ``ReadError``."""


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and the document files inside named folders, in sorted order.

    Inside folders, hidden files and folders (``.name``, which include macOS ``._name``
    resource forks) and Office lock files (``~$name.docx``) are passed over: they are never
    documents, and reporting them as skipped would only be noise. A file named directly is
    always read, whatever its name.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if any(part.startswith(".") for part in rel) or child.name.startswith("~$"):
                    continue
                if child.suffix.lower() in DOCUMENT_SUFFIXES and child.is_file():
                    yield child
        else:
            yield path


def load_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest entries of a folder, keyed by file name ({} when there is none)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(manifest, f"unreadable manifest ({_one_line(str(exc))})") from exc
    return {entry["file"]: entry for entry in data.get("documents", []) if "file" in entry}


def read_document(path: Path, meta: dict[str, Any] | None = None, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a ``Document``, or raise ``ReadError`` saying why not.

    ``meta`` is the file's manifest entry; a declared ``encoding`` there is used when the
    bytes are not UTF-8 (and only if they decode with it). Files over ``max_bytes`` are
    refused before they are read.
    """
    metadata = dict(meta or {})
    declared = metadata.pop("encoding", None)
    fmt = "file"
    try:
        raw = _read_bytes(path, max_bytes)
        fmt = _format_of(path, raw)
        if fmt == "pdf":
            text, encoding, title = _pdf_text(raw), None, None
        elif fmt == "docx":
            text, encoding, title = _docx_text(raw, max_bytes), "utf-8", None
        elif fmt == "html":
            markup, encoding = decode_bytes(raw, declared or _declared_charset(raw))
            text, title = html_text(markup)
        else:
            text, encoding = decode_bytes(raw, declared)
            title = None
        if not text.strip():
            raise Unreadable(_NO_TEXT[fmt])
        if fmt in ("pdf", "docx") and len(text.encode("utf-8")) > max_bytes:
            raise Unreadable(_too_large(len(text.encode("utf-8")), max_bytes, "of text"))
    except Unreadable as exc:
        raise ReadError(path, str(exc)) from None
    except Exception as exc:  # a parser's bug on a strange file: skip it, say which
        raise ReadError(path, f"unreadable {fmt} ({type(exc).__name__}: {_one_line(str(exc))})") from exc
    metadata["format"] = fmt
    if encoding:
        metadata["encoding"] = encoding
    if title:
        metadata.setdefault("title", title)
    return Document(doc_id=path.name, text=text, path=path, meta=metadata)


_NO_TEXT = {
    "text": "empty file (only white space)",
    "html": "no text (the page holds only markup, navigation or scripts)",
    "docx": "no text (empty Word document)",
    "pdf": "no text layer (a scanned PDF? run OCR on it first)",
}


def _one_line(message: str, limit: int = 200) -> str:
    """An exception message squeezed into one short line, for a skip reason."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _too_large(size: int, limit: int, what: str = "") -> str:
    return f"too large ({size:,} bytes{' ' + what if what else ''}; the limit is {limit:,})"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing missing, special, empty and oversized files up front."""
    try:
        if not path.exists():
            raise Unreadable("no such file")
        if not path.is_file():
            raise Unreadable("not a regular file")
        size = path.stat().st_size
        if size == 0:
            raise Unreadable("empty file")
        if size > max_bytes:
            raise Unreadable(_too_large(size, max_bytes))
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise Unreadable(f"cannot read ({exc.strerror or exc})") from exc
    if len(raw) > max_bytes:
        raise Unreadable(_too_large(len(raw), max_bytes))
    if not raw:
        raise Unreadable("empty file")
    return raw


# ---------------------------------------------------------------------- format


def _format_of(path: Path, raw: bytes) -> str:
    """``text``, ``html``, ``docx`` or ``pdf``: the content decides where the name allows it."""
    suffix = path.suffix.lower()
    kind = next((kind for magic, kind in _MAGIC if raw.startswith(magic)), None)
    if kind is None and b"%PDF-" in raw[:1024]:
        kind = "pdf"  # readers accept up to 1 KB of junk before the header, and so do we
    if kind == "zip" and _is_docx(raw):
        kind = "docx"
    if suffix in PDF_SUFFIXES and kind != "pdf":
        raise Unreadable(f"not a PDF file (it holds {_describe(raw, kind)})")
    if suffix in DOCX_SUFFIXES and kind != "docx":
        if kind == "ole":
            raise Unreadable("unsupported format (a Word 97-2003 .doc file; save it as .docx)")
        if kind == "zip":
            raise Unreadable("not a valid .docx file (a damaged ZIP archive, or not a Word one)")
        raise Unreadable(f"not a .docx file (it holds {_describe(raw, kind)})")
    if kind in ("pdf", "docx"):
        return kind
    if kind == "ole":
        raise Unreadable("unsupported format (an Office 97-2003 file; save it as .docx)")
    if kind is not None:
        raise Unreadable(f"binary or unknown encoding ({_describe(raw, kind)})")
    if suffix in HTML_SUFFIXES or _looks_like_html(raw):
        return "html"
    return "text"


def _describe(raw: bytes, kind: str | None) -> str:
    if kind == "zip":
        return "a ZIP archive"
    if kind == "ole":
        return "an Office 97-2003 file"
    if kind in ("pdf", "docx"):
        return {"pdf": "a PDF document", "docx": "a Word .docx document"}[kind]
    if kind is not None:
        return kind
    if _looks_like_html(raw):
        return "an HTML page"
    return "something else"


def _is_docx(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S
)


def _looks_like_html(raw: bytes) -> bool:
    return bool(_HTML_START.match(raw[:4096]))


# ---------------------------------------------------------------------- encodings


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode file bytes to text; returns ``(text, codec name)`` or raises ``Unreadable``.

    Line endings are normalised to ``\\n`` (as Python's text mode does), so a GB18030 file
    saved on Windows gives the same text, and the same graph, as the UTF-8 file it came from.
    """
    text, encoding = _decode(raw, declared)
    if text.startswith("\ufeff") and encoding not in {"utf-8-sig", "utf-16", "utf-32"}:
        text = text[1:]  # a GB18030 signature; a BOM codec has dropped its own, and only one
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise Unreadable("binary or unknown encoding (contains NUL characters)")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _CONTROL_OK)
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise Unreadable("binary or unknown encoding (control characters in the text)")
    if not text.strip():
        raise Unreadable("empty file (only white space)")
    return text, encoding


def _decode(raw: bytes, declared: str | None) -> tuple[str, str]:
    utf8 = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, utf8 = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    else:
        for bom, codec in _BOMS:
            if raw.startswith(bom):
                try:
                    return raw.decode(codec), codec
                except UnicodeDecodeError as exc:
                    raise Unreadable(
                        f"damaged {codec.upper()} (invalid bytes at offset {exc.start:,})"
                    ) from None
    if b"\x00" in raw:
        raise Unreadable("binary or unknown encoding (contains NUL bytes)")
    try:
        return raw.decode("utf-8"), utf8
    except UnicodeDecodeError as exc:
        damaged = _damaged_utf8(raw, 3 if utf8 == "utf-8-sig" else 0)
        if damaged:
            raise Unreadable(damaged) from None
        if utf8 == "utf-8-sig":  # the BOM says UTF-8: no other encoding to try
            raise Unreadable(
                f"damaged UTF-8 (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start + 3:,})"
            ) from None
    codec = _candidate_codec(declared)
    if codec:
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError:
            pass  # the declaration is wrong; let the detector decide
    return _detect(raw)


def _candidate_codec(label: str | None) -> str | None:
    """The codec for a declared charset label, if it is one this reader accepts."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(_WEB_LABELS.get(label, label)).name
    except LookupError:
        return None
    if name in _GB_FAMILY:
        return "gb18030"  # GB2312 and GBK pages routinely use characters only GB18030 has
    if name in _BIG5_FAMILY:
        return name
    return None


# labels that web pages use (WHATWG Encoding Standard) and Python's codecs do not know
_WEB_LABELS = {
    "x-gbk": "gbk", "gb_2312-80": "gb2312", "chinese": "gb2312", "csgb2312": "gb2312",
    "iso-ir-58": "gb2312", "x-x-big5": "big5", "cn-big5": "big5", "csbig5": "big5",
}  # fmt: skip

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)


def _declared_charset(raw: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def _damaged_utf8(raw: bytes, skipped: int = 0) -> str | None:
    """A reason if ``raw`` is UTF-8 with a few bad sequences, else ``None``.

    GB18030 or Big5 text read as UTF-8 fails on most of its characters; text that decodes
    as UTF-8 except for a cut-off last character or one or two broken ones (at most one bad
    sequence in twenty good non-ASCII characters) is UTF-8 that was damaged: a truncated
    download, a bad copy. Such a file is refused rather than guessed at, since any guess
    would put wrong characters into quoted evidence. ``skipped`` is the length of a BOM
    already taken off, so that byte positions in the reason count from the file's start.
    """
    # surrogateescape turns each undecodable byte into one lone surrogate, which valid
    # UTF-8 can never produce, so the bad sequences are the runs of surrogates
    text = raw.decode("utf-8", errors="surrogateescape")
    runs = [m.span() for m in _ESCAPED.finditer(text)]
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - sum(end - start for start, end in runs)
    if not runs or valid <= 0 or len(runs) > max(1, valid // 20):
        return None
    first = len(text[: runs[0][0]].encode("utf-8", errors="surrogateescape"))
    at, size = first + skipped, len(raw) + skipped  # offsets count from 0, as in a hex editor
    if len(runs) == 1 and runs[0][1] == len(text) and _is_cut_character(raw[first:]):
        return f"truncated UTF-8 (the file ends in the middle of a character, after {size:,} bytes)"
    n = len(runs)
    return (
        f"damaged UTF-8 (invalid byte 0x{raw[first]:02x} at offset {at:,}; "
        f"{n} bad sequence{'s' if n > 1 else ''} in all)"
    )


_ESCAPED = re.compile("[\udc80-\udcff]+")


def _is_cut_character(tail: bytes) -> bool:
    """Whether ``tail`` is the start of a multibyte UTF-8 character, cut short."""
    if not 1 <= len(tail) <= 3 or not 0xC2 <= tail[0] <= 0xF4:
        return False
    needed = 2 if tail[0] < 0xE0 else 3 if tail[0] < 0xF0 else 4
    return len(tail) < needed and all(0x80 <= b <= 0xBF for b in tail[1:])


def _detect(raw: bytes) -> tuple[str, str]:
    """charset-normalizer's choice among ``DETECT_ENCODINGS``, or ``Unreadable``."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=list(DETECT_ENCODINGS)).best()
    if best is None:
        raise Unreadable("binary or unknown encoding (not UTF-8, GB18030 or Big5)")
    codec = _candidate_codec(best.encoding) or best.encoding
    try:
        return raw.decode(codec), codec
    except UnicodeDecodeError:
        raise Unreadable("binary or unknown encoding (not UTF-8, GB18030 or Big5)") from None


# ---------------------------------------------------------------------- HTML

# Elements whose text is never the document's: page furniture, code, controls.
_DROP = frozenset(
    {
        "head", "script", "style", "noscript", "template", "nav", "aside", "iframe", "object",
        "embed", "svg", "canvas", "math", "button", "select", "option", "input", "textarea",
    }
)  # fmt: skip
# Page header and footer; kept when inside an <article> or <main>, where they are the
# article's own heading or byline.
_PAGE_FURNITURE = frozenset({"header", "footer"})
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def html_text(markup: str) -> tuple[str, str | None]:
    """The readable text of an HTML page and its ``<title>``.

    Parsed with BeautifulSoup over lxml (a real, forgiving HTML parser). Each block element
    (paragraph, heading, list item, table cell, ...) starts a new line; ``<br>`` always ends
    one, so ``<p>a</p><br><p>b</p>`` keeps its blank line. White space collapses as a browser
    shows it, except inside ``<pre>``; non-breaking and ideographic spaces are kept. Script,
    style, navigation, asides, forms' controls, hidden elements and the page header and
    footer are dropped.
    """
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = _HTML_SPACE.sub(" ", title_tag.get_text()).strip() if title_tag else ""

    lines: list[str] = []
    buf: list[str] = []
    pre_in_line = False

    def push(hard: bool) -> None:
        nonlocal pre_in_line
        line = "".join(buf)
        if not pre_in_line:
            line = _HTML_SPACE.sub(" ", line).strip(" ")
        if hard or line:
            lines.append(line)
        buf.clear()
        pre_in_line = False

    skipped = (Comment, Declaration, Doctype, ProcessingInstruction)
    # iterative walk (deeply nested pages must not hit the recursion limit): ("open", tag,
    # in_article, in_pre) entries expand a tag, ("close", tag) entries end its block
    stack: list[tuple[str, Any, bool, bool]] = [("open", soup, False, False)]
    while stack:
        action, node, in_article, in_pre = stack.pop()
        if action == "close":
            if node.name in _BLOCKS:
                push(hard=False)
            continue
        if isinstance(node, NavigableString):
            if isinstance(node, skipped):
                continue
            text = str(node)
            if in_pre:
                parts = text.split("\n")
                for part in parts[:-1]:
                    buf.append(part)
                    pre_in_line = True
                    push(hard=True)
                buf.append(parts[-1])
                pre_in_line = pre_in_line or bool(parts[-1])
            else:
                buf.append(_HTML_SPACE.sub(" ", text))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in _DROP or _hidden(node) or (name in _PAGE_FURNITURE and not in_article):
            continue
        if name == "br":
            push(hard=True)
            continue
        if name in _BLOCKS:
            push(hard=False)
        children = list(node.children)
        if name == "pre" and children and isinstance(children[0], NavigableString):
            first = str(children[0])
            if first.startswith("\n"):  # HTML ignores a newline right after <pre>
                children[0] = NavigableString(first[1:])
        inner_article = in_article or name in ("article", "main")
        inner_pre = in_pre or name in ("pre", "textarea", "listing", "plaintext")
        stack.append(("close", node, in_article, in_pre))
        for child in reversed(children):
            stack.append(("open", child, inner_article, inner_pre))
    push(hard=False)
    return "\n".join(lines), title or None


def _hidden(tag: Any) -> bool:
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if str(attrs.get("role", "")).lower() in _DROP_ROLES:
        return True
    return bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))


# ---------------------------------------------------------------------- Word and PDF


def _docx_text(raw: bytes, max_bytes: int) -> str:
    """Paragraphs and table cells of a ``.docx`` body, in document order, one per line.

    A merged table cell is read once. Headers, footers, footnotes and text boxes are not
    read (like a web page's furniture, they are rarely the policy). The unpacked body XML is
    held to ``max_bytes`` too, so a small zip bomb cannot exhaust memory.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            body = zf.getinfo("word/document.xml").file_size
        if body > max_bytes:
            raise Unreadable(_too_large(body, max_bytes, "of unpacked Word XML"))
        document = docx.Document(io.BytesIO(raw))
    except Unreadable:
        raise
    except Exception as exc:  # python-docx and zipfile raise many kinds on a broken file
        raise Unreadable(f"not a valid .docx file ({type(exc).__name__}: {_one_line(str(exc))})") from exc

    lines: list[str] = []

    def walk(container: Any) -> None:
        for item in container.iter_inner_content():
            if isinstance(item, Paragraph):
                lines.append(item.text)
            elif isinstance(item, Table):
                seen: set[Any] = set()
                for row in item.rows:
                    for cell in row.cells:
                        if cell._tc in seen:  # a merged cell repeats in every row/column it spans
                            continue
                        seen.add(cell._tc)
                        walk(cell)

    try:
        walk(document)
    except Exception as exc:
        raise Unreadable(f"unreadable .docx ({type(exc).__name__}: {_one_line(str(exc))})") from exc
    return "\n".join(lines)


def _pdf_text(raw: bytes) -> str:
    """The text layer of a PDF, page after page (pypdf's plain extraction).

    A PDF of scanned pages has no text layer; it is refused with a reason that says so
    rather than built as an empty document. pypdf's warnings about sloppy but readable
    files are silenced, so that stderr carries only the build's own one-line reasons.
    """
    from pypdf import PdfReader

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR + 10)
    try:
        try:
            reader = PdfReader(io.BytesIO(raw), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise Unreadable("encrypted PDF (it needs a password)")
            pages = [page.extract_text() or "" for page in reader.pages]
        except Unreadable:
            raise
        except Exception as exc:  # pypdf raises many kinds on a broken file
            raise Unreadable(f"not a valid PDF ({type(exc).__name__}: {_one_line(str(exc))})") from exc
    finally:
        log.setLevel(level)
    return "\n".join(page.rstrip("\n") for page in pages)
