"""benchmarks/parse_eval.py runs over a folder of real files and reports per format, with failures and reasons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.parse_eval import fidelity
from tests.sample_documents import RESUME_TEXT, resume_docx, resume_pdf

ROOT = Path(__file__).resolve().parent.parent


def test_parse_eval_reports_each_format_and_lists_failures(tmp_path: Path) -> None:
    (tmp_path / "resume.txt").write_text(RESUME_TEXT)
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "resume.docx").write_bytes(resume_docx())
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + "WordDocument".encode("utf-16-le")
    (tmp_path / "old.doc").write_bytes(ole)
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.parse_eval", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:] if line and not line.startswith(" ")}
    assert rows["pdf"][1:4] == ["1", "1", "100.0%"]
    assert rows["docx"][1:4] == ["1", "1", "100.0%"]
    assert rows["text/other"][1:4] == ["1", "1", "100.0%"]
    assert "failures: 1" in out
    assert "old.doc: 415 unsupported_document" in out


def test_order_score_is_one_only_for_the_same_order() -> None:
    text = "alpha beta gamma\ndelta epsilon"
    assert fidelity(text, "Alpha beta, gamma delta epsilon") == 1.0
    assert fidelity(text, "delta epsilon alpha beta gamma") < 0.9
