"""Parsing reads real PDF, DOCX and text files built in the test run, and refuses everything else with a typed error."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.oxml import parse_xml
from fpdf import FPDF

from transformer.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ServiceError,
    UnsupportedDocument,
)
from transformer.reading.deadline import ParseTimeout
from transformer.reading.documents import Document
from transformer.reading.parsing import DocxLimits, parse_document

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 10
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PAGE_ONE = ["Jos\xe9 M\xfcller", "Senior Data Engineer", "Experience", "Built Spark pipelines for 40 TB a day"]
PAGE_TWO = ["Education", "M.Sc. Computer Science, TU M\xfcnchen", "Skills: Python, SQL, Kubernetes"]


def parse(data: bytes, **limits: int) -> Document:
    return parse_document(
        data, max_bytes=limits.get("max_bytes", MAX_BYTES), max_pages=limits.get("max_pages", MAX_PAGES)
    )


def refused(exc: pytest.ExceptionInfo[ServiceError], cls: type[ServiceError], status: int, *words: str) -> None:
    """The error is of `cls`, maps to `status`, and its message mentions every word (case-insensitive)."""
    assert type(exc.value) is cls
    assert exc.value.status == status
    detail = exc.value.detail.lower()
    for word in words:
        assert word.lower() in detail, f"{word!r} not in {exc.value.detail!r}"


# --- builders ------------------------------------------------------------------------------------------


def build_pdf(pages: list[list[str]], *, font: Path | None = None, encrypt: dict[str, str] | None = None) -> bytes:
    """A PDF with a text layer: one page per list of lines."""
    pdf = FPDF()
    if font is not None:
        pdf.add_font("body", fname=str(font))
    for lines in pages:
        pdf.add_page()
        if font is not None:
            pdf.set_font("body", size=12)
        else:
            pdf.set_font("Helvetica", size=12)
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    if encrypt is not None:
        pdf.set_encryption(**encrypt)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def resume_pdf() -> bytes:
    return build_pdf([PAGE_ONE, PAGE_TWO])


@pytest.fixture(scope="module")
def scanned_pdf() -> bytes:
    """A page with only a drawing on it: what a scan looks like to a text extractor."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 150, 200, style="F")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def resume_docx() -> bytes:
    """Paragraphs, a table between two paragraphs, a bulleted list, a header and footer, two sections."""
    doc = DocxDocument()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Jos\xe9 M\xfcller - Curriculum Vitae"
    section.footer.paragraphs[0].text = "jose@example.com | +49 30 1234567"
    doc.add_paragraph("Jos\xe9 M\xfcller")
    doc.add_paragraph("Experience before the table")
    table = doc.add_table(rows=2, cols=3)
    for row, values in zip(
        table.rows, [("Company", "Role", "Years"), ("Acme", "Data Engineer", "2019-2023")], strict=True
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    doc.add_paragraph("Education after the table")
    doc.add_paragraph("Skills")
    doc.add_paragraph("Python", style="List Bullet")
    doc.add_paragraph("Kubernetes", style="List Bullet")
    # A second section whose header and footer are linked to the first: they must not be read twice.
    doc.add_section(WD_SECTION.NEW_PAGE)
    doc.add_paragraph("Publications")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def ole_file(*streams: str) -> bytes:
    """The start of an OLE compound file (legacy Office) with directory entries naming `streams`."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HH", 0x3E, 0x3) + bytes(484)
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\x00") + bytes(64) for name in ("Root Entry", *streams))
    return header + directory


# --- PDF -----------------------------------------------------------------------------------------------


def test_two_page_pdf_text_layer_is_extracted_page_by_page(resume_pdf: bytes) -> None:
    doc = parse(resume_pdf)
    assert doc.format == "pdf"
    assert doc.pages == 2
    assert doc.size_bytes == len(resume_pdf)
    assert doc.sha256 == hashlib.sha256(resume_pdf).hexdigest()
    first, second = doc.text.split("\n\n")
    assert first.splitlines() == PAGE_ONE
    assert second.splitlines() == PAGE_TWO


def test_pdf_with_unicode_font_keeps_accented_names() -> None:
    names = ["Zo\xeb \u0141ukasiewicz", "Jos\xe9 M\xfcller", "\u0160imon Dvo\u0159\xe1k"]
    doc = parse(build_pdf([names], font=DEJAVU))
    assert doc.text.splitlines() == names


def test_encrypted_pdf_is_refused_with_a_clear_message() -> None:
    data = build_pdf([PAGE_ONE], encrypt={"owner_password": "owner", "user_password": "secret"})
    with pytest.raises(EncryptedDocument) as exc:
        parse(data)
    refused(exc, EncryptedDocument, 422, "PDF", "password")


def test_pdf_with_only_an_owner_password_is_read() -> None:
    # Permission-only encryption (no password to open) still lets anyone read the text.
    data = build_pdf([PAGE_ONE], encrypt={"owner_password": "owner"})
    assert parse(data).text.splitlines() == PAGE_ONE


def test_truncated_pdf_is_reported_as_corrupt(resume_pdf: bytes) -> None:
    with pytest.raises(CorruptDocument) as exc:
        parse(resume_pdf[: len(resume_pdf) // 2])
    refused(exc, CorruptDocument, 422, "PDF", "damaged")


def test_garbage_after_pdf_magic_is_reported_as_corrupt() -> None:
    with pytest.raises(CorruptDocument) as exc:
        parse(b"%PDF-1.7\n" + random.Random(1).randbytes(2000))
    refused(exc, CorruptDocument, 422, "PDF")


def test_pdf_with_no_text_even_by_ocr_is_reported_as_empty(scanned_pdf: bytes) -> None:
    with pytest.raises(EmptyDocument) as exc:
        parse(scanned_pdf)  # only a drawn rectangle: no text layer, and nothing for OCR to read
    refused(exc, EmptyDocument, 422, "no text", "OCR")


def test_pdf_with_too_many_pages_is_refused() -> None:
    data = build_pdf([[f"Page {n}"] for n in range(4)])
    with pytest.raises(DocumentTooLarge) as exc:
        parse(data, max_pages=3)
    refused(exc, DocumentTooLarge, 413, "4 pages", "limit is 3")


# --- DOCX ----------------------------------------------------------------------------------------------


def test_docx_table_text_appears_between_the_surrounding_paragraphs(resume_docx: bytes) -> None:
    doc = parse(resume_docx)
    assert doc.format == "docx"
    assert doc.pages == 1
    lines = doc.text.splitlines()
    before = lines.index("Experience before the table")
    after = lines.index("Education after the table")
    assert lines[before + 1 : after] == ["Company | Role | Years", "Acme | Data Engineer | 2019-2023"]


def test_docx_bulleted_list_keeps_its_bullets(resume_docx: bytes) -> None:
    lines = parse(resume_docx).text.splitlines()
    assert lines[lines.index("Skills") + 1 :][:2] == ["• Python", "• Kubernetes"]
    assert "Skills" in lines and "• Skills" not in lines


def test_docx_header_and_footer_are_included_once(resume_docx: bytes) -> None:
    text = parse(resume_docx).text
    assert text.count("Jos\xe9 M\xfcller - Curriculum Vitae") == 1
    assert text.count("jose@example.com") == 1
    assert text.startswith("Jos\xe9 M\xfcller - Curriculum Vitae")
    assert text.endswith("jose@example.com | +49 30 1234567")
    assert "Publications" in text


def test_docx_merged_table_cells_are_read_once() -> None:
    doc = DocxDocument()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Certifications"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "AWS"
    table.cell(1, 1).text = "Solutions Architect"
    table.cell(2, 1).text = "Data Analytics"
    out = io.BytesIO()
    doc.save(out)
    assert parse(out.getvalue()).text.splitlines() == [
        "Certifications",
        "AWS | Solutions Architect",
        "Data Analytics",
    ]


TEXT_BOX_PARAGRAPH = """<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">
<w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent>
<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
<w:p><w:r><w:t>Contact: jane@example.com</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:textbox><w:txbxContent>
<w:p><w:r><w:t>Contact: jane@example.com</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
</mc:AlternateContent></w:r></w:p>"""


def test_docx_text_box_is_read_once_where_it_is_anchored() -> None:
    # Word stores each text box twice (DrawingML and a VML fallback); python-docx's paragraph text skips both.
    doc = DocxDocument()
    doc.add_paragraph("Before")
    doc.element.body.insert(1, parse_xml(TEXT_BOX_PARAGRAPH))
    doc.add_paragraph("After")
    out = io.BytesIO()
    doc.save(out)
    assert parse(out.getvalue()).text.splitlines() == ["Before", "Anchor", "Contact: jane@example.com", "After"]


def test_empty_docx_is_refused_as_empty() -> None:
    out = io.BytesIO()
    DocxDocument().save(out)
    with pytest.raises(EmptyDocument) as exc:
        parse(out.getvalue())
    refused(exc, EmptyDocument, 422, "no text")


def test_truncated_docx_is_reported_as_corrupt(resume_docx: bytes) -> None:
    with pytest.raises(CorruptDocument) as exc:
        parse(resume_docx[: len(resume_docx) - 200])
    refused(exc, CorruptDocument, 422, "damaged")


def test_docx_with_broken_xml_is_reported_as_corrupt(resume_docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(resume_docx)) as original:
        entries = {name: original.read(name) for name in original.namelist()}
    entries["word/document.xml"] = b"<w:document><w:body><w:p>unclosed"
    with pytest.raises(CorruptDocument) as exc:
        parse(build_zip(entries))
    refused(exc, CorruptDocument, 422, "could not be read")


def test_xlsx_is_refused_as_a_spreadsheet() -> None:
    data = build_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    with pytest.raises(UnsupportedDocument) as exc:
        parse(data)
    refused(exc, UnsupportedDocument, 415, "spreadsheet", "XLSX", "DOCX", "PDF")


def test_odt_is_refused_by_name() -> None:
    data = build_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
    with pytest.raises(UnsupportedDocument) as exc:
        parse(data)
    refused(exc, UnsupportedDocument, 415, "ODT")


def test_plain_zip_is_refused_as_an_archive() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(build_zip({"resume.txt": b"Jane Doe"}))
    refused(exc, UnsupportedDocument, 415, "ZIP archive")


# --- other binary formats ------------------------------------------------------------------------------


def test_legacy_doc_is_refused_as_unsupported() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(ole_file("WordDocument", "1Table"))
    refused(exc, UnsupportedDocument, 415, ".doc", "DOCX", "PDF", "plain text")


def test_bare_ole_header_is_refused_as_legacy_office() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    refused(exc, UnsupportedDocument, 415, "legacy Office")


def test_password_protected_office_file_is_refused_with_a_clear_message() -> None:
    with pytest.raises(EncryptedDocument) as exc:
        parse(ole_file("EncryptionInfo", "EncryptedPackage"))
    refused(exc, EncryptedDocument, 422, "password")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64), "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "JPEG"),
        (b"GIF89a" + bytes(64), "GIF"),
        (b"II*\x00" + bytes(64), "TIFF"),
    ],
)
def test_damaged_image_is_reported_as_corrupt(data: bytes, name: str) -> None:
    with pytest.raises(CorruptDocument) as exc:
        parse(data)  # the magic bytes of a real image format, then nothing decodable
    refused(exc, CorruptDocument, 422, "image", "damaged")


def test_image_format_ocr_cannot_read_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(b"\x00\x00\x00\x18ftypheic" + bytes(64))
    refused(exc, UnsupportedDocument, 415, "HEIC", "PNG", "PDF", "DOCX")


def test_rtf_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(rb"{\rtf1\ansi Jane Doe\par}")
    refused(exc, UnsupportedDocument, 415, "RTF")


def test_random_binary_data_is_refused() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse(b"\x00\x01" + random.Random(0).randbytes(4096))
    refused(exc, UnsupportedDocument, 415, "binary data", "PDF", "DOCX")


def test_utf16_text_without_bom_is_refused_as_binary() -> None:
    with pytest.raises(UnsupportedDocument) as exc:
        parse("Jane Doe, Data Engineer".encode("utf-16-le"))
    refused(exc, UnsupportedDocument, 415, "binary data")


# --- plain text and Markdown ---------------------------------------------------------------------------


def test_utf8_text_with_accents_is_read() -> None:
    text = "Jos\xe9 M\xfcller\nZo\xeb \u0141ukasiewicz \u2013 na\xefve caf\xe9\n"
    data = text.encode("utf-8")
    doc = parse(data)
    assert doc.format == "text"
    assert doc.pages == 1
    assert doc.text == text
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size_bytes == len(data)


def test_utf8_byte_order_mark_is_stripped() -> None:
    assert parse(b"\xef\xbb\xbfJos\xc3\xa9 M\xc3\xbcller").text == "Jos\xe9 M\xfcller"


def test_markdown_is_read_as_text() -> None:
    markdown = "# Jane Doe\n\n## Experience\n\n- **Acme**: built `dbt` models\n- Led a team of 5\n"
    doc = parse(markdown.encode())
    assert doc.format == "text"
    assert doc.text == markdown


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_bom_is_read(codec: str) -> None:
    text = "Jos\xe9 M\xfcller\r\nData Engineer"
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    assert parse(bom + text.encode(codec)).text == "Jos\xe9 M\xfcller\nData Engineer"


def test_windows_1252_text_falls_back_to_legacy_decoding() -> None:
    data = "Jos\xe9 M\xfcller \u2013 \u201cData Engineer\u201d".encode("cp1252")
    assert parse(data).text == "Jos\xe9 M\xfcller \u2013 \u201cData Engineer\u201d"


def test_text_that_mentions_formats_is_still_text() -> None:
    # Detection is by magic bytes at the start, not by words in the content.
    text = "Converted resume.docx and report.pdf; wrote PNG and JPEG exporters."
    assert parse(text.encode()).text == text


# --- empty and over-size input -------------------------------------------------------------------------


def test_empty_file_is_refused() -> None:
    with pytest.raises(EmptyDocument) as exc:
        parse(b"")
    refused(exc, EmptyDocument, 422, "empty")


def test_whitespace_only_text_is_refused_as_empty() -> None:
    with pytest.raises(EmptyDocument) as exc:
        parse(b" \n\t\r\n  ")
    refused(exc, EmptyDocument, 422, "no text")


def test_oversize_input_is_refused_before_parsing() -> None:
    # Random bytes would be refused as binary data; the size check must come first.
    data = random.Random(2).randbytes(2048)
    with pytest.raises(DocumentTooLarge) as exc:
        parse(data, max_bytes=1024)
    refused(exc, DocumentTooLarge, 413, "2048 bytes", "limit is 1024")


def test_input_at_the_size_limit_is_accepted() -> None:
    data = b"a" * 1024
    assert parse(data, max_bytes=1024).size_bytes == 1024


# --- limits: zip bombs, characters, time ---------------------------------------------------------------


def docx_with(base: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    """A real DOCX with parts added (or replaced), recompressed with DEFLATE."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_before_python_docx_opens_it(resume_docx: bytes) -> None:
    # The body part itself is the bomb: 64 MB of XML whitespace that python-docx would have to parse.
    body = b'<?xml version="1.0"?>' + b" " * 64_000_000
    bomb = docx_with(resume_docx, {}, replace={"word/document.xml": body})
    assert len(bomb) < 200_000
    with pytest.raises(DocumentTooLarge) as exc:
        parse(bomb)
    refused(exc, DocumentTooLarge, 413, "zip bomb", "word/document.xml", "TRANSFORMER_DOCX_MAX_COMPRESSION_RATIO")


def test_docx_with_too_many_entries_is_refused(resume_docx: bytes) -> None:
    crowded = docx_with(resume_docx, {f"word/media/image{i}.bin": b"x" for i in range(1001)})
    with pytest.raises(DocumentTooLarge) as exc:
        parse(crowded)
    refused(exc, DocumentTooLarge, 413, "entries", "limit is 1000", "TRANSFORMER_DOCX_MAX_ENTRIES")


def test_docx_expanding_past_the_byte_limit_is_refused(resume_docx: bytes) -> None:
    with pytest.raises(DocumentTooLarge) as exc:
        parse_document(
            resume_docx, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, docx_limits=DocxLimits(max_unzipped_bytes=10_000)
        )
    refused(exc, DocumentTooLarge, 413, "expands to", "limit is 10000", "TRANSFORMER_DOCX_MAX_UNZIPPED_BYTES")


def test_docx_within_the_default_limits_is_read(resume_docx: bytes) -> None:
    assert (
        "Experience before the table"
        in parse_document(resume_docx, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, docx_limits=DocxLimits()).text
    )


@pytest.mark.parametrize("kind", ["text", "pdf", "docx"])
def test_document_over_the_character_limit_is_413(kind: str, resume_docx: bytes) -> None:
    long_line = "Built data pipelines in Python and SQL for the finance team. " * 4
    data = {
        "text": (long_line + "\n") * 20,
        "pdf": build_pdf([[long_line[:90]] * 30] * 3),
        "docx": resume_docx,
    }[kind]
    data = data.encode() if isinstance(data, str) else data
    with pytest.raises(DocumentTooLarge) as exc:
        parse_document(data, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, max_chars=100)
    refused(exc, DocumentTooLarge, 413, "characters", "limit is 100", "TRANSFORMER_MAX_RESUME_CHARS")


def test_document_within_the_character_limit_is_read(resume_pdf: bytes) -> None:
    doc = parse_document(resume_pdf, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, max_chars=10_000)
    assert "Senior Data Engineer" in doc.text


def test_scan_past_the_parse_deadline_is_413_and_does_not_hang() -> None:
    from tests.test_ocr import LINES, pdf_with_pages, render_page

    # Two dense pages: OCR needs seconds, the deadline allows half of one.
    pages = [render_page(LINES * 4, size=(2400, 3200)) for _ in range(2)]
    started = time.monotonic()
    with pytest.raises(ParseTimeout) as exc:
        parse_document(pdf_with_pages(pages), max_bytes=50_000_000, max_pages=MAX_PAGES, timeout_s=0.5)
    assert time.monotonic() - started < 10  # bounded by the deadline, not by OCR (60 s a page by default)
    refused(exc, ParseTimeout, 413, "0.5 s", "TRANSFORMER_PARSE_TIMEOUT_S")


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_text_documents_check_the_deadline_too(kind: str, resume_pdf: bytes, resume_docx: bytes) -> None:
    data = resume_pdf if kind == "pdf" else resume_docx
    with pytest.raises(ParseTimeout) as exc:
        parse_document(data, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, timeout_s=1e-9)
    refused(exc, ParseTimeout, 413, "TRANSFORMER_PARSE_TIMEOUT_S")
