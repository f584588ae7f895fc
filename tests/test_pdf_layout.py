"""PDF reading order, headers/footers, hyphenation and bullets, on real PDFs generated in the test run."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from samples.resume_layouts import all_layouts, multi_page, one_column, two_column
from transformer.reading.cleaning import clean_text
from transformer.reading.parsing import parse_document
from transformer.reading.pdf_layout import remove_repeated_lines

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def read(data: bytes) -> list[str]:
    """The cleaned lines our pipeline reads from a PDF."""
    doc = parse_document(data, max_bytes=10_000_000, max_pages=20)
    return [line for line in clean_text(doc.text).splitlines() if line]


def raw_pdfium(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def pdf_page(items: list[tuple[float, float, float, str]]) -> bytes:
    """One A4 page with (x mm, y mm, size pt, text) items written in the order given."""
    pdf = FPDF(format="A4")
    pdf.add_font("body", fname=str(FONT))
    pdf.add_page()
    for x, y, size, text in items:
        pdf.set_font("body", size=size)
        pdf.text(x, y, text)
    return bytes(pdf.output())


def test_generated_layouts_have_a_font_with_bullets() -> None:
    assert FONT.exists(), "fonts-dejavu-core is needed to render bullets in the test PDFs"


def test_two_column_pdf_is_read_column_by_column() -> None:
    layout = two_column()
    # The content stream interleaves the columns: PDFium alone mixes sidebar and main column on one line.
    assert "Contact Profile" in raw_pdfium(layout.pdf).replace("\r\n", "\n")
    assert read(layout.pdf) == layout.expected.splitlines()


def test_one_column_pdf_keeps_its_order_and_bullets() -> None:
    layout = one_column()
    lines = read(layout.pdf)
    assert lines == layout.expected.splitlines()
    assert sum(line.startswith("• ") for line in lines) == 3


def test_repeated_header_is_kept_once_and_page_numbers_are_dropped() -> None:
    layout = multi_page()
    lines = read(layout.pdf)
    assert lines.count("Tomasz Nowak - Curriculum Vitae") == 1 and lines[0] == "Tomasz Nowak - Curriculum Vitae"
    assert not any("Page" in line and "of 3" in line for line in lines)
    assert lines == layout.expected.splitlines()


def test_word_hyphenated_at_a_line_end_is_joined() -> None:
    lines = read(multi_page().pdf)
    assert "• Led the development of a Prometheus based alerting platform" in lines
    assert not any("devel" in line and "development" not in line for line in lines)


@pytest.mark.parametrize("glyph", ["•", "▪", "–", "-", "*", "●", "◦"])
def test_bullets_stay_bullets_on_their_own_lines(glyph: str) -> None:
    items = [(20, 20, 12, "Experience")]
    words = ["one", "two", "three"]
    items += [(20, 30 + 8 * i, 11, f"{glyph} Achievement number {word}") for i, word in enumerate(words)]
    lines = read(pdf_page(items))
    assert lines == ["Experience", "• Achievement number one", "• Achievement number two", "• Achievement number three"]


def test_table_rows_that_span_the_gutter_are_not_split() -> None:
    rows = [
        ("Python", "eight years, data pipelines"),
        ("Go", "three years, services"),
        ("SQL", "ten years"),
        ("Terraform", "four years"),
        ("Kubernetes", "five years, operators"),
    ]
    items = [(20, 20, 14, "Skills matrix")]
    for i, (skill, years) in enumerate(rows):
        items += [(20, 32 + 7 * i, 11, skill), (90, 32 + 7 * i, 11, years)]
    lines = read(pdf_page(items))
    assert lines == ["Skills matrix", *(f"{skill} {years}" for skill, years in rows)]


def test_right_aligned_dates_stay_on_their_job_lines() -> None:
    titles = ["Staff Engineer, Globex", "Senior Engineer, Initech", "Engineer, Hooli", "Intern, Vandelay"]
    jobs = list(zip(titles, ["2021 - 2024", "2017 - 2021", "2014 - 2017", "2013 - 2014"], strict=True))
    items: list[tuple[float, float, float, str]] = []
    expected = []
    y = 20.0
    for title, dates in jobs:
        items += [(20, y, 11, title), (165, y, 11, dates)]
        expected.append(f"{title} {dates}")
        for n in range(4):
            y += 7
            items.append((20, y, 11, f"• Shipped feature {n} for the billing team"))
            expected.append(f"• Shipped feature {n} for the billing team")
        y += 10
    assert read(pdf_page(items)) == expected


def test_three_columns_are_read_left_to_right() -> None:
    columns = [[f"{name} line {i}" for i in range(5)] for name in ("Alpha", "Beta", "Gamma")]
    # Each column with its own line pitch, as in a real layout (rows aligned across columns would be a table).
    items = [(15 + 65 * c, 20 + (6 + c) * i, 10, col[i]) for i in range(5) for c, col in enumerate(columns)]
    lines = read(pdf_page(items))
    assert lines == [line for col in columns for line in col]


def test_every_generated_text_layout_is_read_exactly() -> None:
    for layout in all_layouts():
        if layout.name != "scanned":  # OCR's accuracy is tested in test_ocr.py
            assert read(layout.pdf) == layout.expected.splitlines(), layout.name


def test_footer_lines_repeated_on_every_page_are_kept_once() -> None:
    pages = ["Body one\nmore\nConfidential - Jane Roe\n1", "Body two\nstuff\nConfidential - Jane Roe\n2"]
    assert remove_repeated_lines(pages) == ["Body one\nmore\nConfidential - Jane Roe", "Body two\nstuff"]


def test_lines_repeated_inside_the_body_are_kept() -> None:
    pages = ["Top A\na\nb\nc\nPython\nd\ne\nBottom A", "Top B\nf\ng\nPython\nh\ni\nj\nBottom B"]
    assert remove_repeated_lines(pages) == pages


def test_a_single_page_keeps_its_header() -> None:
    assert remove_repeated_lines(["Jane Roe\nEngineer\nPage 1 of 1"]) == ["Jane Roe\nEngineer"]
