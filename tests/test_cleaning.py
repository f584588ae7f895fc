"""Cleaning gives the prompt one spelling of bullets, dashes and spaces, and keeps names exactly as written."""

from __future__ import annotations

import hashlib

import pytest

from transformer.errors import EmptyDocument
from transformer.reading.cleaning import clean_document, clean_text
from transformer.reading.documents import Document


@pytest.fixture
def extracted_resume() -> Document:
    """Text as a PDF extractor hands it over: decomposed accents, Word bullets, NBSPs, ragged whitespace."""
    text = (
        "  Jose\u0301 Mu\u0308ller\u00a0\u00a0\r\n"
        "Senior Data Engineer \u2014 Berlin\t\t\n\n\n\n"
        "\uf0b7\tLed a team of 5 engineers\n"
        "\u25cf Cut latency by 40\u00a0%\n"
        "\u2013 Saved $120,000 a year\n"
    )
    return Document(text=text, format="pdf", pages=1, sha256=hashlib.sha256(b"x").hexdigest(), size_bytes=1)


def test_accented_names_are_kept_and_composed() -> None:
    assert clean_text("Jose\u0301 Mu\u0308ller, Zoe\u0308") == "Jos\xe9 M\xfcller, Zo\xeb"
    assert (
        clean_text("Jos\xe9 M\xfcller, Zo\xeb, \u0141ukasz, \u5f20\u4f1f")
        == "Jos\xe9 M\xfcller, Zo\xeb, \u0141ukasz, \u5f20\u4f1f"
    )


@pytest.mark.parametrize(
    "bullet", ["•", "●", "▪", "■", "◦", "‣", "∙", "·", "*", "-", "–", "\uf0b7", "\uf0a7", "➢", "►", "○"]
)
def test_bullets_are_normalised_at_line_start(bullet: str) -> None:
    assert (
        clean_text(f"Experience\n{bullet} Led a team\n  {bullet}  Cut costs") == "Experience\n• Led a team\n• Cut costs"
    )


def test_glyph_bullet_without_a_space_gets_one() -> None:
    assert clean_text("•Python\n\uf0b7Go") == "• Python\n• Go"


def test_bullet_alone_on_its_line_joins_the_item() -> None:
    assert clean_text("Skills\n•\nPython\n●\n\nGo") == "Skills\n• Python\n• Go"


def test_hyphens_and_asterisks_that_are_not_bullets_are_kept() -> None:
    text = "-5% churn\n*args and **kwargs\n**Bold heading**\n---\nwell-known"
    assert clean_text(text) == text


def test_dashes_are_normalised_except_as_bullets() -> None:
    text = (
        "2019 \u2013 2021\nEngineer \u2014 Acme\n\u2212 5\nA\u2012B\u2015C\nnon\u2011breaking\n\u2014 Built a platform"
    )
    assert clean_text(text) == "2019 - 2021\nEngineer - Acme\n- 5\nA-B-C\nnon-breaking\n• Built a platform"


def test_control_characters_are_removed_but_newlines_kept() -> None:
    assert clean_text("Jane\x00 Doe\x07\nData\x1b Engineer\x7f\x9b") == "Jane Doe\nData Engineer"


def test_tabs_become_spaces() -> None:
    assert clean_text("Python\tGo\t\tSQL") == "Python Go SQL"


def test_non_breaking_and_zero_width_spaces_are_normalised() -> None:
    assert clean_text("40\u00a0%\u202fmore\u2009speed") == "40 % more speed"
    assert clean_text("Kuber\u200bnetes\ufeff") == "Kubernetes"


def test_soft_hyphens_are_removed() -> None:
    assert clean_text("Kuber\u00adnetes") == "Kubernetes"


@pytest.mark.parametrize(
    "broken",
    [
        "Led the devel\ufffeopment of",
        "Led the devel\ufffe\nopment of",
        "Led the devel\u00ad\n  opment of",
        "Led the devel-\nopment of",
        "Led the devel-  \n  opment of",
    ],
)
def test_words_hyphenated_at_a_line_end_are_joined(broken: str) -> None:
    assert clean_text(broken) == "Led the development of"


@pytest.mark.parametrize("kept", ["2019-\n2021", "Java-\nScript", "CI -\ncd", "Python -\n• Go"])
def test_hyphens_that_do_not_break_a_word_are_kept(kept: str) -> None:
    assert clean_text(kept) == kept


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("A self-\nmotivated lead", "A self-motivated lead"),
        ("Built real-\ntime feeds", "Built real-time feeds"),
        # the text's own spelling elsewhere decides, either way
        ("Ran cross-\nfunctional teams; cross-functional work", "Ran cross-functional teams; cross-functional work"),
        ("Led data-\nbase work; database tuning", "Led database work; database tuning"),
        ("Wrote event-\ndriven code, event-driven design", "Wrote event-driven code, event-driven design"),
    ],
)
def test_a_compound_broken_at_a_line_end_keeps_its_hyphen(broken: str, expected: str) -> None:
    assert clean_text(broken) == expected


def test_stray_pdfium_hyphen_marker_becomes_a_hyphen() -> None:
    assert clean_text("x\ufffe 1") == "x- 1"


def test_zero_width_joiners_are_kept_for_scripts_that_need_them() -> None:
    assert (
        clean_text("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")
        == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    )


def test_ligatures_from_pdf_extraction_are_spelled_out() -> None:
    assert clean_text("ﬁnance and ﬂow, eﬃcient") == "finance and flow, efficient"


def test_whitespace_is_collapsed_and_lines_are_stripped() -> None:
    assert clean_text("  Jane   Doe  \n   Engineer\t \n") == "Jane Doe\nEngineer"


def test_three_or_more_newlines_become_one_blank_line() -> None:
    assert clean_text("Summary\n\n\n\n\nExperience\n \n\t\n\nSkills\n\nGo") == "Summary\n\nExperience\n\nSkills\n\nGo"


def test_windows_and_unicode_line_breaks_become_newlines() -> None:
    assert clean_text("a\r\nb\rc\u2028d\u2029e\x0cf") == "a\nb\nc\nd\ne\nf"


def test_cleaning_is_idempotent(extracted_resume: Document) -> None:
    once = clean_text(extracted_resume.text)
    assert clean_text(once) == once


def test_clean_document_returns_a_cleaned_copy(extracted_resume: Document) -> None:
    original_text = extracted_resume.text
    cleaned = clean_document(extracted_resume)
    assert cleaned is not extracted_resume
    assert extracted_resume.text == original_text
    assert cleaned.text == (
        "Jos\xe9 M\xfcller\n"
        "Senior Data Engineer - Berlin\n\n"
        "• Led a team of 5 engineers\n"
        "• Cut latency by 40 %\n"
        "• Saved $120,000 a year"
    )
    assert cleaned.model_dump(exclude={"text"}) == extracted_resume.model_dump(exclude={"text"})


def test_document_with_nothing_readable_left_is_refused() -> None:
    doc = Document(text="\u200b\x07 \u00ad\n•\n", format="text", sha256="0" * 64, size_bytes=8)
    with pytest.raises(EmptyDocument) as exc:
        clean_document(doc)
    assert exc.value.status == 422
    assert "no readable text" in exc.value.detail
