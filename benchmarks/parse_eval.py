"""Parser evaluation: success rate, speed and characters per format over a folder, or libraries side by side.

    python -m benchmarks.parse_eval DIR              # every file under DIR through our parsing + cleaning
    python -m benchmarks.parse_eval --compare [DIR]  # pypdfium2 / pdfplumber / pdfminer.six / ours on PDFs

DIR mode prints, per detected format, files, success rate, pages, pages/s and characters extracted, then
every failure with its status and reason. It uses the transformer's default limits (TransformerSettings).

--compare runs each library over the generated resumes of samples/resume_layouts.py (one column, two
columns written row by row, three pages with running header/footer and a hyphenated word, a scan), plus any
PDFs in DIR, and prints ms/page (median of --runs) and, where the text is known, a reading-order fidelity
score: difflib's ratio between the expected and the extracted word sequences (1.0: same words, same order).
pdfplumber and pdfminer.six come with the `dev` extra; they are benchmark candidates, not run-time deps.
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from samples.resume_layouts import all_layouts
from transformer.errors import ServiceError
from transformer.reading.cleaning import clean_document, clean_text
from transformer.reading.parsing import parse_document, parse_with_settings
from transformer.settings import TransformerSettings

ROOT = Path(__file__).resolve().parent.parent

_WORDS = re.compile(r"\w+")


def _sniff(data: bytes) -> str:
    """A format label for the report, also for files that fail to parse."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8")) or data[8:12] == b"WEBP":
        return "image"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc (OLE)"
    return "text/other"


def _parse(data: bytes, settings: TransformerSettings) -> tuple[str, int]:
    doc = parse_with_settings(data, settings)
    doc = clean_document(doc)
    return doc.text, doc.pages


def evaluate_folder(folder: Path) -> None:
    settings = TransformerSettings()
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    failures: list[tuple[Path, str]] = []
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        sys.exit(f"no files under {folder}")
    for path in files:
        data = path.read_bytes()
        fmt = _sniff(data)
        row = stats[fmt]
        row["files"] += 1
        started = time.perf_counter()
        try:
            text, pages = _parse(data, settings)
        except ServiceError as exc:
            failures.append((path, f"{exc.status} {exc.error}: {exc.detail}"))
            continue
        except Exception as exc:  # a bug, not a refusal: report it as such
            failures.append((path, f"UNEXPECTED {type(exc).__name__}: {exc}"))
            continue
        row["seconds"] += time.perf_counter() - started
        row["ok"] += 1
        row["pages"] += pages
        row["chars"] += len(text)
    print(f"{'format':<12}{'files':>6}{'ok':>5}{'success':>9}{'pages':>7}{'pages/s':>9}{'chars':>9}{'chars/file':>11}")
    for fmt, row in sorted(stats.items()):
        rate = row["ok"] / row["files"]
        pps = row["pages"] / row["seconds"] if row["seconds"] else float("nan")
        per_file = row["chars"] / row["ok"] if row["ok"] else 0
        print(
            f"{fmt:<12}{int(row['files']):>6}{int(row['ok']):>5}{rate:>9.1%}{int(row['pages']):>7}{pps:>9.1f}"
            f"{int(row['chars']):>9}{per_file:>11.0f}"
        )
    print(f"\nfailures: {len(failures)}")
    for path, reason in failures:
        print(f"  {path.relative_to(folder)}: {reason}")


# --- --compare -----------------------------------------------------------------------------------------


def _pypdfium2(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(texts), len(texts)
    finally:
        pdf.close()


def _pdfplumber(data: bytes) -> tuple[str, int]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    return "\n".join(texts), len(texts)


def _pdfminer(data: bytes) -> tuple[str, int]:
    from pdfminer.high_level import extract_pages, extract_text

    pages = sum(1 for _ in extract_pages(io.BytesIO(data)))
    return extract_text(io.BytesIO(data)), pages


def _ours(data: bytes) -> tuple[str, int]:
    doc = parse_document(data, max_bytes=50_000_000, max_pages=100)
    return clean_text(doc.text), doc.pages


LIBRARIES: dict[str, Callable[[bytes], tuple[str, int]]] = {
    "pypdfium2 (raw)": _pypdfium2,
    "pdfplumber": _pdfplumber,
    "pdfminer.six": _pdfminer,
    "ours (pypdfium2 + layout)": _ours,
}


def fidelity(expected: str, got: str) -> float:
    """Reading-order fidelity: similarity of the word sequences, case-insensitive (1.0 = same words, same order)."""
    a = _WORDS.findall(expected.lower())
    b = _WORDS.findall(got.lower())
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def compare(folder: Path | None, runs: int) -> None:
    docs: list[tuple[str, bytes, str | None]] = [(lay.name, lay.pdf, lay.expected) for lay in all_layouts()]
    if folder is not None:
        docs += [(p.name, p.read_bytes(), None) for p in sorted(folder.rglob("*.pdf"))]
    print(f"{'document':<22}{'library':<27}{'pages':>6}{'ms/page':>10}{'order score':>13}")
    totals: dict[str, list[float]] = defaultdict(list)
    scores: dict[str, list[float]] = defaultdict(list)
    for name, data, expected in docs:
        scan = name == "scanned"
        for library, extract in LIBRARIES.items():
            times = []
            text, pages = "", 1
            for _ in range(1 if scan else runs):  # OCR takes seconds: once is enough
                started = time.perf_counter()
                try:
                    text, pages = extract(data)
                except Exception as exc:  # a library failing on a file is a result, not a crash
                    text = f"<{type(exc).__name__}>"
                times.append(time.perf_counter() - started)
            ms = 1000 * statistics.median(times) / max(pages, 1)
            score = fidelity(expected, text) if expected is not None else float("nan")
            if not scan:
                totals[library].append(ms)
            if expected is not None:
                scores[library].append(score)
            print(f"{name:<22}{library:<27}{pages:>6}{ms:>10.1f}{score:>13.3f}")
    print("\nsummary (text-layer PDFs: median ms/page; all known-text documents: mean order score)")
    for library in LIBRARIES:
        ms = statistics.median(totals[library])
        score = statistics.mean(scores[library])
        print(f"  {library:<27}{ms:>8.1f} ms/page {1000 / ms:>8.0f} pages/s   score {score:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder of resumes (any formats)")
    parser.add_argument("--compare", action="store_true", help="libraries side by side on generated PDFs (+ DIR)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per document and library (--compare)")
    args = parser.parse_args()
    if args.compare:
        compare(args.folder, args.runs)
    elif args.folder is None:
        parser.error("give a folder, or --compare")
    else:
        evaluate_folder(args.folder)


if __name__ == "__main__":
    main()
