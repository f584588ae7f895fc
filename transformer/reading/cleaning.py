"""Normalise extracted text so the prompt and the fact check see one spelling of bullets, dashes and spaces.

Accents are kept (NFC, not NFKD/ASCII folding): names like "José Müller" must survive verbatim.
"""

from __future__ import annotations

import re
import unicodedata

from transformer.errors import EmptyDocument
from transformer.reading.documents import Document

BULLET = "• "

# Glyphs that are bullets wherever they start a line, with or without a following space.
# \uf0b7, \uf0a7, \uf0d8, \uf076, \uf0fc, \uf0a8 are Symbol/Wingdings private-use bullets Word exports.
_GLYPH_BULLETS = "•●▪■◦‣∙·⁃○►▸➢➤❖\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8"
# Characters that are bullets at line start only when followed by whitespace ("-5%" and "*args" are not).
_TEXT_BULLETS = "*-–—"

_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}

# One translate table: newline variants to \n, odd spaces to " ", invisible characters removed.
_TRANSLATE: dict[int, str | None] = {ord(k): v for k, v in _LIGATURES.items()}
_TRANSLATE.update({ord(ch): "\n" for ch in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_TRANSLATE.update(
    {ord(ch): " " for ch in "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"}
)
_TRANSLATE.update({ord(ch): " " for ch in "\u202f\u205f\u3000"})
# Soft hyphen, zero-width space, word joiner, BOM. ZWJ/ZWNJ are kept: they change how some scripts and emoji render.
_TRANSLATE.update({ord(ch): None for ch in "\u00ad\u200b\u2060\ufeff"})
# Every other C0/C1 control character goes; \n is the only one we keep.
_TRANSLATE.update({cp: None for cp in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if cp not in _TRANSLATE})
_TRANSLATE[ord("\n")] = "\n"

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_GLYPH_BULLET_LINE = re.compile(f"^[ ]*[{re.escape(_GLYPH_BULLETS)}][ ]*", re.MULTILINE)
_TEXT_BULLET_LINE = re.compile(f"^[ ]*[{re.escape(_TEXT_BULLETS)}][ ]+(?=\\S)", re.MULTILINE)
# PDF extraction sometimes puts the bullet glyph alone on its line, the item on the next.
_LONE_BULLET = re.compile(f"^[ ]*[{re.escape(_GLYPH_BULLETS)}][ ]*\n+(?=[ ]*[^\\s])", re.MULTILINE)
# A word broken at a line end: PDFium marks the hyphen it saw there as U+FFFE, Word exports a soft hyphen
# (U+00AD), plain text has "-" and a newline. Joined only between lower-case letters, so "2019-\n2021" and
# "Java-\nScript" stay as written.
_MARKED_BREAK = re.compile("(?<=[^\\W\\d_])[\u00ad\ufffe][ \t]*\n?[ \t]*(?=[^\\W\\d_])")
_HYPHEN_BREAK = re.compile("([^\\W\\d_]+)[-\u2010][ \t]*\n[ \t]*([a-z\u00df-\u00ff][^\\W\\d_]*)")
# A plain "-" at a line end is also a compound's own hyphen ("self-\nmotivated"): kept after these first parts
# unless the text itself spells the word joined elsewhere.
_COMPOUND_FIRST_PARTS = frozenset(
    "self well co non multi cross full part high low long short real end hands state client customer data "
    "detail results cost time goal team fast mission cutting fine front back first third open cloud user "
    "award top world best".split()
)
_WORDS = re.compile("[^\\W\\d_]+(?:-[^\\W\\d_]+)*")
_SPACES = re.compile("[ ]{2,}")
_LINE_EDGES = re.compile("^[ ]+|[ ]+$", re.MULTILINE)
_BLANK_LINES = re.compile("\n{3,}")


def _join_hyphen_breaks(text: str) -> str:
    """Join "devel-\nopment" into one word, but keep a compound's hyphen: the text's own other spellings
    decide ("self-motivated" or "selfmotivated" elsewhere), else a known first part keeps the hyphen."""
    if "-" not in text and "\u2010" not in text:
        return text
    words = {w.casefold() for w in _WORDS.findall(text)}

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        joined, compound = f"{left}{right}".casefold(), f"{left}-{right}".casefold()
        if joined in words:
            return f"{left}{right}"
        if compound in words or left.casefold() in _COMPOUND_FIRST_PARTS:
            return f"{left}-{right}"
        return f"{left}{right}"

    return _HYPHEN_BREAK.sub(join, text)


def clean_text(text: str) -> str:
    """Normalise text: NFC, no control or invisible characters, "• " bullets, ASCII dashes, tidy whitespace.

    Lines lose leading and trailing spaces, runs of spaces become one, and at most one blank line separates
    paragraphs. Accented letters are kept as they are.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MARKED_BREAK.sub("", text)
    text = _join_hyphen_breaks(text).replace("\ufffe", "-")
    text = text.translate(_TRANSLATE)
    text = _LONE_BULLET.sub(BULLET, text)
    text = _GLYPH_BULLET_LINE.sub(BULLET, text)
    # Text bullets before dashes: "– item" is a bullet, "2019 – 2021" is a range.
    text = _TEXT_BULLET_LINE.sub(BULLET, text)
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGES.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_document(doc: Document) -> Document:
    """A copy of `doc` with its text cleaned; raises `EmptyDocument` (422) if nothing readable is left."""
    text = clean_text(doc.text)
    if not text.replace(BULLET.strip(), "").strip():
        raise EmptyDocument("the document contains no readable text after removing control and layout characters")
    return doc.model_copy(update={"text": text})
