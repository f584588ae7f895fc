"""Reading order of a PDF page from pypdfium2's character boxes, and repeated headers/footers across pages.

PDFium's own text (`get_text_range`) follows the content stream. Most generators write a two-column page
column by column and that order is right; others write it row by row, and PDFium then merges the left and
right column into one line ("Skills  Senior Engineer at Acme"). We rebuild the page from character boxes
only when it has a column gutter: a vertical band free of text over most of the page with real text on
both sides. Bands of rows that align on both sides (tables, label/value pairs) and sparse right-hand items
(right-aligned dates) are read row by row, so they are not torn apart.

Why pypdfium2 and not pdfplumber / pdfminer.six: `benchmarks/parse_eval.py --compare` measured, on the
same generated resumes (loaded 2-core machine), raw pypdfium2 1.3-2.3 ms/page, our whole read (pypdfium2 +
this layout pass + cleaning) 12-16 ms/page, pdfplumber 78-104 ms/page and pdfminer.six 71-120 ms/page;
reading-order score on the row-by-row two-column resume: ours 1.000, pypdfium2 and pdfplumber 0.835,
pdfminer.six 0.904. The fastest library plus this pass keeps the order; PDFium's own order is the fallback.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_NEWLINES = {0x0A, 0x0D}
_MIN_SEGMENTS = 6  # fewer text runs than this cannot be two columns worth reordering
_MIN_SIDE_LINES = 3  # each column needs at least this many lines
_CROSSING_SHARE = 0.1  # a gutter may be crossed by at most this share of the runs (full-width headings)
_TABLE_SHARE = 0.8  # runs with a partner on the same baseline across the gutter: beyond this, it is a table
_MIN_DENSITY = 0.25  # a column fills at least this share of its height with lines (right-aligned dates do not)
_MAX_CHARS = 30_000  # pages denser than this (data dumps, not resumes) keep PDFium's order: bounded time per page


@dataclass
class Segment:
    """A run of characters on one line, without a wide horizontal gap inside."""

    x0: float
    x1: float
    bottom: float
    top: float
    chars: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chars).strip()

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def page_text(textpage: pdfium.PdfTextPage, raw: str | None = None) -> str:
    """The page's text in reading order: PDFium's own order (`raw`, if already read) unless the page has two
    (or more) columns."""
    if raw is None:
        raw = textpage.get_text_range()
    if textpage.count_chars() > _MAX_CHARS:
        return raw
    segments = _segments(textpage, raw)
    if len(segments) < _MIN_SEGMENTS:
        return raw
    ordered = _order(segments, depth=0)
    if ordered is None:
        return raw
    text = "\n".join(ordered)
    # Reordering may move text, never add or lose any: if it would (odd fonts, characters without boxes,
    # rotated text), PDFium's order is the safer answer.
    if sorted("".join(text.split())) != sorted("".join(raw.split())):
        return raw
    return text


def _segments(textpage: pdfium.PdfTextPage, raw: str) -> list[Segment]:
    """Runs of characters, split at line breaks and at horizontal gaps wider than about one character height."""
    count = textpage.count_chars()
    # PDFium's text is its char list in nearly every PDF; where it is not, ask for each code point.
    codes = [ord(ch) for ch in raw] if len(raw) == count else None
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    # The raw handle and bound functions: pypdfium2's wrappers cost more than the PDFium calls themselves.
    handle = textpage.raw
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetLooseCharBox
    segments: list[Segment] = []
    current: Segment | None = None
    for index in range(count):
        code = codes[index] if codes is not None else get_unicode(handle, index)
        if code in _NEWLINES:
            current = None
            continue
        if not get_box(handle, index, rect_ref):
            continue
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        char = chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd"
        height = top - bottom
        if char.isspace() or height <= 0:
            # Spaces (generated or not) only separate words; their boxes are unreliable.
            if current is not None:
                current.chars.append(" ")
            continue
        if current is not None:
            gap = left - current.x1
            same_line = current.bottom < (top + bottom) / 2 < current.top
            if not same_line or gap > 0.9 * max(height, current.height) or gap < -2 * height:
                current = None
        if current is None:
            current = Segment(left, right, bottom, top)
            segments.append(current)
        current.chars.append(char)
        current.x1 = max(current.x1, right)
        current.bottom = min(current.bottom, bottom)
        current.top = max(current.top, top)
    return [s for s in segments if s.text]


def _lines(segments: list[Segment]) -> list[str]:
    """Group runs into lines (top to bottom), runs of one line joined left to right."""
    lines: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: -s.top):
        line = lines[-1] if lines else None
        if line is not None and min(s.bottom for s in line) < seg.middle < max(s.top for s in line):
            line.append(seg)
        else:
            lines.append([seg])
    return [" ".join(s.text for s in sorted(line, key=lambda s: s.x0)) for line in lines]


def _order(segments: list[Segment], depth: int) -> list[str] | None:
    """Lines of `segments` in reading order, or None when they have no column gutter (PDFium's order is right)."""
    gutter = _find_gutter(segments)
    if gutter is None:
        return None
    start, end = gutter
    out: list[str] = []
    split_any = False
    band: list[Segment] = []

    def flush() -> None:
        nonlocal split_any
        if not band:
            return
        left = [s for s in band if s.x1 <= start + 1]
        right = [s for s in band if s.x0 >= end - 1]
        if _are_columns(left, right):
            split_any = True
            for side in (left, right):
                inner = _order(side, depth + 1) if depth < 1 and len(side) >= _MIN_SEGMENTS else None
                out.extend(inner if inner is not None else _lines(side))
        else:
            out.extend(_lines(band))
        band.clear()

    # Runs that cross the gutter (a full-width name, heading or rule) cut the page into horizontal bands.
    for seg in sorted(segments, key=lambda s: -s.top):
        if seg.x0 < end - 1 and seg.x1 > start + 1:
            flush()
            out.extend(_lines([seg]))
        else:
            band.append(seg)
    flush()
    return out if split_any else None


def _find_gutter(segments: list[Segment]) -> tuple[float, float] | None:
    """The widest vertical band, away from the margins, crossed by few runs; None when there is none."""
    x_min = min(s.x0 for s in segments)
    x_max = max(s.x1 for s in segments)
    width = x_max - x_min
    if width < 100:
        return None
    heights = sorted(s.height for s in segments)
    min_gap = max(6.0, 0.8 * heights[len(heights) // 2])
    bins = int(width) + 1
    cover = [0] * bins
    for s in segments:
        for b in range(int(s.x0 - x_min), min(bins, int(s.x1 - x_min) + 1)):
            cover[b] += 1
    allowed = int(_CROSSING_SHARE * len(segments))
    best: tuple[float, float] | None = None
    run_start: int | None = None
    for b in range(bins + 1):
        free = b < bins and cover[b] <= allowed
        if free and run_start is None:
            run_start = b
        elif not free and run_start is not None:
            lo, hi = x_min + run_start, x_min + b
            centre = (lo + hi) / 2
            if hi - lo >= min_gap and x_min + 0.15 * width < centre < x_max - 0.15 * width:
                if best is None or hi - lo > best[1] - best[0]:
                    best = (lo, hi)
            run_start = None
    if best is None:
        return None
    # The gutter proper is the least-crossed stretch of the band: a few long lines may reach into it.
    lo, hi = int(best[0] - x_min), int(best[1] - x_min)
    least = min(cover[lo:hi])
    core: tuple[int, int] = (lo, lo)
    b = lo
    while b < hi:
        if cover[b] == least:
            end = b
            while end < hi and cover[end] == least:
                end += 1
            if end - b > core[1] - core[0]:
                core = (b, end)
            b = end
        else:
            b += 1
    return x_min + core[0], x_min + core[1]


def _are_columns(left: list[Segment], right: list[Segment]) -> bool:
    """Both sides hold enough lines, densely enough, and their rows do not pair up like a table's."""
    if len(_lines(left)) < _MIN_SIDE_LINES or len(_lines(right)) < _MIN_SIDE_LINES:
        return False
    for side in (left, right):
        extent = max(s.top for s in side) - min(s.bottom for s in side)
        if extent <= 0 or sum(s.height for s in side) / extent < _MIN_DENSITY:
            return False  # sparse items, e.g. dates right-aligned against their job titles

    def partnered(side: list[Segment], other: list[Segment]) -> int:
        return sum(any(abs(s.bottom - o.bottom) < 0.3 * s.height for o in other) for s in side)

    pairs = partnered(left, right) + partnered(right, left)
    return pairs / (len(left) + len(right)) < _TABLE_SHARE


# --- headers and footers repeated on every page --------------------------------------------------------

_EDGE_LINES = 2  # headers/footers are looked for among the first and last lines of each page
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page|seite|p\.|pg\.?)?\s*\d{1,3}\s*(?:(?:of|/|von|de)\s*\d{1,3})?\W*$", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")


def _key(line: str) -> str:
    """Lines that differ only in numbers (page numbers, dates of printing) and spacing are the same line."""
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def remove_repeated_lines(pages: list[str]) -> list[str]:
    """Drop headers and footers repeated on most pages (kept once, on the first page) and page numbers.

    A line counts as repeated when it stands among the first or last few lines of at least two pages and of
    more than half of them. Page numbers ("Page 2 of 3", "- 2 -", "2/3") at a page's edge are dropped everywhere.
    """
    split = [page.splitlines() for page in pages]
    if len(split) >= 2:
        seen: Counter[str] = Counter()
        for lines in split:
            content = [i for i, line in enumerate(lines) if line.strip()]
            edges = content[:_EDGE_LINES] + content[-_EDGE_LINES:]
            seen.update({_key(lines[i]) for i in edges})
        repeated = {k for k, n in seen.items() if n >= 2 and n > len(split) / 2}
    else:
        repeated = set()
    out = []
    for number, lines in enumerate(split):
        content = [i for i, line in enumerate(lines) if line.strip()]
        edges = set(content[:_EDGE_LINES] + content[-_EDGE_LINES:])
        kept = []
        for i, line in enumerate(lines):
            if i in edges and _PAGE_NUMBER.match(line.strip()) and line.strip():
                continue
            if i in edges and number > 0 and _key(line) in repeated:
                continue
            kept.append(line)
        out.append("\n".join(kept))
    return out
