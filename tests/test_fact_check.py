"""The fact check: a faithful tailoring passes untouched, each kind of fabrication is flagged by path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.resume_builders import make_resume
from transformer.fact_check.check import (
    REASON_FROM_JOB,
    REASON_NOT_FOUND,
    REASON_NUMBER,
    REASON_OTHER_ENTRY,
    FactCheckReport,
    check_claims,
    strip_unsupported,
)
from transformer.fact_check.index import ResumeIndex

SOURCE_RESUME = """\
José Müller
Senior Software Engineer
Berlin, Germany · jose.muller@example.com · +49 30 1234567

SUMMARY
Backend engineer with 8 years of experience building distributed systems in Python and Go.

EXPERIENCE
Acme Corporation — Senior Software Engineer
03/2019 – Present, Berlin
- Cut API latency by 40% by redesigning the caching layer in Python.
- Migrated 120 services to Kubernetes, saving $120,000 per year in hosting costs.
- Mentored a team of 5 engineers.

Globex GmbH — Software Engineer
June 2015 – February 2019, Munich
- Built a billing service in Go and PostgreSQL processing 2.5 million invoices a month.
- Raised test coverage from 55% to 85%.

EDUCATION
Technische Universität München — B.Sc. Computer Science, 2011 – 2015

SKILLS
Languages: Python, Go, SQL, Bash
Infrastructure: Kubernetes, Docker, PostgreSQL, AWS
Practices: CI/CD, code review, observability

CERTIFICATIONS
Certified Kubernetes Administrator (CKA), 2020
"""

JOB_DESCRIPTION = """\
Staff Backend Engineer — Initech
We are looking for a backend engineer to build our event streaming platform.
Requirements: 6+ years with Python or Rust, Kafka, Terraform and Kubernetes.
Nice to have: a Master of Science in Computer Science, experience with AWS.
"""


def faithful_sections() -> dict[str, Any]:
    """A tailored resume that only rephrases and reorders the source: nothing in it may be flagged."""
    return {
        "basics": {"name": "José Müller", "label": "Senior Software Engineer"},
        "summary": "Backend engineer with 8 years building distributed systems in Go and Python.",
        "work": [
            {
                "name": "Acme Corp.",  # resume: "Acme Corporation"
                "position": "Senior Software Engineer",
                "startDate": "Mar 2019",  # resume: "03/2019"
                "endDate": "Present",
                "highlights": [
                    "Reduced API latency by 40% through a redesigned Python caching layer.",
                    "Saved $120K a year by migrating 120 services to Kubernetes.",
                    "Mentored 5 engineers.",
                ],
            },
            {
                "name": "Globex",
                "position": "Software Engineer",
                "startDate": "2015-06",
                "endDate": "Feb 2019",
                "highlights": ["Processed 2.5M invoices monthly with a Go and PostgreSQL billing service."],
            },
        ],
        "education": [
            {
                "institution": "Technische Universitat Munchen",  # accents dropped by the model
                "area": "Computer Science",
                "studyType": "Bachelor of Science",  # resume: "B.Sc."
                "startDate": "2011",
                "endDate": "2015",
            }
        ],
        "skills": [
            {"name": "Infrastructure", "keywords": ["Kubernetes", "PostgreSQL", "Docker", "AWS"]},
            {"name": "Languages", "keywords": ["Go", "Python", "SQL"]},
        ],
        "projects": [],
        "certifications": [{"name": "Certified Kubernetes Administrator", "issuer": "CNCF", "date": "2020"}],
        "tailoring": {"targetRole": "Staff Backend Engineer", "matchedJobKeywords": ["Python", "Kubernetes"]},
    }


@pytest.fixture
def faithful() -> dict[str, Any]:
    return faithful_sections()


def check(sections: dict[str, Any]) -> FactCheckReport:
    return check_claims(make_resume(**sections), SOURCE_RESUME, JOB_DESCRIPTION)


def flagged(report: FactCheckReport) -> dict[str, Any]:
    return {item.path: item for item in report.items if not item.supported}


def test_faithful_tailoring_is_not_flagged(faithful: dict[str, Any]) -> None:
    report = check(faithful)
    assert flagged(report) == {}
    assert report.unsupported == 0
    assert report.rate == 0.0
    assert report.checked == len(report.items) > 20
    assert all(item.source == "resume" and item.evidence for item in report.items)
    assert all(len(item.evidence or "") <= 80 for item in report.items)


def test_every_kind_of_claim_is_checked(faithful: dict[str, Any]) -> None:
    kinds = {item.kind for item in check(faithful).items}
    assert kinds == {"skill", "employer", "title", "date", "degree", "institution", "number", "certification"}


def test_supported_items_carry_resume_evidence(faithful: dict[str, Any]) -> None:
    items = {(item.path, item.value): item for item in check(faithful).items}
    assert "Acme Corporation" in items[("work[0].name", "Acme Corp.")].evidence
    assert "03/2019" in items[("work[0].startDate", "Mar 2019")].evidence
    assert "40%" in items[("work[0].highlights[0]", "40%")].evidence
    assert "120,000" in items[("work[0].highlights[1]", "$120K")].evidence


def test_empty_values_and_skill_group_headings_are_not_checked(faithful: dict[str, Any]) -> None:
    paths = {item.path for item in check(faithful).items}
    assert "skills[0].name" not in paths  # "Infrastructure" heads a group of keywords
    assert "work[0].summary" not in paths
    assert "education[0].score" not in paths


def test_fabricated_skill_from_job_description_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"].append("Kafka")
    item = flagged(check(faithful))["skills[0].keywords[4]"]
    assert item.value == "Kafka"
    assert item.kind == "skill"
    assert item.source == "job_description"
    assert item.reason == REASON_FROM_JOB
    assert "Kafka" in (item.evidence or "")


def test_fabricated_skill_entry_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["skills"].append({"name": "Terraform"})
    item = flagged(check(faithful))["skills[2].name"]
    assert item.source == "job_description"


def test_invented_employer_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["name"] = "Umbrella Corporation"
    bad = flagged(check(faithful))
    assert set(bad) == {"work[1].name"}
    assert bad["work[1].name"].kind == "employer"
    assert bad["work[1].name"].source == "none"
    assert bad["work[1].name"].reason == REASON_NOT_FOUND


def test_changed_date_year_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["startDate"] = "Mar 2018"
    bad = flagged(check(faithful))
    assert set(bad) == {"work[0].startDate"}
    assert bad["work[0].startDate"].kind == "date"


@pytest.mark.parametrize("written", ["2015-09", "2015-09-01"])  # YYYY-MM-DD: what the bounded schema allows too
def test_changed_date_month_is_flagged(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][1]["startDate"] = written  # resume: June 2015
    assert set(flagged(check(faithful))) == {"work[1].startDate"}


@pytest.mark.parametrize("written", ["2019-03", "2019-03-01", "03/2019", "Mar 2019", "March 2019", "2019", "3/2019"])
def test_date_formats_are_equivalent(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][0]["startDate"] = written
    assert flagged(check(faithful)) == {}


def test_inflated_number_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["highlights"][0] = "Reduced API latency by 60% through a redesigned Python caching layer."
    bad = flagged(check(faithful))
    assert set(bad) == {"work[0].highlights[0]"}
    assert bad["work[0].highlights[0]"].value == "60%"
    assert bad["work[0].highlights[0]"].kind == "number"
    assert bad["work[0].highlights[0]"].reason == REASON_NUMBER


def test_number_from_job_description_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["summary"] = "Backend engineer with 6+ years building distributed systems."
    item = flagged(check(faithful))["summary"]
    assert item.value == "6"
    assert item.source == "job_description"


@pytest.mark.parametrize("written", ["$120,000", "$120K", "$0.12M", "120000"])
def test_money_is_compared_numerically(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][0]["highlights"][1] = f"Saved {written} a year by migrating 120 services to Kubernetes."
    assert flagged(check(faithful)) == {}


def test_invented_degree_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["education"][0]["studyType"] = "Master of Science"
    item = flagged(check(faithful))["education[0].studyType"]
    assert item.kind == "degree"
    assert item.source == "job_description"


def test_degree_abbreviation_is_supported(faithful: dict[str, Any]) -> None:
    faithful["education"][0]["studyType"] = "BSc"
    assert flagged(check(faithful)) == {}


def test_invented_institution_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["education"][0]["institution"] = "Stanford University"
    assert set(flagged(check(faithful))) == {"education[0].institution"}


def test_short_token_skill_not_in_resume_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["skills"][1]["keywords"].append("R")  # "R" appears inside words of the resume, never alone
    item = flagged(check(faithful))["skills[1].keywords[3]"]
    assert item.value == "R"
    assert item.source == "none"


def test_short_token_skill_in_resume_matches_exactly(faithful: dict[str, Any]) -> None:
    faithful["skills"][1]["keywords"] = ["Go", "SQL", "AWS"]
    assert flagged(check(faithful)) == {}


def test_near_miss_short_skill_is_not_fuzzily_accepted(faithful: dict[str, Any]) -> None:
    faithful["skills"][1]["keywords"] = ["Gin"]  # one letter away from "Go"/"Git"-like tokens
    assert set(flagged(check(faithful))) == {"skills[1].keywords[0]"}


def test_misspelled_skill_is_fuzzily_supported(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"] = ["Kubernets"]
    report = check(faithful)
    assert flagged(report) == {}
    assert report.items[[i.path for i in report.items].index("skills[0].keywords[0]")].reason.startswith("fuzzy")


def test_skill_inside_a_longer_word_is_not_supported(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"] = ["Java"]
    resume = make_resume(**faithful)
    report = check_claims(resume, SOURCE_RESUME.replace("Bash", "JavaScript"), JOB_DESCRIPTION)
    assert set(flagged(report)) == {"skills[0].keywords[0]"}


def test_misspelled_certification_is_fuzzily_supported(faithful: dict[str, Any]) -> None:
    faithful["certifications"][0]["name"] = "Certified Kubernetes Administator"
    assert flagged(check(faithful)) == {}


def test_plural_and_bracketed_alias_forms_are_supported(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"] = ["Amazon Web Services (AWS)", "Code reviews", "Distributed system"]
    assert flagged(check(faithful)) == {}


def test_invented_title_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["basics"]["label"] = "Principal Engineer"
    assert set(flagged(check(faithful))) == {"basics.label"}


def test_present_end_date_needs_an_open_ended_role(faithful: dict[str, Any]) -> None:
    assert flagged(check(faithful)) == {}  # work[0] is open ("03/2019 – Present")
    faithful["work"][1]["endDate"] = "Present"  # Globex ended in February 2019
    item = flagged(check(faithful))["work[1].endDate"]
    assert item.reason == REASON_OTHER_ENTRY
    closed = SOURCE_RESUME.replace("03/2019 – Present", "03/2019 – 12/2023")
    report = check_claims(make_resume(**faithful), closed, JOB_DESCRIPTION)
    assert {"work[0].endDate", "work[1].endDate"} <= set(flagged(report))


def test_invented_certification_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["certifications"].append({"name": "HashiCorp Certified: Terraform Associate", "date": "2021"})
    assert set(flagged(check(faithful))) == {"certifications[1].name", "certifications[1].date"}


def test_numbers_in_project_text_are_checked(faithful: dict[str, Any]) -> None:
    faithful["projects"] = [{"name": "Cache", "description": "Cut latency by 40%.", "highlights": ["Served 10M users"]}]
    assert set(flagged(check(faithful))) == {"projects[0].highlights[0]"}


def test_report_rate_counts_unsupported_items(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"].append("Kafka")
    faithful["work"][1]["name"] = "Umbrella Corporation"
    report = check(faithful)
    assert report.unsupported == 2
    assert report.rate == pytest.approx(2 / report.checked)


def test_empty_resume_has_zero_rate() -> None:
    report = check_claims(make_resume(), SOURCE_RESUME, JOB_DESCRIPTION)
    assert report.checked == 0
    assert report.rate == 0.0


def test_strict_mode_strips_exactly_the_flagged_items(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"].append("Kafka")
    faithful["skills"].append({"name": "R"})
    faithful["work"][0]["startDate"] = "Mar 2018"
    faithful["work"][0]["highlights"][0] = "Reduced API latency by 60% through a redesigned Python caching layer."
    faithful["work"][1]["name"] = "Umbrella Corporation"
    faithful["education"][0]["studyType"] = "Master of Science"
    faithful["summary"] = "Backend engineer with 6+ years building distributed systems."
    resume = make_resume(**faithful)
    report = check_claims(resume, SOURCE_RESUME, JOB_DESCRIPTION)
    assert set(flagged(report)) == {
        "skills[0].keywords[4]",
        "skills[2].name",
        "work[0].startDate",
        "work[0].highlights[0]",
        "work[1].name",
        "education[0].studyType",
        "summary",
    }

    stripped = strip_unsupported(resume, report)

    expected = faithful_sections()
    expected["summary"] = ""
    expected["work"][0]["startDate"] = ""
    del expected["work"][0]["highlights"][0]
    del expected["work"][1]  # invented employer: the whole entry goes
    expected["education"] = []  # invented degree: the whole entry goes
    assert stripped == make_resume(**expected)
    assert check_claims(stripped, SOURCE_RESUME, JOB_DESCRIPTION).unsupported == 0
    assert resume.skills[0].keywords[-1] == "Kafka"  # the input is not modified


def test_strict_mode_keeps_a_faithful_resume_unchanged(faithful: dict[str, Any]) -> None:
    resume = make_resume(**faithful)
    assert strip_unsupported(resume, check_claims(resume, SOURCE_RESUME, JOB_DESCRIPTION)) == resume


# --- synonyms and abbreviations -----------------------------------------------------------------------------------


def test_k8s_matches_kubernetes(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"] = ["k8s"]
    assert flagged(check(faithful)) == {}
    report = check_claims(make_resume(**faithful), SOURCE_RESUME.replace("Kubernetes", "K8s"), JOB_DESCRIPTION)
    assert flagged(report) == {}


@pytest.mark.parametrize(
    ("claimed", "written"),
    [
        ("JS", "JavaScript"),
        ("JavaScript", "JS"),
        ("TS", "TypeScript"),
        ("Postgres", "PostgreSQL"),
        ("PostgreSQL", "Postgres"),
        ("ML", "machine learning"),
        ("Machine Learning", "ML"),
        ("GCP", "Google Cloud Platform"),
        ("Amazon Web Services", "AWS"),
        ("CI/CD", "continuous integration and continuous delivery"),
        ("Golang", "Go"),
        ("Node.js", "Node"),
        ("NLP", "Natural Language Processing"),
    ],
)
def test_skill_abbreviations_match_their_full_names(faithful: dict[str, Any], claimed: str, written: str) -> None:
    source = SOURCE_RESUME.replace("Bash", written)
    faithful["skills"][1]["keywords"] = [claimed]
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}


def test_abbreviation_of_another_skill_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["skills"][1]["keywords"] = ["TS"]  # TypeScript; the resume has JavaScript
    source = SOURCE_RESUME.replace("Bash", "JavaScript")
    assert set(flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION))) == {"skills[1].keywords[0]"}


@pytest.mark.parametrize("skill", ["Docker containers", "Python programming", "Postgres DB", "Amazon AWS"])
def test_generic_words_after_a_skill_are_ignored(faithful: dict[str, Any], skill: str) -> None:
    faithful["skills"][0]["keywords"] = [skill]
    assert flagged(check(faithful)) == {}


def test_longer_skill_name_is_not_supported_by_its_first_word(faithful: dict[str, Any]) -> None:
    faithful["skills"][0]["keywords"] = ["Docker Swarm", "Kubernetes Operators"]
    assert set(flagged(check(faithful))) == {"skills[0].keywords[0]", "skills[0].keywords[1]"}


# --- numbers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["40%", "40 percent", "forty percent", "40 per cent"])
def test_percent_spellings_are_equivalent(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][0]["highlights"][0] = f"Reduced API latency by {written}."
    assert flagged(check(faithful)) == {}


@pytest.mark.parametrize("written", ["5", "five"])
def test_number_words_match_digits(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][0]["highlights"][2] = f"Mentored {written} engineers."
    assert flagged(check(faithful)) == {}
    source = SOURCE_RESUME.replace("a team of 5 engineers", "a team of five engineers")
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}


def test_fifteen_days_matches_15_days(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace("Mentored a team of 5 engineers.", "Cut release time to 15 days.")
    faithful["work"][0]["highlights"][2] = "Brought release time down to fifteen days."
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}


@pytest.mark.parametrize("written", ["$2M", "$2,000,000", "2 million dollars", "$2 million", "2000000"])
def test_money_spellings_are_equivalent(faithful: dict[str, Any], written: str) -> None:
    source = SOURCE_RESUME.replace("$120,000", "$2M")
    faithful["work"][0]["highlights"][1] = f"Saved {written} a year by migrating 120 services to Kubernetes."
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}


@pytest.mark.parametrize("written", ["55-85%", "55% to 85%", "between 55 and 85 percent"])
def test_ranges_are_read_as_both_ends(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][1]["highlights"] = [f"Raised test coverage {written}."]
    assert flagged(check(faithful)) == {}


def test_fabricated_number_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["highlights"][2] = "Mentored twelve engineers."
    item = flagged(check(faithful))["work[0].highlights[2]"]
    assert (item.value, item.kind, item.reason) == ("twelve", "number", REASON_NUMBER)


def test_fabricated_range_end_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["highlights"] = ["Raised test coverage from 55% to 95%."]
    item = flagged(check(faithful))["work[1].highlights[0]"]
    assert item.value == "95%"


def test_percentage_is_not_supported_by_a_count(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["highlights"][1] = "Cut hosting costs by 120%."  # the resume has 120 services, not 120%
    assert set(flagged(check(faithful))) == {"work[0].highlights[1]"}


# --- dates, titles, employers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["Present", "Current", "now"])
def test_open_ended_spellings_are_equivalent(faithful: dict[str, Any], written: str) -> None:
    faithful["work"][0]["endDate"] = written
    assert flagged(check(faithful)) == {}


def test_date_without_month_does_not_contradict_a_month(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["endDate"] = "2019"
    faithful["work"][1]["startDate"] = "June 2015"
    assert flagged(check(faithful)) == {}


@pytest.mark.parametrize("title", ["Sr. Software Engineer", "Senior Software Eng.", "Sr Software Engineer"])
def test_title_abbreviations_are_supported(faithful: dict[str, Any], title: str) -> None:
    faithful["work"][0]["position"] = title
    faithful["basics"]["label"] = title
    assert flagged(check(faithful)) == {}


def test_vp_matches_vice_president(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace(
        "Acme Corporation — Senior Software Engineer", "Acme Corporation — VP of Engineering"
    )
    faithful["work"][0]["position"] = "Vice President of Engineering"
    faithful["basics"]["label"] = ""
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}


@pytest.mark.parametrize("title", ["Senior Software Engineer", "Sr. Software Engineer", "Lead Software Engineer"])
def test_inflated_seniority_is_flagged(faithful: dict[str, Any], title: str) -> None:
    faithful["work"][1]["position"] = title  # Globex: "Software Engineer"
    item = flagged(check(faithful))["work[1].position"]
    assert item.kind == "title"


def test_inflated_headline_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["basics"]["label"] = "Principal Software Engineer"
    assert set(flagged(check(faithful))) == {"basics.label"}


@pytest.mark.parametrize("name", ["Acme Inc.", "Acme", "Acme Corp", "ACME Corporation"])
def test_employer_legal_suffixes_are_ignored(faithful: dict[str, Any], name: str) -> None:
    faithful["work"][0]["name"] = name
    assert flagged(check(faithful)) == {}


def test_employer_sharing_a_word_with_the_real_one_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["name"] = "Acme Analytics"
    assert set(flagged(check(faithful))) == {"work[0].name"}


@pytest.mark.parametrize("degree", ["Bachelor's degree", "Bachelor's in Computer Science", "Bachelors Degree"])
def test_generic_degree_level_is_supported_by_a_specific_degree(faithful: dict[str, Any], degree: str) -> None:
    faithful["education"][0]["studyType"] = degree
    assert flagged(check(faithful)) == {}


@pytest.mark.parametrize("degree", ["Master's degree", "Doctorate"])
def test_higher_generic_degree_level_is_flagged(faithful: dict[str, Any], degree: str) -> None:
    faithful["education"][0]["studyType"] = degree
    assert set(flagged(check(faithful))) == {"education[0].studyType"}


def test_institution_acronym_matches_its_full_name(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace("Technische Universität München", "Massachusetts Institute of Technology")
    faithful["education"][0]["institution"] = "MIT"
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}
    faithful["education"][0]["institution"] = "UCLA"
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert set(flagged(report)) == {"education[0].institution"}


def test_certification_name_matches_its_acronym(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace("Certified Kubernetes Administrator (CKA), 2020", "CKA, 2020")
    assert flagged(check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)) == {}
    faithful["certifications"][0]["name"] = "Certified Kubernetes Application Developer"
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert set(flagged(report)) == {"certifications[0].name"}


def test_degree_level_change_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["education"][0]["studyType"] = "M.Sc."  # "msc" is one letter from the resume's "bsc"
    assert set(flagged(check(faithful))) == {"education[0].studyType"}


def test_institution_in_another_city_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["education"][0]["institution"] = "Technische Universität Berlin"
    assert set(flagged(check(faithful))) == {"education[0].institution"}


def test_certification_level_change_is_flagged(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME + "AWS Certified Solutions Architect – Associate, 2021\n"
    faithful["certifications"] = [{"name": "AWS Certified Solutions Architect – Professional", "date": "2021"}]
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert set(flagged(report)) == {"certifications[0].name"}


# --- claims attached to the wrong entry ----------------------------------------------------------------------------


def test_date_from_another_job_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["startDate"] = "March 2019"  # Acme's start date, given to Globex
    item = flagged(check(faithful))["work[1].startDate"]
    assert item.reason == REASON_OTHER_ENTRY
    assert item.source == "resume"
    assert "03/2019" in (item.evidence or "")


def test_number_from_another_job_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["highlights"] = ["Cut billing latency by 40%."]  # Acme's figure, given to Globex
    item = flagged(check(faithful))["work[1].highlights[0]"]
    assert (item.value, item.reason) == ("40%", REASON_OTHER_ENTRY)


def test_title_from_another_job_is_flagged(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["position"] = "Senior Software Engineer"
    faithful["work"][0]["position"] = "Software Engineer"  # dropping seniority is not a fabrication
    assert set(flagged(check(faithful))) == {"work[1].position"}


def test_degree_from_another_school_is_flagged(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace("EDUCATION\n", "EDUCATION\nETH Zürich — M.Sc. Computer Science, 2015 – 2017\n")
    faithful["education"][0]["studyType"] = "Master of Science"
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert flagged(report)["education[0].studyType"].reason == REASON_OTHER_ENTRY


def test_year_within_the_jobs_dates_is_supported(faithful: dict[str, Any]) -> None:
    faithful["work"][0]["highlights"][2] = "Mentored 5 engineers in 2020."  # Acme: 03/2019 – Present
    assert flagged(check(faithful)) == {}
    faithful["work"][1]["highlights"] = ["Built the billing service in 2020."]  # Globex: 2015 – 2019
    assert set(flagged(check(faithful))) == {"work[1].highlights[0]"}


def test_number_from_the_summary_is_accepted_in_any_job(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["highlights"] = ["Drew on 8 years of backend work."]  # "8 years" is in the summary
    assert flagged(check(faithful)) == {}


def test_resume_is_cut_into_entries() -> None:
    index = ResumeIndex.build(SOURCE_RESUME)
    lines = SOURCE_RESUME.splitlines()
    entries = [[lines[n] for n in entry if lines[n]] for entry in index.entries]
    assert entries[0][:2] == ["Acme Corporation — Senior Software Engineer", "03/2019 – Present, Berlin"]
    assert entries[0][-1] == "- Mentored a team of 5 engineers."
    assert entries[1][0] == "Globex GmbH — Software Engineer"
    assert entries[2] == ["Technische Universität München — B.Sc. Computer Science, 2011 – 2015"]
    outside = [lines[n] for n in index.outside]
    assert "Backend engineer with 8 years of experience building distributed systems in Python and Go." in outside
    assert "Languages: Python, Go, SQL, Bash" in outside


def test_roles_under_one_employer_heading_are_checked_in_their_entries(faithful: dict[str, Any]) -> None:
    source = SOURCE_RESUME.replace(
        "Acme Corporation — Senior Software Engineer\n03/2019 – Present, Berlin\n",
        "Acme Corporation, Berlin\nSenior Software Engineer, 01/2021 – Present\n- Led the platform team.\n"
        "Software Engineer, 03/2019 – 12/2020\n",
    )
    faithful["work"][0]["startDate"] = "Jan 2021"
    faithful["work"][0]["highlights"] = ["Led the platform team."]
    faithful["work"].insert(
        1,
        {
            "name": "Acme",
            "position": "Software Engineer",
            "startDate": "2019-03",
            "endDate": "2020-12",
            "highlights": ["Cut API latency by 40%."],
        },
    )
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert flagged(report) == {}
    faithful["work"][2]["highlights"] = ["Cut API latency by 40%."]  # Acme's figure given to Globex
    report = check_claims(make_resume(**faithful), source, JOB_DESCRIPTION)
    assert set(flagged(report)) == {"work[2].highlights[0]"}


def test_initials_of_an_invented_name_do_not_match_other_words(faithful: dict[str, Any]) -> None:
    faithful["work"][1]["name"] = "Blue Sun Corporation"  # initials "BSC", like the resume's "B.Sc."
    faithful["certifications"][0]["name"] = "Certified Cloud Architect"  # "CCA" is nowhere; "CKA" is
    assert set(flagged(check(faithful))) == {"work[1].name", "certifications[0].name"}
