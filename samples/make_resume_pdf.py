"""Render samples/resume.txt as samples/resume.pdf (a real PDF with a text layer), as shipped with the repo.

python samples/make_resume_pdf.py
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent


def render(text: str) -> bytes:
    """A simple one-column resume PDF from plain text (core font, latin-1 characters)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line.replace("•", "-") or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


if __name__ == "__main__":
    (HERE / "resume.pdf").write_bytes(render((HERE / "resume.txt").read_text()))
