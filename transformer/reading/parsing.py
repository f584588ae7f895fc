"""Bytes to `Document`: the format is detected from the content (magic bytes), never from a file name.

Supported: PDF with a text layer (pypdfium2), DOCX (python-docx), plain text / Markdown (UTF-8, UTF-16
with BOM, cp1252 fallback). Everything else is refused with a typed error a client can act on.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator

import docx
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml.etree import _Element
from pydantic import BaseModel

from transformer.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ServiceError,
    UnsupportedDocument,
)
from transformer.reading.deadline import Deadline
from transformer.reading.documents import Document, DocumentFormat
from transformer.reading.ocr import OCR_DPI, ocr_image, ocr_image_bytes
from transformer.reading.pdf_layout import page_text, remove_repeated_lines
from transformer.settings import TransformerSettings

SUPPORTED = "supported formats are PDF, DOCX, images (PNG, JPEG, TIFF, GIF, WebP) and plain text / Markdown"
_OCR_IMAGES = {"PNG image", "JPEG image", "TIFF image", "GIF image", "WebP image"}

# PDFium is not thread-safe; KServe may call preprocess from several threads.
_PDFIUM_LOCK = threading.Lock()

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# (magic, offset, name) for binary formats we recognise only to refuse them by name.
_IMAGE_MAGICS: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"WEBP", 8, "WebP image"),
    (b"ftypheic", 4, "HEIC image"),
    (b"ftypheix", 4, "HEIC image"),
    (b"ftypmif1", 4, "HEIF image"),
)
_OTHER_MAGICS: tuple[tuple[bytes, int, str], ...] = (
    (b"{\\rtf", 0, "an RTF document"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\x7fELF", 0, "a Linux executable (ELF)"),
    (b"ustar", 257, "a tar archive"),
)

# Top-level zip entries that identify what a non-DOCX zip is.
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "an Excel spreadsheet (XLSX)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (PPTX)"),
)
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "an OpenDocument text file (ODT)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (ODS)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (ODP)",
    "application/epub+zip": "an EPUB e-book",
}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def parse_document(
    data: bytes,
    *,
    max_bytes: int,
    max_pages: int,
    max_image_pixels: int = 40_000_000,
    ocr_timeout_s: float = 60.0,
    timeout_s: float | None = None,
    max_chars: int | None = None,
    docx_limits: DocxLimits | None = None,
) -> Document:
    """Read an uploaded resume or job description into a `Document`.

    The format comes from the bytes themselves. Raises `DocumentTooLarge` (413; also too many characters
    or a DOCX zip bomb), `ParseTimeout` (413, past `timeout_s`), `UnsupportedDocument` (415),
    `CorruptDocument`, `EncryptedDocument` or `EmptyDocument` (422); no library exception escapes.
    """
    deadline = Deadline(timeout_s)
    # Size first: nothing about an over-size upload is worth parsing.
    if len(data) > max_bytes:
        raise DocumentTooLarge(f"the document is {len(data)} bytes; the limit is {max_bytes} bytes")
    if not data:
        raise EmptyDocument("the document is empty (0 bytes)")

    fmt: DocumentFormat
    pages = 1
    try:
        if _is_pdf(data):
            fmt = "pdf"
            text, pages = _read_pdf(
                data,
                max_pages=max_pages,
                max_pixels=max_image_pixels,
                ocr_timeout_s=ocr_timeout_s,
                deadline=deadline,
                max_chars=max_chars,
            )
        elif _image_kind(data):
            fmt = "image"
            text, pages = ocr_image_bytes(
                data, max_pixels=max_image_pixels, max_pages=max_pages, timeout_s=ocr_timeout_s, deadline=deadline
            )
        elif data.startswith(_ZIP_MAGICS):
            fmt = "docx"
            text = _read_docx(data, docx_limits or DocxLimits(), deadline)
        else:
            _refuse_known_binary(data)
            fmt = "text"
            text = _read_text(data)
    except ServiceError:
        raise
    except Exception as exc:  # the library boundary: anything unexpected means a bad file
        raise CorruptDocument(f"the document could not be read ({type(exc).__name__}); is the file damaged?") from exc

    deadline.check()
    _check_chars(len(text), max_chars)
    if not text.strip():
        if fmt in ("pdf", "image"):
            raise EmptyDocument("no text was found in the document, not even by OCR (blank, or not a document?)")
        raise EmptyDocument("the document contains no text")
    return Document(
        text=text,
        format=fmt,
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )


class DocxLimits(BaseModel):
    """What a DOCX (a zip) may expand to; checked from the zip directory before python-docx opens it."""

    max_unzipped_bytes: int = 100 * 1024 * 1024
    max_entries: int = 1000
    max_compression_ratio: float = 100.0


def parse_with_settings(data: bytes, settings: TransformerSettings) -> Document:
    """`parse_document` under the service's limits (upload size, pages, pixels, OCR and parse time, characters,
    DOCX expansion), as every reader of uploads (the pipeline, the benchmarks) applies them."""
    limits = DocxLimits(
        max_unzipped_bytes=settings.docx_max_unzipped_bytes,
        max_entries=settings.docx_max_entries,
        max_compression_ratio=settings.docx_max_compression_ratio,
    )
    return parse_document(
        data,
        max_bytes=settings.max_upload_bytes,
        max_pages=settings.max_pages,
        max_image_pixels=settings.max_image_pixels,
        docx_limits=limits,
        ocr_timeout_s=settings.ocr_timeout_s,
        timeout_s=settings.parse_timeout_s,
        max_chars=settings.max_resume_chars,
    )


def _check_chars(count: int, max_chars: int | None) -> None:
    if max_chars is not None and count > max_chars:
        raise DocumentTooLarge(
            f"the document holds at least {count} characters of text; the limit is {max_chars} "
            "(TRANSFORMER_MAX_RESUME_CHARS): a resume should be a few pages"
        )


# --- detection -----------------------------------------------------------------------------------------


def _image_kind(data: bytes) -> str | None:
    """The name of an image format that OCR reads, from its magic bytes; None for anything else."""
    for magic, offset, name in _IMAGE_MAGICS:
        if data[offset : offset + len(magic)] == magic and name in _OCR_IMAGES:
            return name
    return None


def _is_pdf(data: bytes) -> bool:
    # Readers accept the header anywhere in the first 1024 bytes (some generators prepend junk).
    return b"%PDF-" in data[:1024]


def _refuse_known_binary(data: bytes) -> None:
    """Raise `UnsupportedDocument` or `EncryptedDocument` for binary formats recognised by their magic bytes."""
    if data.startswith(_OLE_MAGIC):
        _refuse_ole(data)
    for magic, offset, name in _IMAGE_MAGICS:
        if data[offset : offset + len(magic)] == magic:
            raise UnsupportedDocument(f"the file is a {name}, which OCR does not read; {SUPPORTED}")
    for magic, offset, name in _OTHER_MAGICS:
        if data[offset : offset + len(magic)] == magic:
            raise UnsupportedDocument(f"the file is {name}; {SUPPORTED}")


def _refuse_ole(data: bytes) -> None:
    """Name the OLE compound file (legacy Office, or an encrypted modern Office file) and refuse it."""

    def has_stream(name: str) -> bool:
        # Directory entries store stream names in UTF-16LE; a byte search is enough to tell them apart.
        return name.encode("utf-16-le") in data

    # Password-protected DOCX/XLSX are wrapped in an OLE container holding an "EncryptedPackage" stream.
    if has_stream("EncryptedPackage"):
        raise EncryptedDocument(
            "the Office document is password-protected; remove the password (save an unprotected copy) and upload again"
        )
    if has_stream("WordDocument"):
        kind = "a legacy Word 97-2003 document (.doc)"
    elif has_stream("Workbook") or has_stream("Book"):
        kind = "a legacy Excel 97-2003 spreadsheet (.xls)"
    elif has_stream("PowerPoint Document"):
        kind = "a legacy PowerPoint 97-2003 presentation (.ppt)"
    else:
        kind = "a legacy Office (OLE compound) file, e.g. a .doc"
    raise UnsupportedDocument(f"the file is {kind}; save it as DOCX or PDF; {SUPPORTED}")


# --- PDF -----------------------------------------------------------------------------------------------


def _read_pdf(
    data: bytes, *, max_pages: int, max_pixels: int, ocr_timeout_s: float, deadline: Deadline, max_chars: int | None
) -> tuple[str, int]:
    """Text of every page, pages separated by a blank line; returns (text, page count).

    The text layer (pypdfium2, in reading order: see pdf_layout) where it is usable; pages without one, or
    with garbage, are rendered at 300 dpi and read by OCR, so a mixed PDF pays for OCR only on its scanned
    pages. Headers and footers repeated on every page are kept once, page numbers dropped.
    """
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            password = getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(exc).lower()
            if password:
                raise EncryptedDocument(
                    "the PDF is password-protected; remove the password (e.g. print it to a new PDF) and upload again"
                ) from exc
            raise CorruptDocument("the PDF is damaged or truncated and could not be opened") from exc
        try:
            n_pages = len(pdf)
            if n_pages > max_pages:
                raise DocumentTooLarge(f"the PDF has {n_pages} pages; the limit is {max_pages}")
            texts = []
            chars = 0
            for index in range(n_pages):
                deadline.check()
                page = pdf[index]
                try:
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_range()
                        if _usable_text_layer(text):
                            text = page_text(textpage, text)
                    finally:
                        textpage.close()
                    if not _usable_text_layer(text):
                        text = _ocr_page(page, max_pixels=max_pixels, timeout_s=ocr_timeout_s, deadline=deadline)
                    texts.append(text)
                finally:
                    page.close()
                chars += len(text)
                _check_chars(chars, max_chars)  # stop early: no need to OCR page 20 of a 10 MB text dump
        except pdfium.PdfiumError as exc:
            raise CorruptDocument("the PDF is damaged: a page could not be read") from exc
        finally:
            pdf.close()
    # PDFium ends lines with CRLF and may emit form feeds between text runs.
    pages = [t.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").strip() for t in texts]
    pages = [p.strip() for p in remove_repeated_lines(pages)]
    return "\n\n".join(p for p in pages if p), n_pages


def _usable_text_layer(text: str) -> bool:
    """False for a missing text layer, or one that is mostly not text (broken font encodings, (cid:) runs)."""
    stripped = "".join(text.split())
    if len(stripped) < 20:
        return False
    readable = sum(ch.isalnum() or ch in ".,;:()-/@&%$+'\"" for ch in stripped)
    return readable / len(stripped) >= 0.6 and "\ufffd" * 3 not in text


def _ocr_page(page: pdfium.PdfPage, *, max_pixels: int, timeout_s: float, deadline: Deadline) -> str:
    width, height = page.get_size()
    scale = OCR_DPI / 72
    if width * scale * height * scale > max_pixels:
        scale = (max_pixels / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil()
    return ocr_image(image, timeout_s=timeout_s, deadline=deadline)


# --- DOCX ----------------------------------------------------------------------------------------------


def _read_docx(data: bytes, limits: DocxLimits, deadline: Deadline) -> str:
    """Body text in document order (tables where they stand), plus section headers and footers."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {info.filename for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise CorruptDocument("the file looks like a ZIP/DOCX but the archive is damaged or truncated") from exc
    _check_zip_bomb(infos, limits)
    if "word/document.xml" not in names:
        raise UnsupportedDocument(f"the file is {_zip_kind(archive, names)}, not a Word document; {SUPPORTED}")

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError as exc:
        raise CorruptDocument("the DOCX package is damaged and could not be opened") from exc
    except ValueError as exc:
        # python-docx refuses .docm/.dotx by content type; those are Word files we simply don't accept.
        if "not a Word file" in str(exc):
            raise UnsupportedDocument(
                f"the file is a macro-enabled Word document or a template; save it as a plain .docx; {SUPPORTED}"
            ) from exc
        raise

    headers: list[str] = []
    footers: list[str] = []
    for section in document.sections:
        for part, out in (
            (section.first_page_header, headers),
            (section.header, headers),
            (section.even_page_header, headers),
            (section.first_page_footer, footers),
            (section.footer, footers),
            (section.even_page_footer, footers),
        ):
            # A linked header has no definition of its own; reading it would just repeat the previous one.
            if part.is_linked_to_previous:
                continue
            text = "\n".join(_blocks(part._element, part, deadline))
            if text.strip() and text not in out:
                out.append(text)
    deadline.check()
    body = "\n".join(_blocks(document.element.body, document._body, deadline))
    return "\n\n".join(t for t in (*headers, body, *footers) if t.strip())


def _check_zip_bomb(infos: list[zipfile.ZipInfo], limits: DocxLimits) -> None:
    """Refuse archives that would expand too far, from the sizes the zip directory declares.

    Declared sizes are enough: zipfile never returns more than an entry's declared size (and fails its CRC
    if the data is longer), so a lying header cannot expand past these checks.
    """
    if len(infos) > limits.max_entries:
        raise DocumentTooLarge(
            f"the DOCX/ZIP holds {len(infos)} entries; the limit is {limits.max_entries} (TRANSFORMER_DOCX_MAX_ENTRIES)"
        )
    unzipped = sum(info.file_size for info in infos)
    if unzipped > limits.max_unzipped_bytes:
        raise DocumentTooLarge(
            f"the DOCX/ZIP expands to {unzipped} bytes; the limit is {limits.max_unzipped_bytes} "
            "(TRANSFORMER_DOCX_MAX_UNZIPPED_BYTES)"
        )
    for info in infos:
        # Tiny parts may compress very well for real; only a large part with an extreme ratio is a bomb.
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > limits.max_compression_ratio:
            raise DocumentTooLarge(
                f"the DOCX/ZIP part {info.filename[:80]!r} expands {ratio:.0f} times (a zip bomb?); the limit is "
                f"{limits.max_compression_ratio:g} (TRANSFORMER_DOCX_MAX_COMPRESSION_RATIO)"
            )


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    for entry, kind in _ZIP_KINDS:
        if entry in names:
            return kind
    if "mimetype" in names:
        try:
            mimetype = archive.read("mimetype")[:200].decode("ascii", "replace").strip()
        except Exception:  # only used to name the file in an error message
            mimetype = ""
        if mimetype in _ODF_KINDS:
            return _ODF_KINDS[mimetype]
    return "a ZIP archive"


def _blocks(element: _Element, parent: object, deadline: Deadline) -> Iterator[str]:
    """Lines of a block container (body, header, cell) in document order, descending into content controls."""
    for child in element.iterchildren():
        deadline.check()
        if child.tag == f"{_W}p":
            yield from _paragraph(Paragraph(child, parent), deadline)
        elif child.tag == f"{_W}tbl":
            yield from _table(Table(child, parent), deadline)
        elif child.tag in (f"{_W}sdt", f"{_W}customXml"):
            content = child.find(f"{_W}sdtContent")
            yield from _blocks(content if content is not None else child, parent, deadline)


def _paragraph(paragraph: Paragraph, deadline: Deadline) -> Iterator[str]:
    """A paragraph's text (list items get a bullet), then any text boxes anchored in it."""
    text = paragraph.text
    if text.strip():
        yield f"• {text.strip()}" if _is_list_item(paragraph) else text
    element = paragraph._p
    for box in element.iter(f"{_W}txbxContent"):
        # Word writes each text box twice (DrawingML choice + VML fallback); read only the first copy,
        # and leave boxes nested in boxes to the recursion.
        ancestors = list(box.iterancestors())
        outer = ancestors[: ancestors.index(element)]
        if any(a.tag == _MC_FALLBACK or a.tag == f"{_W}txbxContent" for a in outer):
            continue
        yield from _blocks(box, paragraph, deadline)


def _is_list_item(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    try:
        style = paragraph.style
    except Exception:  # a broken style reference only costs us the bullet
        return False
    # "List Bullet"/"List Number" carry their numbering in the style, not the paragraph.
    return style is not None and (style.name or "").startswith("List")


def _table(table: Table, deadline: Deadline) -> Iterator[str]:
    """One line per row, cells joined by " | "; merged cells are read once."""
    for row in table.rows:
        cells = []
        for tc in row._tr.tc_lst:
            # The continuation of a vertical merge repeats the cell above; its text was already given.
            if tc.vMerge == "continue":
                continue
            cell = _Cell(tc, table)
            text = " ".join(line.strip() for line in _blocks(tc, cell, deadline) if line.strip())
            if text:
                cells.append(text)
        if cells:
            yield " | ".join(cells)


# --- plain text / Markdown -----------------------------------------------------------------------------


def _read_text(data: bytes) -> str:
    """Decode text: BOMs first, then UTF-8, then cp1252/latin-1 for legacy Windows files; refuse binary data."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                detail = f"the text file starts with a {codec.upper()} byte-order mark but is not valid {codec}"
                raise CorruptDocument(detail) from exc
            _refuse_binary(text)
            return text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _refuse_binary(data.decode("latin-1"))
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 maps every byte.
            text = data.decode("latin-1")
    _refuse_binary(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_binary(text: str) -> None:
    """Refuse decoded data that is really binary: any NUL, or more than 5% control characters."""
    if "\x00" in text:
        raise UnsupportedDocument(f"the file is binary data, not text, and not a recognised format; {SUPPORTED}")
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\x7f")
    if sample and controls / len(sample) > 0.05:
        raise UnsupportedDocument(f"the file is binary data, not text, and not a recognised format; {SUPPORTED}")
