"""Real resume files for tests, built in the test run from the shipped sample text."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as DocxDocument

from samples.make_resume_pdf import render

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RESUME_TEXT = (SAMPLES / "resume.txt").read_text()
JOB_TEXT = (SAMPLES / "job_description.txt").read_text()


def resume_pdf(text: str = RESUME_TEXT) -> bytes:
    return render(text)


def resume_docx(text: str = RESUME_TEXT) -> bytes:
    """A DOCX with paragraphs, a bulleted list and a skills table."""
    doc = DocxDocument()
    lines = text.splitlines()
    for line in lines:
        if line.startswith("Skills"):
            break
        if line.startswith("• "):
            doc.add_paragraph(line[2:], style="List Bullet")
        else:
            doc.add_paragraph(line)
    skills_at = lines.index("Skills")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Skills"
    table.rows[0].cells[1].text = lines[skills_at + 1]
    for line in lines[skills_at + 2 :]:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
