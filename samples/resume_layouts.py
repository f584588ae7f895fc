"""Resume PDFs in the layouts real resumes use, each with the text a reader should get back, in order.

Used by tests (reading order, headers/footers, hyphenation, bullets) and by `benchmarks/parse_eval.py
--compare` (speed and reading-order fidelity per library). `python samples/resume_layouts.py DIR` writes
them as files.

- one_column: a plain resume with bullets.
- two_column: a name across the top, a narrow sidebar and a main column, written row by row (as many
  template engines do), so the content-stream order interleaves the columns.
- scanned: the one-column resume as a 300 dpi page image without a text layer.
- multi_page: three pages, each with the same running header and a "Page N of 3" footer, and a word
  hyphenated at a line end.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Layout:
    name: str
    pdf: bytes
    expected: str  # the text in reading order, one line per line, as a reader should return it
    pages: int


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    if FONT.exists():
        pdf.add_font("body", fname=str(FONT))
    return pdf


def _font(pdf: FPDF, size: float) -> None:
    pdf.set_font("body" if FONT.exists() else "Helvetica", size=size)


def _bullet() -> str:
    return "•" if FONT.exists() else "-"


def one_column() -> Layout:
    b = _bullet()
    lines = [
        "Priya Raman",
        "Platform Engineer, priya.raman@example.org",
        "Experience",
        "Northwind Logistics, Platform Engineer, 2019 to 2024",
        f"{b} Migrated forty services to Kubernetes with zero downtime",
        f"{b} Cut cloud spend by 22 percent through rightsizing",
        f"{b} Built a Terraform module library used by nine teams",
        "Education",
        "B.Eng. Software Engineering, University of Leeds",
        "Skills",
        "Go, Python, Terraform, Kubernetes, PostgreSQL",
    ]
    pdf = _pdf()
    pdf.add_page()
    y = 20.0
    for line in lines:
        _font(pdf, 14 if line in ("Experience", "Education", "Skills") else 10.5)
        pdf.text(20, y, line)
        y += 7
    return Layout("one_column", bytes(pdf.output()), "\n".join(lines).replace(b, "•"), 1)


SIDEBAR = [
    "Contact",
    "ana.silva@example.com",
    "+351 912 345 678",
    "Lisbon, Portugal",
    "Skills",
    "Python",
    "Apache Spark",
    "Airflow",
    "dbt",
    "Snowflake",
    "Languages",
    "Portuguese, native",
    "English, fluent",
]
MAIN = [
    "Profile",
    "Data engineer with eight years of building batch and streaming",
    "pipelines for retail and banking clients.",
    "Experience",
    "Senior Data Engineer, Farfetch, 2020 to 2024",
    "Rebuilt the order events pipeline on Spark Structured Streaming",
    "Reduced nightly batch runtime from six hours to forty minutes",
    "Introduced data contracts between eleven producer teams",
    "Data Engineer, Millennium BCP, 2016 to 2020",
    "Maintained the anti-money-laundering feature store",
    "Migrated reporting jobs from Oracle to Snowflake",
    "Education",
    "M.Sc. Information Systems, University of Lisbon",
    "B.Sc. Computer Science, University of Porto",
]


def two_column() -> Layout:
    pdf = _pdf()
    pdf.add_page()
    _font(pdf, 18)
    pdf.text(15, 18, "Ana Silva, Senior Data Engineer")
    # Different sizes and line pitches per column, as in real templates; written in order of height on the
    # page, so the two columns interleave in the content stream.
    items = [(30 + 6.0 * i, 15, 9, line) for i, line in enumerate(SIDEBAR)]
    items += [(30 + 6.6 * i, 78, 10.5, line) for i, line in enumerate(MAIN)]
    for y, x, size, line in sorted(items):
        _font(pdf, size)
        pdf.text(x, y, line)
    expected = "\n".join(["Ana Silva, Senior Data Engineer", *SIDEBAR, *MAIN])
    return Layout("two_column", bytes(pdf.output()), expected, 1)


def multi_page() -> Layout:
    b = _bullet()
    header = "Tomasz Nowak - Curriculum Vitae"
    bodies = [
        [
            "Summary",
            "Site reliability engineer focused on observability and incident",
            "response for payment platforms.",
            "Experience",
            f"{b} Led the devel-",
            "opment of a Prometheus based alerting platform",
            f"{b} Reduced paging noise by 60 percent",
        ],
        [
            "Earlier roles",
            f"{b} Operated PostgreSQL clusters with 99.99 percent availability",
            f"{b} Automated failover drills every quarter",
            "Certifications",
            "Certified Kubernetes Administrator",
        ],
        [
            "Education",
            "M.Sc. Computer Science, Warsaw University of Technology",
            "Languages",
            "Polish, English, German",
        ],
    ]
    pdf = _pdf()
    for number, body in enumerate(bodies, start=1):
        pdf.add_page()
        _font(pdf, 9)
        pdf.text(20, 12, header)
        _font(pdf, 10.5)
        for i, line in enumerate(body):
            pdf.text(20, 30 + 7 * i, line)
        _font(pdf, 9)
        pdf.text(95, 287, f"Page {number} of {len(bodies)}")
    joined = [header]
    for body in bodies:
        joined.extend(body)
    expected = "\n".join(joined).replace(f"{b} Led the devel-\nopment", "• Led the development").replace(b, "•")
    return Layout("multi_page", bytes(pdf.output()), expected, len(bodies))


def scan_image(lines: list[str], dpi: int = 300) -> Image.Image:
    """An A4 page at `dpi` with `lines` drawn as black text on white: what a flatbed scan looks like."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), round(dpi / 7.2)) if FONT.exists() else ImageFont.load_default()
    for i, line in enumerate(lines):
        draw.text((dpi // 2, dpi // 2 + i * round(dpi / 4.5)), line, fill=0, font=font)
    return image


def scanned() -> Layout:
    """The one-column resume as a scanned page: an image in a PDF, no text layer (OCR territory)."""
    expected = one_column().expected
    pdf = _pdf()
    pdf.add_page()
    pdf.image(scan_image(expected.replace("•", "-").splitlines()), x=0, y=0, w=210)
    return Layout("scanned", bytes(pdf.output()), expected.replace("•", "-"), 1)


def all_layouts() -> list[Layout]:
    return [one_column(), two_column(), multi_page(), scanned()]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for layout in all_layouts():
        (out / f"{layout.name}.pdf").write_bytes(layout.pdf)
        (out / f"{layout.name}.expected.txt").write_text(layout.expected + "\n")
        print(out / f"{layout.name}.pdf")
    scan_image(one_column().expected.replace("•", "-").splitlines()).save(out / "scanned.png")
    print(out / "scanned.png")
