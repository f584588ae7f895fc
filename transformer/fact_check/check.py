"""The fact check: every factual claim of a tailored resume must be found in the source resume.

Checked claims: skills and skill keywords, employers, job titles, dates, degrees, institutions, certification
names, and every number written in free text (summaries, highlights, project descriptions). A claim is
supported when the source resume says it, after normalisation (`fact_check.text`, `text_fold`), aliases and
abbreviations (`fact_check.vocabulary`: k8s/Kubernetes, Sr./Senior, B.Sc./Bachelor of Science), and reading
dates and numbers as values (`fact_check.dates`, `fact_check.numbers`: "03/2019" is "Mar 2019", "forty
percent" is "40%").

Claims are checked where they belong: a job's title, dates and figures must be found in that job's entry of
the resume (`fact_check.index` cuts the resume into entries), so a date or number taken from another job is
flagged even though the resume contains it. A claim not in the resume but present in the job description is
reported as fabricated from it.

CPU only and model-free: the resume and the job description are indexed once per call, so a two-page resume is
checked in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from transformer.fact_check.index import Corpus, ResumeIndex
from transformer.fact_check.match import Hit, find_date, find_number, find_text, find_year_in_span
from transformer.fact_check.numbers import NumberMention, parse_numbers
from transformer.fact_check.report import FactCheckItem, FactCheckReport, Kind
from transformer.fact_check.vocabulary import GENERIC_HEADING_WORDS, normalise
from transformer.generation.schema import TailoredResume

__all__ = [
    "REASON_DATE",
    "REASON_FROM_JOB",
    "REASON_NOT_FOUND",
    "REASON_NUMBER",
    "REASON_OTHER_ENTRY",
    "FactCheckItem",
    "FactCheckReport",
    "Kind",
    "check_claims",
    "strip_unsupported",
]

REASON_NOT_FOUND = "not found in the resume"
REASON_FROM_JOB = "found only in the job description (fabricated from it)"
REASON_NUMBER = "number not in resume"
REASON_DATE = "date not in resume"
REASON_OTHER_ENTRY = "found in the resume, but not in the entry it is claimed for"


Search = Callable[[Corpus], Hit | None]


def _find_number(corpus: Corpus, claimed: NumberMention) -> Hit | None:
    return find_number(corpus, claimed)


def _find_year_in_span(corpus: Corpus, claimed: NumberMention) -> Hit | None:
    """ "Mentored 5 engineers in 2020" under a 2019 - Present job: a year within the entry's dates."""
    hit = find_number(corpus, claimed)
    if hit is not None or claimed.unit != "plain" or not claimed.value.is_integer() or "," in claimed.written:
        return hit
    return find_year_in_span(corpus, int(claimed.value))


@dataclass
class _Checker:
    resume: ResumeIndex
    job: Corpus
    whole: Corpus = field(init=False)
    outside: Corpus = field(init=False)
    entries: list[Corpus] = field(init=False)
    items: list[FactCheckItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.whole = self.resume.corpus()
        self.outside = self.resume.corpus(self.resume.outside)
        self.entries = [self.resume.corpus(lines) for lines in self.resume.entries]

    def entries_of(self, raw: str, kind: Kind) -> list[int]:
        """Indices of the resume entries naming this employer, institution or certificate."""
        if not raw.strip():
            return []
        found = [k for k, entry in enumerate(self.entries) if find_text(entry, raw, kind, fuzzy=False) is not None]
        if not found:  # fuzzy matching only when no entry names it as written
            found = [k for k, entry in enumerate(self.entries) if find_text(entry, raw, kind) is not None]
        return found

    def scope(self, indices: list[int]) -> list[Corpus] | None:
        """The entries to search, or None (the whole resume) when the name was found in no entry."""
        return [self.entries[k] for k in indices] if indices else None

    def work_scopes(self, employers: list[str]) -> list[list[Corpus] | None]:
        """For each job, the entries naming its employer and the roles listed under it.

        Several roles under one employer heading ("Acme, Berlin" / "Senior Engineer, 2021 - Present" / ... /
        "Engineer, 2019 - 2021") are separate entries, of which only the first names the employer. When an entry
        opens with the employer on an undated line, the entries right below it (same section) that open with
        their dated line and name no other job's employer are roles under that heading.
        """
        found = [self.entries_of(name, "employer") for name in employers]
        named = {k for indices in found for k in indices}
        index = self.resume
        lines = index.entries
        scopes: list[list[Corpus] | None] = []
        for name, indices in zip(employers, found, strict=True):
            extended = set(indices)
            for k in indices:
                heading = lines[k][0]
                if index.has_dates(heading) or find_text(index.corpus([heading]), name, "employer") is None:
                    continue
                while (
                    k + 1 < len(lines)
                    and lines[k][-1] + 1 == lines[k + 1][0]  # no section heading between
                    and index.anchors[k + 1] == lines[k + 1][0]  # opens with its dates: a role, not an employer
                    and k + 1 not in named
                ):
                    k += 1
                    extended.add(k)
            scopes.append(self.scope(sorted(extended)))
        return scopes

    def text(self, path: str, raw: str, kind: Kind, scope: list[Corpus] | None = None) -> None:
        if not raw.strip():
            return
        if kind == "date":
            self._check(path, raw, kind, lambda corpus: find_date(corpus, raw), scope, REASON_DATE)
        else:
            self._check(path, raw, kind, lambda corpus: find_text(corpus, raw, kind), scope, REASON_NOT_FOUND)

    def skill(self, path: str, raw: str, has_keywords: bool) -> None:
        words = normalise(raw).split()
        if has_keywords and words and all(word in GENERIC_HEADING_WORDS for word in words):
            return
        self.text(path, raw, "skill")

    def numbers(self, path: str, raw: str, scope: list[Corpus] | None = None) -> None:
        # figures of one entry may also come from the lines outside every entry (summary, skills)
        where = None if scope is None else [*scope, self.outside]
        for claimed in parse_numbers(raw):
            finder = _find_number if scope is None else _find_year_in_span
            search: Search = partial(finder, claimed=claimed)
            self._check(path, claimed.written, "number", search, where, REASON_NUMBER)

    def _check(
        self, path: str, raw: str, kind: Kind, search: Search, scope: list[Corpus] | None, not_found: str
    ) -> None:
        hit: Hit | None = None
        elsewhere: Hit | None = None
        if scope is None:
            hit = search(self.whole)
        else:
            hit = next((h for corpus in scope if (h := search(corpus)) is not None), None)
            if hit is None:
                elsewhere = search(self.whole)
        if hit is not None:
            item = FactCheckItem(
                path=path, value=raw, kind=kind, supported=True, evidence=hit.evidence, reason=hit.how, source="resume"
            )
        elif elsewhere is not None:
            item = FactCheckItem(
                path=path,
                value=raw,
                kind=kind,
                supported=False,
                evidence=elsewhere.evidence,
                reason=REASON_OTHER_ENTRY,
                source="resume",
            )
        elif (job_hit := search(self.job)) is not None:
            # the job description is searched only for claims the resume does not support
            item = FactCheckItem(
                path=path,
                value=raw,
                kind=kind,
                supported=False,
                evidence=job_hit.evidence,
                reason=REASON_FROM_JOB,
                source="job_description",
            )
        else:
            item = FactCheckItem(
                path=path, value=raw, kind=kind, supported=False, evidence=None, reason=not_found, source="none"
            )
        self.items.append(item)


def check_claims(resume: TailoredResume, source_resume_text: str, job_text: str) -> FactCheckReport:
    """Check every factual claim of `resume` against the source resume text.

    Paths use the JSON (camelCase) field names, e.g. `work[0].startDate`, `skills[2].keywords[1]`, `summary`.
    Empty strings are not checked, and skill-group headings made only of generic words ("Languages",
    "Cloud & DevOps") are skipped when the group has keywords. A job's title, dates and figures (and a degree's
    type and dates, a certificate's date) must be found in the resume entry that names its employer
    (institution, certificate); found only under another entry, they are unsupported with
    `reason=REASON_OTHER_ENTRY`. Claims absent from the resume but present in the job description are reported
    with `source="job_description"`.
    """
    check = _Checker(ResumeIndex.build(source_resume_text), ResumeIndex.build(job_text).corpus())

    check.text("basics.label", resume.basics.label, "title")
    check.numbers("summary", resume.summary)
    for i, (work, scope) in enumerate(zip(resume.work, check.work_scopes([w.name for w in resume.work]), strict=True)):
        check.text(f"work[{i}].name", work.name, "employer")
        check.text(f"work[{i}].position", work.position, "title", scope)
        check.text(f"work[{i}].startDate", work.start_date, "date", scope)
        check.text(f"work[{i}].endDate", work.end_date, "date", scope)
        check.numbers(f"work[{i}].summary", work.summary, scope)
        for j, highlight in enumerate(work.highlights):
            check.numbers(f"work[{i}].highlights[{j}]", highlight, scope)
    for i, edu in enumerate(resume.education):
        scope = check.scope(check.entries_of(edu.institution, "institution"))
        check.text(f"education[{i}].institution", edu.institution, "institution")
        check.text(f"education[{i}].studyType", edu.study_type, "degree", scope)
        check.text(f"education[{i}].startDate", edu.start_date, "date", scope)
        check.text(f"education[{i}].endDate", edu.end_date, "date", scope)
    for i, skill in enumerate(resume.skills):
        check.skill(f"skills[{i}].name", skill.name, has_keywords=any(k.strip() for k in skill.keywords))
        for j, keyword in enumerate(skill.keywords):
            check.text(f"skills[{i}].keywords[{j}]", keyword, "skill")
    for i, project in enumerate(resume.projects):
        check.numbers(f"projects[{i}].description", project.description)
        for j, highlight in enumerate(project.highlights):
            check.numbers(f"projects[{i}].highlights[{j}]", highlight)
    for i, cert in enumerate(resume.certifications):
        scope = check.scope(check.entries_of(cert.name, "certification"))
        check.text(f"certifications[{i}].name", cert.name, "certification")
        check.text(f"certifications[{i}].date", cert.date, "date", scope)

    items = check.items
    unsupported = sum(1 for item in items if not item.supported)
    return FactCheckReport(
        items=items, checked=len(items), unsupported=unsupported, rate=unsupported / len(items) if items else 0.0
    )


def strip_unsupported(resume: TailoredResume, report: FactCheckReport) -> TailoredResume:
    """A copy of `resume` without its unsupported claims (strict mode).

    Unsupported skills and keywords are removed; work, education and certification entries whose employer,
    title, institution, degree or name is unsupported are removed; unsupported dates become ""; highlights with
    an unsupported number are dropped and single free-text fields with one are set to "".
    """
    bad = report.unsupported_paths
    out = resume.model_copy(deep=True)

    if "basics.label" in bad:
        out.basics.label = ""
    if "summary" in bad:
        out.summary = ""

    work_kept = []
    for i, work in enumerate(out.work):
        if f"work[{i}].name" in bad or f"work[{i}].position" in bad:
            continue
        work.start_date = "" if f"work[{i}].startDate" in bad else work.start_date
        work.end_date = "" if f"work[{i}].endDate" in bad else work.end_date
        work.summary = "" if f"work[{i}].summary" in bad else work.summary
        work.highlights = [h for j, h in enumerate(work.highlights) if f"work[{i}].highlights[{j}]" not in bad]
        work_kept.append(work)
    out.work = work_kept

    education_kept = []
    for i, edu in enumerate(out.education):
        if f"education[{i}].institution" in bad or f"education[{i}].studyType" in bad:
            continue
        edu.start_date = "" if f"education[{i}].startDate" in bad else edu.start_date
        edu.end_date = "" if f"education[{i}].endDate" in bad else edu.end_date
        education_kept.append(edu)
    out.education = education_kept

    skills_kept = []
    for i, skill in enumerate(out.skills):
        if f"skills[{i}].name" in bad:
            continue
        skill.keywords = [k for j, k in enumerate(skill.keywords) if f"skills[{i}].keywords[{j}]" not in bad]
        skills_kept.append(skill)
    out.skills = skills_kept

    for i, project in enumerate(out.projects):
        project.description = "" if f"projects[{i}].description" in bad else project.description
        kept = [h for j, h in enumerate(project.highlights) if f"projects[{i}].highlights[{j}]" not in bad]
        project.highlights = kept

    certs_kept = []
    for i, cert in enumerate(out.certifications):
        if f"certifications[{i}].name" in bad:
            continue
        cert.date = "" if f"certifications[{i}].date" in bad else cert.date
        certs_kept.append(cert)
    out.certifications = certs_kept
    return out
