"""Bad input: one clear line per skipped file, the other files built, exit status 2.

Run through the real command line (in this process and as a subprocess), with the files a
scraper leaves behind: empty, binary, cut-off UTF-8, a 50 MB dump, a scanned PDF, an error
page saved as ``.pdf``, an old ``.doc`` renamed ``.docx``. The store must hold the good
files' graphs and keep what earlier builds put there.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from test_read import cjk_pdf, write_docx

from graph.cli import main
from graph.pipeline import build
from graph.read import MAX_BYTES, ReadError, read_document
from graph.store import GraphStore
from graph.write import document_iri

ROOT = Path(__file__).resolve().parents[1]
GOOD = "002_0c2aae9792a09d6f.txt"
FIFTY_MB = 50 * 1024 * 1024


def utf8_cut_mid_character(text: str) -> bytes:
    """``text`` as UTF-8 with its last character (a Chinese one) cut after its first byte."""
    raw = text.rstrip().encode("utf-8")
    assert raw[-3] >= 0xE0  # the last character takes three bytes
    return raw[:-2]


@pytest.fixture
def bad_folder(tmp_path: Path, corpus: Path) -> Path:
    """One good document among an empty, a binary, a truncated and a 50 MB file."""
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(corpus / GOOD, folder / GOOD)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    text = (corpus / GOOD).read_text(encoding="utf-8")
    (folder / "truncated.txt").write_bytes(utf8_cut_mid_character(text))
    with (folder / "huge.txt").open("wb") as fh:  # sparse: 50 MB on paper, instant to make
        fh.truncate(FIFTY_MB)
    return folder


def expected_skips(folder: Path, corpus: Path) -> list[tuple[str, str]]:
    size = len(utf8_cut_mid_character((corpus / GOOD).read_text(encoding="utf-8")))
    return [
        (f"{folder}/binary.txt", "binary or unknown encoding (contains NUL bytes)"),
        (f"{folder}/empty.txt", "empty file"),
        (f"{folder}/huge.txt", "too large (52,428,800 bytes; the limit is 20,971,520)"),
        (
            f"{folder}/truncated.txt",
            f"truncated UTF-8 (the file ends in the middle of a character, after {size:,} bytes)",
        ),
    ]


def test_cli_reports_each_bad_file_and_builds_the_rest(
    bad_folder: Path, corpus: Path, tmp_path: Path, capsys
) -> None:
    store = tmp_path / "store"
    status = main(["build", str(bad_folder), "--store", str(store), "--quiet"])
    out, err = capsys.readouterr()
    skips = expected_skips(bad_folder, corpus)
    assert status == 2
    assert err.splitlines() == [f"skipped {path}: {reason}" for path, reason in skips]
    assert out.splitlines()[:6] == [
        f"built 1 document(s) into {store.resolve()}",
        "skipped 4 file(s):",
        *(f"  {path}: {reason}" for path, reason in skips),
    ]
    with GraphStore(store, read_only=True) as s:
        assert s.document_graphs() == [document_iri(GOOD)]


def test_exit_status_of_the_real_command(bad_folder: Path, corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = subprocess.run(
        [sys.executable, "-m", "graph.cli", "build", str(bad_folder), "--store", str(store), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    skips = expected_skips(bad_folder, corpus)
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == [f"skipped {path}: {reason}" for path, reason in skips]
    assert run.stdout.startswith(f"built 1 document(s) into {store.resolve()}\nskipped 4 file(s):\n")
    # and a clean folder exits 0
    (bad_folder / "clean").mkdir()
    shutil.copy(corpus / GOOD, bad_folder / "clean" / GOOD)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "graph.cli",
            "build",
            str(bad_folder / "clean"),
            "--store",
            str(store),
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (run.returncode, run.stderr) == (0, "")


def test_oversized_file_is_refused_without_being_read(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(FIFTY_MB)

    def no_reading(*args, **kwargs):
        raise AssertionError("an oversized file must be refused before it is opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.reason == f"too large (52,428,800 bytes; the limit is {MAX_BYTES:,})"
    assert str(info.value) == f"{path}: too large (52,428,800 bytes; the limit is 20,971,520)"


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(cjk_pdf("深圳市医疗保障局"))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # a page with no text layer, as a scan without OCR has
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "made.docx"
    write_docx("牵头单位：市医保局", path)
    return path.read_bytes()


GOOD_LINE = "牵头单位：市卫生健康委、市医保局，责任单位：各区人民政府。"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\r\n\t\n", "empty file (only white space)"),
        ("blank.md", "\u3000\n".encode(), "empty file (only white space)"),
        ("nul.txt", b"\xe7\x89\xb5\x00\x00\x00", "binary or unknown encoding (contains NUL bytes)"),
        (
            "noise.txt",
            random.Random(8).randbytes(4000).replace(b"\0", b"\1"),
            "binary or unknown encoding (not UTF-8, GB18030 or Big5)",
        ),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "binary or unknown encoding (a PNG image)"),
        ("archive.txt", b"\x1f\x8b\x08\x00" + bytes(50), "binary or unknown encoding (a gzip archive)"),
        (
            "controls.txt",
            ("责任单位" + "\x01\x02\x03" * 5).encode(),
            "binary or unknown encoding (control characters in the text)",
        ),
        (
            "damaged.txt",
            GOOD_LINE.encode()[:10] + GOOD_LINE.encode()[11:],
            "damaged UTF-8 (invalid byte 0xe4 at offset 9; 1 bad sequence in all)",
        ),
        (
            "truncated.txt",
            GOOD_LINE.encode()[:-2],
            "truncated UTF-8 (the file ends in the middle of a character, after 85 bytes)",
        ),
        (
            "bom-truncated.txt",
            b"\xef\xbb\xbf" + GOOD_LINE.encode()[:-1],
            "truncated UTF-8 (the file ends in the middle of a character, after 89 bytes)",
        ),
        (
            "bad-utf16.txt",
            b"\xff\xfe" + "牵头".encode("utf-16-le") + b"\x00\xd8",
            "damaged UTF-16 (invalid bytes at offset 6)",
        ),
        ("scanned.pdf", "scanned", "no text layer (a scanned PDF? run OCR on it first)"),
        ("locked.pdf", "encrypted", "encrypted PDF (it needs a password)"),
        (
            "error-page.pdf",
            b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
            "not a PDF file (it holds an HTML page)",
        ),
        ("cut.pdf", "cut-pdf", "not a valid PDF (PdfStreamError: Stream has ended unexpectedly)"),
        (
            "old.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "unsupported format (a Word 97-2003 .doc file; save it as .docx)",
        ),
        ("cut.docx", "cut-docx", "not a valid .docx file (a damaged ZIP archive, or not a Word one)"),
        ("text.docx", GOOD_LINE.encode(), "not a .docx file (it holds something else)"),
        ("empty.docx", "empty-docx", "no text (empty Word document)"),
        (
            "old.txt",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "unsupported format (an Office 97-2003 file; save it as .docx)",
        ),
        (
            "menu.html",
            b"<html><body><nav>\xe9\xa6\x96\xe9\xa1\xb5</nav><script>x()</script></body></html>",
            "no text (the page holds only markup, navigation or scripts)",
        ),
    ],
)
def test_each_kind_of_bad_file_has_one_clear_reason(
    name: str, content: bytes | str, reason: str, tmp_path: Path
) -> None:
    if content == "scanned":
        content = _scanned_pdf()
    elif content == "encrypted":
        content = _encrypted_pdf()
    elif content == "cut-pdf":
        content = cjk_pdf(GOOD_LINE * 20)[:400]
    elif content == "cut-docx":
        content = _docx_bytes(tmp_path)[:3000]
    elif content == "empty-docx":
        path = tmp_path / "blank.docx"
        import docx

        docx.Document().save(str(path))
        content = path.read_bytes()
    assert isinstance(content, bytes)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.reason == reason
    assert "\n" not in str(info.value)
    assert str(info.value) == f"{path}: {reason}"


def test_files_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_document(tmp_path / "missing.txt")
    assert info.value.reason == "no such file"
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ReadError) as info:
        read_document(tmp_path / "folder.txt")
    assert info.value.reason == "not a regular file"


def test_an_encrypted_pdf_with_an_empty_password_is_read(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(cjk_pdf("深圳市医疗保障局"))))
    writer.encrypt("", owner_password="owner")  # "no copying" flags only: readers open it
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert read_document(path).text == "深圳市医疗保障局"


def test_a_bad_file_does_not_touch_what_earlier_builds_stored(
    store_copy: Path, corpus: Path, tmp_path: Path
) -> None:
    """A document that was built and whose file is now damaged keeps its graph; others too."""
    with GraphStore(store_copy, read_only=True) as store:
        before = store.sorted_nquads()
        graphs = {g: store.graph_quads(g) for g in store.document_graphs()}
    folder = tmp_path / "again"
    folder.mkdir()
    shutil.copy(corpus / "manifest.json", folder / "manifest.json")
    text = (corpus / GOOD).read_text(encoding="utf-8")
    (folder / GOOD).write_bytes(utf8_cut_mid_character(text))  # the same name, now cut off
    (folder / "zero.txt").write_bytes(b"")
    errors: list[tuple[str, str]] = []
    with GraphStore(store_copy) as store:
        report = build([folder], store, progress=False, on_error=lambda p, r: errors.append((p, r)))
        after = store.sorted_nquads()
        assert store.document_graphs() == sorted(graphs, key=str)
    assert report.built == []
    assert [path for path, _ in report.failed] == [str(folder / GOOD), str(folder / "zero.txt")]
    assert errors == report.failed
    assert after == before  # the old graph of the damaged document is still whole


def test_a_broken_manifest_is_reported_once_and_its_folder_still_built(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"documents": [', encoding="utf-8")
    for name in ("a.txt", "b.txt"):
        shutil.copy(corpus / GOOD, folder / name)
    with GraphStore(tmp_path / "store") as store:
        report = build([folder], store, progress=False)
    assert report.built == [str(folder / "a.txt"), str(folder / "b.txt")]
    assert report.failed == [
        (
            str(folder / "manifest.json"),
            "unreadable manifest (Expecting value: line 1 column 16 (char 15))",
        )
    ]


def test_extraction_errors_are_reported_in_one_line(tmp_path: Path, monkeypatch) -> None:
    import graph.pipeline as pipeline

    def broken(doc):
        raise RuntimeError("regex\nexploded")

    monkeypatch.setattr(pipeline, "extract", broken)
    path = tmp_path / "a.txt"
    path.write_text(GOOD_LINE, encoding="utf-8")
    with GraphStore(tmp_path / "store") as store:
        report = pipeline.build([path], store, progress=False)
    assert report.failed == [(str(path), "extraction failed: RuntimeError: regex exploded")]


def test_a_reader_bug_is_a_skip_with_its_format(tmp_path: Path, monkeypatch) -> None:
    import graph.read as read

    def broken(markup: str):
        raise RuntimeError("parser\nfell over")

    monkeypatch.setattr(read, "html_text", broken)
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>正文</p></body></html>", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.reason == "unreadable html (RuntimeError: parser fell over)"
