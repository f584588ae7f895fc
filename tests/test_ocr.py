"""Scans and images are read by real Tesseract OCR; mixed PDFs are OCR'd only where a page needs it."""

from __future__ import annotations

import io
import logging
import re

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from transformer.errors import DocumentTooLarge
from transformer.reading.ocr import OcrTimeout
from transformer.reading.parsing import parse_document

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "Maria Fernandez Senior Backend Engineer",
    "Experience at Initech from 2018 to 2023",
    "Designed payment services in Java and Kotlin",
    "Reduced checkout latency by 35 percent",
    "Mentored four engineers and ran incident reviews",
    "Education Bachelor of Science University of Porto",
    "Skills Java Kotlin PostgreSQL Kafka Kubernetes",
]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def recovered_share(expected: list[str], text: str) -> float:
    found = set(_words(text))
    words = _words(" ".join(expected))
    return sum(w in found for w in words) / len(words)


def render_page(lines: list[str], size: tuple[int, int] = (1700, 1100)) -> Image.Image:
    """A scanned-looking page: black text on white at about 300 dpi."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 70 * i), line, fill=0, font=font)
    return image


def image_bytes(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def pdf_with_pages(pages: list[str | Image.Image]) -> bytes:
    """A PDF whose pages are either a text layer (str) or a scanned image (no text layer)."""
    pdf = FPDF(format="A4")
    for page in pages:
        pdf.add_page()
        if isinstance(page, str):
            pdf.set_font("Helvetica", size=12)
            for line in page.splitlines():
                pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.image(page, x=0, y=0, w=210)
    return bytes(pdf.output())


def parse(data: bytes, **kwargs: object):
    options = {"max_bytes": 50_000_000, "max_pages": 20, **kwargs}
    return parse_document(data, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_image_is_read_with_ocr(fmt: str) -> None:
    doc = parse(image_bytes(render_page(LINES), fmt))
    assert doc.format == "image"
    assert recovered_share(LINES, doc.text) >= 0.95


def test_scanned_pdf_is_read_with_ocr() -> None:
    doc = parse(pdf_with_pages([render_page(LINES)]))
    assert doc.format == "pdf" and doc.pages == 1
    assert recovered_share(LINES, doc.text) >= 0.95


def test_mixed_pdf_ocrs_only_the_scanned_page(caplog: pytest.LogCaptureFixture) -> None:
    typed = "Jordan Lee\nStaff Engineer at Hooli\nLed the search infrastructure team"
    with caplog.at_level(logging.INFO, logger="transformer.ocr"):
        doc = parse(pdf_with_pages([typed, render_page(LINES)]))
    assert [r.message for r in caplog.records].count("ocr page") == 1
    first, second = doc.text.split("\n\n", 1)
    assert first.splitlines() == typed.splitlines()  # the text layer, exactly
    assert recovered_share(LINES, second) >= 0.95


def test_multi_page_tiff_reads_every_page() -> None:
    pages = [render_page(LINES[:3]), render_page(LINES[3:])]
    data = image_bytes(pages[0], "TIFF", save_all=True, append_images=[pages[1]])
    doc = parse(data)
    assert doc.pages == 2
    assert recovered_share(LINES, doc.text) >= 0.95


def test_phone_photo_rotation_from_exif_is_undone() -> None:
    photo = render_page(LINES).rotate(90, expand=True)  # the sensor's orientation
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    doc = parse(image_bytes(photo, "JPEG", exif=exif.tobytes()))
    assert recovered_share(LINES, doc.text) >= 0.95


def test_image_over_the_pixel_limit_is_413() -> None:
    with pytest.raises(DocumentTooLarge) as exc:
        parse(image_bytes(render_page(LINES), "PNG"), max_image_pixels=1_000_000)
    assert exc.value.status == 413 and "pixels" in exc.value.detail


def test_ocr_past_its_time_limit_is_refused_with_a_clear_message() -> None:
    with pytest.raises(OcrTimeout) as exc:
        parse(image_bytes(render_page(LINES * 3, size=(2400, 3200)), "PNG"), ocr_timeout_s=0.01)
    assert exc.value.status == 413 and "TRANSFORMER_OCR_TIMEOUT_S" in exc.value.detail
