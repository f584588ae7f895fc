"""Labelled cases for the fact-check evaluation, generated from the seed resumes in benchmarks/fact_check_data/.

A seed holds the facts of one person (jobs, bullets with their figures in braces, degrees, skills with their
other spellings after "|", certificates). For each case the generator

1. renders the seed as resume text in one of several layouts (section names, header order, date and number
   formats, bullet marks, legal suffixes all drawn at random), as a parser would hand it to the transformer;
2. writes a faithful tailored resume from the same facts: reordered, rephrased and trimmed highlights, skills
   under their other spellings, other date and number formats ("03/2019" / "Mar 2019", "40%" / "forty percent",
   "$2,000,000" / "$2M"), titles and degrees abbreviated or spelled out, employers with or without "Inc.";
3. injects one fabrication of a given kind (skill, employer, title, date, degree, institution, certification,
   number), some taken from another entry of the same resume or from the job description.

Every checked path of the tailored resume gets a label (kind, fabricated or not). Nothing here calls the
checker: the labels follow from how the case was built.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "fact_check_data"
KINDS = ("skill", "employer", "title", "date", "degree", "institution", "certification", "number")

MONTH_NAMES = "January February March April May June July August September October November December".split()
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split()
)
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SPEC = re.compile(r"\{([^{}]+)\}")

# Pools for fabrications: none of these appears in any seed resume (checked when drawn).
SKILL_POOL = [
    "Rust",
    "Kafka",
    "Scala",
    "Java",
    "TypeScript",
    "React Native",
    "Azure",
    "MySQL",
    "Redis",
    "Snowflake",
    "Terraform Cloud",
    "Ansible",
    "Salesforce",
    "HubSpot",
    "Figma",
    "Tableau Prep",
    "MATLAB",
    "Haskell",
    "Elixir",
    "Cassandra",
    "GraphQL",
    "Swift",
    "Kotlin",
    "Oracle",
    "SAS",
    "Looker",
    "Six Sigma",
    "Pediatrics",
    "Oncology",
    "QuickBooks",
    "Stata",
    "Hadoop",
    "Jenkins",
    "Go-to-market strategy",
    "Prometheus",
    "Vue",
]
EMPLOYER_POOL = [
    "Umbrella Corporation",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Pied Piper",
    "Vandelay Industries",
    "Cyberdyne Systems",
    "Soylent Corp",
    "Massive Dynamic",
    "Oscorp",
    "Wonka Industries",
    "Gringotts Bank",
    "Blue Sun Corporation",
    "Aperture Science",
    "Tyrell Corporation",
    "Monarch Solutions",
]
EMPLOYER_WORDS = ["Analytics", "Systems", "Labs", "Digital", "Partners", "Holdings", "Networks", "Group"]
TITLE_POOL = [
    "Data Engineer",
    "Engineering Manager",
    "Solutions Architect",
    "Chief Technology Officer",
    "Head of Product",
    "Nurse Practitioner",
    "Portfolio Manager",
    "Marketing Director",
    "DevOps Engineer",
    "Research Scientist",
]
INSTITUTION_POOL = [
    "Stanford University",
    "Massachusetts Institute of Technology",
    "University of Oxford",
    "ETH Zurich",
    "Harvard Business School",
    "University of Toronto",
    "Imperial College London",
    "Columbia University",
    "Johns Hopkins University",
    "University of Tokyo",
    "Sorbonne University",
    "Carnegie Mellon University",
]
CITY_POOL = ["Vienna", "Glasgow", "Delhi", "Ottawa", "Lyon", "Denver", "Hamburg", "Milan", "Bristol", "Kyoto"]
CERTIFICATION_POOL = [
    "Project Management Professional (PMP)",
    "Certified Information Systems Security Professional",
    "Google Cloud Professional Cloud Architect",
    "Microsoft Certified: Azure Administrator Associate",
    "HashiCorp Certified: Terraform Associate",
    "Certified ScrumMaster",
    "Six Sigma Green Belt",
    "Certified Public Accountant",
    "Pediatric Advanced Life Support",
    "Tableau Desktop Specialist",
]
CERTIFICATION_LEVELS = {"Associate": "Professional", "Level II": "Level III", "Developer": "Expert"}
DEGREE_FORMS = {
    "B.Sc.": ["B.Sc.", "BSc", "Bachelor of Science", "BS", "Bachelor's degree"],
    "M.Sc.": ["M.Sc.", "MSc", "Master of Science", "MS", "Master's degree"],
    "B.A.": ["B.A.", "BA", "Bachelor of Arts", "Bachelor's degree"],
    "MBA": ["MBA", "Master of Business Administration"],
    "BSN": ["BSN", "Bachelor of Science in Nursing", "Bachelor's degree in Nursing"],
    "B.B.A.": ["B.B.A.", "BBA", "Bachelor of Business Administration"],
    "M.A.": ["M.A.", "MA", "Master of Arts"],
}
DEGREE_UPGRADES = {
    "B.Sc.": ["Master of Science", "M.Sc.", "PhD", "Master's degree"],
    "M.Sc.": ["PhD", "Doctor of Philosophy", "MBA", "Doctorate"],
    "B.A.": ["Master of Arts", "M.A.", "MBA", "Master's degree"],
    "MBA": ["PhD", "Doctor of Philosophy"],
    "BSN": ["Master of Science in Nursing", "MSN"],
    "B.B.A.": ["MBA", "Master of Business Administration"],
    "M.A.": ["PhD", "MBA"],
}
SENIORITY_UP = {
    "Senior": ["Staff", "Principal", "Lead"],
    "Lead": ["Principal", "Head", "Director"],
    "Junior": ["Senior", "Lead"],
    "Charge": ["Head", "Director"],
    "Head": ["Vice President", "Chief"],
    "Vice President": ["Senior Vice President", "Chief Marketing Officer"],
}
TITLE_SHORT = [
    ("Senior ", "Sr. "),
    ("Engineer", "Eng."),
    ("Manager", "Mgr."),
    ("Junior ", "Jr. "),
    ("Vice President of ", "VP of "),
    ("Vice President of ", "VP, "),
]
VERB_SWAPS = {
    "Cut": "Reduced",
    "Reduced": "Cut",
    "Built": "Developed",
    "Led": "Headed",
    "Migrated": "Moved",
    "Raised": "Increased",
    "Improved": "Boosted",
    "Designed": "Created",
    "Automated": "Scripted",
    "Owned": "Managed",
    "Own": "Manage",
    "Grew": "Increased",
    "Ran": "Conducted",
    "Launched": "Released",
    "Supervise": "Lead",
    "Trained": "Coached",
    "Prepared": "Produced",
    "Identified": "Found",
    "Mentored": "Coached",
    "Maintained": "Supported",
    "Analysed": "Studied",
    "Presented": "Reported",
}
JOB_FILLER = [
    "We are hiring a {title} to join our growing team.",
    "You will work with product, design and engineering to deliver measurable outcomes.",
    "Requirements: {years}+ years of experience, strong communication, and {skills}.",
    "Nice to have: {extra}, a {degree}, and experience at a company like {employer}.",
    "We offer {pct}% remote work, {days} days of paid leave and a {money} learning budget.",
]


@dataclass
class Seed:
    """The facts of one resume."""

    slug: str
    data: dict[str, Any]


@dataclass
class Case:
    """One labelled example: source resume text, job description, tailored resume and its labels."""

    seed: str
    layout: str
    resume_text: str
    job_text: str
    tailored: dict[str, Any]
    labels: dict[str, tuple[str, bool]] = field(default_factory=dict)  # path -> (kind, fabricated)
    fabrication: str = ""  # what was injected, for reading failures


def load_seeds(directory: Path = DATA_DIR, only: list[str] | None = None) -> list[Seed]:
    """Every seed resume (JSON) in `directory` (or those named in `only`), sorted by name."""
    paths = sorted(directory.glob("*.json"))
    return [Seed(path.stem, json.loads(path.read_text())) for path in paths if not only or path.stem in only]


# --- formats -----------------------------------------------------------------------------------------------------


def number_words(value: int) -> str | None:
    """English words for 0..99, or None."""
    if value < 20:
        return _NUMBER_WORDS[value]
    if value < 100:
        tens, units = divmod(value, 10)
        return _TENS_WORDS[tens - 2] + ("" if units == 0 else "-" + _NUMBER_WORDS[units])
    return None


def _short(value: float) -> str | None:
    for scale, letter in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale and (value / scale) * 10 == int((value / scale) * 10):
            return f"{value / scale:g}{letter}"
    return None


def _scaled_words(value: float) -> str | None:
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if value >= scale and (value / scale) * 10 == int((value / scale) * 10):
            return f"{value / scale:g} {word}"
    return None


def _plain(value: float) -> list[str]:
    if value != int(value):
        return [f"{value:g}"]
    forms = [f"{int(value):,}"]
    if value >= 1000:
        forms.append(str(int(value)))
    if (words := number_words(int(value))) is not None and value >= 2:
        forms.append(words)
    if (scaled := _scaled_words(value)) is not None:
        forms.append(scaled)
    if value >= 1e6 and (short := _short(value)) is not None:
        forms.append(short)
    return forms


@dataclass
class Figure:
    """A figure of a bullet: value(s), unit and the word after it ("15 days")."""

    values: list[float]
    unit: str  # percent, money, times, plain
    tail: str

    @classmethod
    def parse(cls, spec: str) -> Figure:
        money = spec.startswith("$")
        body = spec.lstrip("$")
        match = re.fullmatch(r"([\d.]+)(?:-([\d.]+))?(%|x)?(?:\s+(.*))?", body)
        assert match is not None, spec
        values = [float(match[1])] + ([float(match[2])] if match[2] else [])
        unit = "money" if money else {"%": "percent", "x": "times"}.get(match[3] or "", "plain")
        return cls(values, unit, match[4] or "")

    def render(self, rng: random.Random, source: bool = False) -> str:
        """One spelling of the figure; the source resume mostly writes digits."""
        forms = [self._one(value, rng, source) for value in self.values]
        text = forms[0] if len(forms) == 1 else rng.choice(["{}-{}", "{} to {}", "{}–{}"]).format(*forms)
        return f"{text} {self.tail}".strip()

    def _one(self, value: float, rng: random.Random, source: bool) -> str:
        if self.unit == "percent":
            forms = [f"{value:g}%", f"{value:g} percent"]
            if not source and value == int(value) and (words := number_words(int(value))):
                forms.append(f"{words} percent")
            return rng.choice(forms)
        if self.unit == "money":
            forms = [f"${value:,.0f}"]
            if (short := _short(value)) is not None:
                forms += [f"${short}", f"${short.lower()}"]
            if (scaled := _scaled_words(value)) is not None:
                forms += [f"${scaled}", f"{scaled} dollars"]
            return rng.choice(forms)
        if self.unit == "times":
            words = number_words(int(value)) if value == int(value) else None
            return rng.choice([f"{value:g}x"] + ([f"{words} times"] if words and not source else []))
        forms = _plain(value)
        return rng.choice(forms[:2] if source else forms)


def render_bullet(template: str, rng: random.Random, source: bool = False) -> str:
    return _SPEC.sub(lambda m: Figure.parse(m[1]).render(rng, source), template)


def bullet_figures(template: str) -> list[Figure]:
    return [Figure.parse(m) for m in _SPEC.findall(template)]


def _ym(text: str) -> tuple[int, int] | None:
    if text == "present":
        return None
    year, month = text.split("-")
    return int(year), int(month)


def format_date(ym: tuple[int, int] | None, style: str, rng: random.Random) -> str:
    if ym is None:
        return rng.choice(["Present", "Current", "Now"]) if style != "source" else "Present"
    year, month = ym
    return {
        "mon": f"{MONTH_NAMES[month - 1][:3]} {year}",
        "month": f"{MONTH_NAMES[month - 1]} {year}",
        "slash": f"{month:02d}/{year}",
        "short_slash": f"{month}/{year}",
        "iso": f"{year}-{month:02d}",
        "year": str(year),
    }[style]


DATE_STYLES = ["mon", "month", "slash", "iso", "short_slash"]


# --- the source resume text -----------------------------------------------------------------------------------------


def _employer(job: dict[str, Any], with_suffix: bool) -> str:
    suffix = job["suffix"]
    if not suffix or not with_suffix:
        return job["employer"]
    return f"{job['employer']}{',' if suffix in ('Inc.', 'N.A.', 'LLC') else ''} {suffix}"


def _cert_line(cert: dict[str, Any], date_style: str, rng: random.Random) -> str:
    name = cert["name"] + (f" ({cert['abbr']})" if cert["abbr"] else "")
    date = format_date(_ym(cert["date"]), date_style, rng)
    return rng.choice([f"{name}, {date}", f"{name} — {cert['issuer']}, {date}", f"{name} ({cert['issuer']}) {date}"])


def render_resume(seed: Seed, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    """Resume text for a seed in a random layout; returns (layout name, text, the choices made)."""
    data = seed.data
    layout = rng.choice(["classic", "title_first", "one_line", "dates_first"])
    date_style = rng.choice(DATE_STYLES)
    with_suffix = rng.random() < 0.7
    bullet = {"classic": "- ", "title_first": "• ", "one_line": "* ", "dates_first": ""}[layout]
    skill_forms = {
        skill: rng.choice(skill.split("|")) for group in data["skills"].values() for skill in group
    }  # which spelling the resume uses
    headings = {
        "summary": rng.choice(["SUMMARY", "Professional Summary", "PROFILE"]),
        "work": rng.choice(["EXPERIENCE", "Work Experience", "PROFESSIONAL EXPERIENCE", "Employment History"]),
        "education": rng.choice(["EDUCATION", "Education"]),
        "skills": rng.choice(["SKILLS", "Technical Skills", "Skills"]),
        "certifications": rng.choice(["CERTIFICATIONS", "Certifications", "Licenses and Certifications"]),
    }
    out = [data["name"], data["headline"], f"{data['location']} · {data['email']} · {data['phone']}", ""]
    out += [headings["summary"], render_bullet(data["summary"], rng, source=True), "", headings["work"]]
    for job in data["work"]:
        employer = _employer(job, with_suffix)
        start = format_date(_ym(job["start"]), date_style, rng)
        end = format_date(_ym(job["end"]), "source", rng) if job["end"] == "present" else None
        end = end or format_date(_ym(job["end"]), date_style, rng)
        dash = rng.choice([" – ", " - ", " to "])
        if layout == "classic":
            out += [f"{employer} — {job['title']}", f"{start}{dash}{end}, {job['location']}"]
        elif layout == "title_first":
            out += [job["title"], f"{employer}, {job['location']} | {start}{dash}{end}"]
        elif layout == "one_line":
            out += [f"{job['title']}, {employer}    {start}{dash}{end}"]
        else:
            out += [f"{start}{dash}{end}", employer, f"{job['title']}, {job['location']}"]
        out += [bullet + render_bullet(b, rng, source=True) for b in job["bullets"]]
        out.append("")
    out.append(headings["education"])
    edu_styles = []
    for edu in data["education"]:
        style = rng.choice(["full", "full", "end_only"])
        edu_styles.append(style)
        if style == "full":
            out.append(f"{edu['institution']} — {edu['degree']} {edu['area']}, {edu['start']} – {edu['end']}")
        else:
            out += [f"{edu['degree']} in {edu['area']}", f"{edu['institution']}, {edu['end']}"]
    out += ["", headings["skills"]]
    for group, skills in data["skills"].items():
        out.append(f"{group}: " + ", ".join(skill_forms[s] for s in skills))
    out += ["", headings["certifications"]]
    cert_style = rng.choice(["mon", "month", "year", "iso"])
    out += [_cert_line(cert, cert_style, rng) for cert in data["certifications"]]
    choices = {
        "skill_forms": skill_forms,
        "with_suffix": with_suffix,
        "edu_styles": edu_styles,
        "date_style": date_style,
    }
    return layout, "\n".join(out) + "\n", choices


# --- the faithful tailored resume ----------------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def rephrase(template: str, rng: random.Random) -> str:
    """A faithful rewrite of a bullet: synonyms, a trimmed or moved clause, other number formats."""
    text = template
    first, _, rest = text.partition(" ")
    if first in VERB_SWAPS and rng.random() < 0.6:
        text = f"{VERB_SWAPS[first]} {rest}"
    if ", " in text and rng.random() < 0.4:
        head, _, tail = text.rpartition(", ")
        if "{" not in tail:  # trim a clause without figures
            text = head + "."
        elif rng.random() < 0.5:  # or move it to the front
            text = tail.rstrip(".").capitalize() + "; " + head[0].lower() + head[1:] + "."
    if rng.random() < 0.3:
        text = text.rstrip(".") + rng.choice([", improving reliability.", " for the business.", "."])
    return render_bullet(text, rng)


def title_variant(title: str, rng: random.Random) -> str:
    options = [title]
    for long, short in TITLE_SHORT:
        if long in title:
            options.append(title.replace(long, short))
    return rng.choice(options)


def degree_variant(degree: str, rng: random.Random) -> str:
    return rng.choice(DEGREE_FORMS.get(degree, [degree]))


def _skill_claim(skill: str, forms: dict[str, str], rng: random.Random) -> str:
    spellings = skill.split("|")
    others = [s for s in spellings if s != forms[skill]]
    return rng.choice(others) if others and rng.random() < 0.7 else forms[skill]


def faithful_resume(
    seed: Seed, choices: dict[str, Any], rng: random.Random
) -> tuple[dict[str, Any], dict[str, tuple[str, bool]], list[dict[str, Any]], dict[tuple[int, int], str]]:
    """A tailored resume saying only what the seed says; its labels; the jobs kept; each highlight's bullet."""
    data = seed.data
    labels: dict[str, tuple[str, bool]] = {}
    sources: dict[tuple[int, int], str] = {}  # (job, highlight) -> the bullet it was written from
    jobs = list(data["work"])
    if len(jobs) > 2 and rng.random() < 0.3:
        jobs = jobs[:-1]  # an old job left out
    tailored: dict[str, Any] = {
        "basics": {"name": data["name"], "label": title_variant(data["headline"], rng)},
        "summary": rephrase(data["summary"], rng),
        "work": [],
        "education": [],
        "skills": [],
        "projects": [],
        "certifications": [],
        "tailoring": {"targetRole": "", "matchedJobKeywords": []},
    }
    labels["basics.label"] = ("title", False)
    if _SPEC.search(data["summary"]) or re.search(r"\d", data["summary"]):
        labels["summary"] = ("number", False)
    for i, job in enumerate(jobs):
        style = rng.choice([s for s in DATE_STYLES if s != choices["date_style"]] + ["year"])
        employer = job["employer"] if rng.random() < 0.5 else _employer(job, True)
        if job["suffix"] == "Corporation" and rng.random() < 0.5:
            employer = f"{job['employer']} Corp."
        bullets = rng.sample(job["bullets"], k=rng.randint(2, len(job["bullets"])))
        entry = {
            "name": employer,
            "position": title_variant(job["title"], rng),
            "location": job["location"],
            "startDate": format_date(_ym(job["start"]), style, rng),
            "endDate": format_date(_ym(job["end"]), style, rng),
            "highlights": [rephrase(b, rng) for b in bullets],
        }
        tailored["work"].append(entry)
        for key, kind in (("name", "employer"), ("position", "title"), ("startDate", "date"), ("endDate", "date")):
            labels[f"work[{i}].{key}"] = (kind, False)
        for j, bullet in enumerate(bullets):
            sources[(i, j)] = bullet
            if bullet_figures(bullet):
                labels[f"work[{i}].highlights[{j}]"] = ("number", False)
    for i, (edu, style) in enumerate(zip(data["education"], choices["edu_styles"], strict=True)):
        institution = edu["institution"]
        if rng.random() < 0.3:
            institution = _strip_accents(institution)
        entry = {
            "institution": institution,
            "area": edu["area"],
            "studyType": degree_variant(edu["degree"], rng),
            "startDate": str(edu["start"]) if style == "full" else "",
            "endDate": str(edu["end"]),
        }
        tailored["education"].append(entry)
        labels[f"education[{i}].institution"] = ("institution", False)
        labels[f"education[{i}].studyType"] = ("degree", False)
        labels[f"education[{i}].endDate"] = ("date", False)
        if entry["startDate"]:
            labels[f"education[{i}].startDate"] = ("date", False)
    groups = list(data["skills"].items())
    rng.shuffle(groups)
    for i, (group, skills) in enumerate(groups):
        chosen = rng.sample(skills, k=rng.randint(max(2, len(skills) - 2), len(skills)))
        tailored["skills"].append(
            {"name": group, "keywords": [_skill_claim(s, choices["skill_forms"], rng) for s in chosen]}
        )
        for j in range(len(chosen)):
            labels[f"skills[{i}].keywords[{j}]"] = ("skill", False)
    for i, cert in enumerate(data["certifications"]):
        name = cert["name"]
        if cert["abbr"]:
            name = rng.choice([name, f"{name} ({cert['abbr']})", cert["abbr"]])
        tailored["certifications"].append(
            {"name": name, "issuer": cert["issuer"], "date": format_date(_ym(cert["date"]), "year", rng)}
        )
        labels[f"certifications[{i}].name"] = ("certification", False)
        labels[f"certifications[{i}].date"] = ("date", False)
    return tailored, labels, jobs, sources


# --- fabrications --------------------------------------------------------------------------------------------------


def _mentioned(text: str, phrase: str) -> bool:
    pattern = r"(?<![\w])" + re.escape(phrase.casefold()) + r"(?![\w])"
    return re.search(pattern, _strip_accents(text).casefold()) is not None


def _all_values(text: str) -> set[float]:
    return {float(m.replace(",", "")) for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _seed_values(seed: Seed) -> set[float]:
    data = seed.data
    templates = [data["summary"]] + [b for job in data["work"] for b in job["bullets"]]
    return {v for t in templates for f in bullet_figures(t) for v in f.values} | _all_values(data["summary"])


class _Fabricator:
    def __init__(
        self,
        seed: Seed,
        case: Case,
        jobs: list[dict[str, Any]],
        sources: dict[tuple[int, int], str],
        rng: random.Random,
    ) -> None:
        self.seed, self.case, self.jobs, self.sources, self.rng = seed, case, jobs, sources, rng
        self.t = case.tailored
        self.job_extra: list[str] = []  # what the job description should mention

    def mark(self, path: str, kind: str, note: str) -> None:
        self.case.labels[path] = (kind, True)
        self.case.fabrication = f"{kind}: {note}"

    def skill(self) -> None:
        text = self.case.resume_text
        pool = [s for s in SKILL_POOL if not _mentioned(text, s)]
        skill = self.rng.choice(pool)
        group = self.rng.randrange(len(self.t["skills"]))
        keywords = self.t["skills"][group]["keywords"]
        at = self.rng.randint(0, len(keywords))
        # labels of the keywords after the insertion point move by one
        for j in range(len(keywords) - 1, at - 1, -1):
            self.case.labels[f"skills[{group}].keywords[{j + 1}]"] = self.case.labels.pop(
                f"skills[{group}].keywords[{j}]"
            )
        keywords.insert(at, skill)
        if self.rng.random() < 0.5:
            self.job_extra.append(skill)
        self.mark(f"skills[{group}].keywords[{at}]", "skill", skill)

    def employer(self) -> None:
        i = self.rng.randrange(len(self.t["work"]))
        text = self.case.resume_text
        if self.rng.random() < 0.5:
            name = self.rng.choice([e for e in EMPLOYER_POOL if not _mentioned(text, e.split()[0])])
        else:
            first = max(self.jobs[i]["employer"].split(), key=len)
            words = [w for w in EMPLOYER_WORDS if not _mentioned(text, f"{first} {w}")]
            name = f"{first} {self.rng.choice(words)}"
        self.t["work"][i]["name"] = name
        self.mark(f"work[{i}].name", "employer", name)

    def title(self) -> None:
        rng = self.rng
        if rng.random() < 0.2:
            path, current = "basics.label", self.seed.data["headline"]
        else:
            i = rng.randrange(len(self.t["work"]))
            path, current = f"work[{i}].position", self.jobs[i]["title"]
        text = self.case.resume_text
        mode = rng.random()
        new = None
        if mode < 0.6:  # inflated seniority
            for word, ups in SENIORITY_UP.items():
                if current.startswith(word + " "):
                    new = current.replace(word, rng.choice(ups), 1)
                    break
            else:
                new = rng.choice(["Senior", "Lead", "Principal", "Sr."]) + " " + current
        elif mode < 0.8 and path != "basics.label":  # another entry's title
            i = int(path[5 : path.index("]")])
            others = [j["title"] for k, j in enumerate(self.jobs) if k != i and j["title"] not in current]
            others = [o for o in others if current not in o or o.split()[0] in SENIORITY_UP]
            new = rng.choice(others) if others else None
        if new is None or _mentioned(text, new) and path == "basics.label":
            new = rng.choice([t for t in TITLE_POOL if not _mentioned(text, t)])
        if path == "basics.label":
            self.t["basics"]["label"] = new
        else:
            self.t["work"][int(path[5 : path.index("]")])]["position"] = new
        self.mark(path, "title", f"{current} -> {new}")

    def date(self) -> None:
        rng = self.rng
        i = rng.randrange(len(self.t["work"]))
        job = self.jobs[i]
        own = [d for d in (_ym(job["start"]), _ym(job["end"])) if d is not None]
        key = rng.choice(["startDate", "endDate"])
        mode = rng.random()
        if mode < 0.15 and job["end"] != "present" and key == "endDate":
            self.t["work"][i][key] = rng.choice(["Present", "Current"])
            self.mark(f"work[{i}].{key}", "date", "Present for a closed job")
            return
        if mode < 0.45 and len(self.jobs) > 1:  # a date from another job
            pool = [
                d
                for k, other in enumerate(self.jobs)
                if k != i
                for d in (_ym(other["start"]), _ym(other["end"]))
                if d is not None and d not in own
            ]
            if pool:
                new = rng.choice(pool)
                style = rng.choice(DATE_STYLES) if any(y == new[0] for y, _ in own) else rng.choice(["year", "mon"])
                self.t["work"][i][key] = format_date(new, style, rng)
                self.mark(f"work[{i}].{key}", "date", f"from another job: {self.t['work'][i][key]}")
                return
        base = _ym(job["start"] if key == "startDate" else job["end"]) or _ym(job["start"])
        assert base is not None
        years = {y for y, _ in own}
        while True:
            if rng.random() < 0.5:
                new = (base[0] + rng.choice([-3, -2, -1, 1, 2, 3]), base[1])
                style = rng.choice(DATE_STYLES + ["year"]) if new[0] not in years else rng.choice(DATE_STYLES)
            else:
                new = (base[0], (base[1] - 1 + rng.choice([-4, -3, -2, -1, 1, 2, 3, 4])) % 12 + 1)
                style = rng.choice(DATE_STYLES)
            if new not in own and new[0] <= 2026:
                break
        self.t["work"][i][key] = format_date(new, style, rng)
        self.mark(f"work[{i}].{key}", "date", f"shifted: {self.t['work'][i][key]}")

    def degree(self) -> None:
        i = self.rng.randrange(len(self.t["education"]))
        current = self.seed.data["education"][i]["degree"]
        held = {e["degree"] for e in self.seed.data["education"]}
        # a degree held at another school is a fabrication here, but only one of a different level counts
        options = [d for d in DEGREE_UPGRADES[current] if d not in held]
        new = self.rng.choice(options)
        self.t["education"][i]["studyType"] = new
        self.mark(f"education[{i}].studyType", "degree", f"{current} -> {new}")

    def institution(self) -> None:
        i = self.rng.randrange(len(self.t["education"]))
        current = self.seed.data["education"][i]["institution"]
        text = self.case.resume_text
        if self.rng.random() < 0.4 and " " in current:
            # same kind of school, another city: "University of Leeds" -> "University of Glasgow"
            head, _, last = current.rpartition(" ")
            new = f"{head} {self.rng.choice([c for c in CITY_POOL if c != last])}"
            if current.split()[0] not in ("University", "Technische") and " of " not in current:
                new = f"{self.rng.choice(CITY_POOL)} {current.split(' ', 1)[1]}"
        else:
            new = self.rng.choice([s for s in INSTITUTION_POOL if not _mentioned(text, s)])
        self.t["education"][i]["institution"] = new
        self.mark(f"education[{i}].institution", "institution", f"{current} -> {new}")

    def certification(self) -> None:
        rng = self.rng
        text = self.case.resume_text
        certs = self.seed.data["certifications"]
        leveled = [(k, c) for k, c in enumerate(certs) if any(level in c["name"] for level in CERTIFICATION_LEVELS)]
        if leveled and rng.random() < 0.4:
            k, cert = rng.choice(leveled)
            level = next(level for level in CERTIFICATION_LEVELS if level in cert["name"])
            new = cert["name"].replace(level, CERTIFICATION_LEVELS[level])
            self.t["certifications"][k]["name"] = new
            self.mark(f"certifications[{k}].name", "certification", f"level: {new}")
            return
        new = rng.choice([c for c in CERTIFICATION_POOL if not _mentioned(text, c.split(" (")[0])])
        k = len(self.t["certifications"])
        self.t["certifications"].append({"name": new, "issuer": "", "date": ""})
        self.mark(f"certifications[{k}].name", "certification", new)

    def number(self) -> None:
        rng = self.rng
        candidates = [
            (i, j)
            for i, entry in enumerate(self.t["work"])
            for j in range(len(entry["highlights"]))
            if f"work[{i}].highlights[{j}]" in self.case.labels
        ]
        i, j = rng.choice(candidates)
        job = self.jobs[i]
        template = self.sources[(i, j)]
        figures = bullet_figures(template)
        # values the resume states anywhere, in any spelling: a "fabricated" figure must not be one of them
        taken = _all_values(self.case.resume_text) | _seed_values(self.seed)
        own = {v for b in job["bullets"] for f in bullet_figures(b) for v in f.values}
        own |= {float(y) for y, _ in (d for d in (_ym(job["start"]), _ym(job["end"])) if d is not None)}
        target = rng.randrange(len(figures))
        figure = figures[target]
        mode = rng.random()
        new_value = None
        if mode < 0.35:  # a figure of the same unit from another job
            pool = [
                v
                for k, other in enumerate(self.jobs)
                if k != i
                for b in other["bullets"]
                for f in bullet_figures(b)
                if f.unit == figure.unit
                for v in f.values
                if v not in own and v not in _all_values(self.seed.data["summary"] + self.seed.data["phone"])
            ]
            new_value = rng.choice(pool) if pool else None
        if new_value is None:
            base = figure.values[0]
            for _ in range(100):
                factor = rng.choice([0.5, 1.5, 2, 3, 1.25, 0.75, 10])
                value = round(base * factor) if base >= 10 else base + rng.choice([1, 2, 3, 4, 6, 7, 9, 11, 13])
                if figure.unit == "percent":
                    value = min(value, 99)
                if value not in taken and value not in own and value != base:
                    new_value = float(value)
                    break
        assert new_value is not None
        new_figure = Figure([new_value], figure.unit, figure.tail)
        counter = iter(range(len(figures)))

        def render(m: re.Match[str]) -> str:
            return new_figure.render(rng) if next(counter) == target else Figure.parse(m[1]).render(rng)

        self.t["work"][i]["highlights"][j] = _SPEC.sub(render, template)
        self.mark(f"work[{i}].highlights[{j}]", "number", f"{figure.values} -> {new_value}")


def job_description(rng: random.Random, extra: list[str]) -> str:
    skills = rng.sample([s for s in SKILL_POOL if s not in extra], 3) + extra
    values = {
        "title": rng.choice(TITLE_POOL),
        "years": rng.randint(3, 9),
        "skills": ", ".join(skills),
        "extra": rng.choice(SKILL_POOL),
        "degree": rng.choice(["Master of Science", "PhD", "MBA"]),
        "employer": rng.choice(EMPLOYER_POOL),
        "pct": rng.choice([60, 80, 100]),
        "days": rng.choice([25, 28, 30]),
        "money": rng.choice(["$1,500", "$2,000", "$3K"]),
    }
    return "\n".join(line.format(**values) for line in JOB_FILLER) + "\n"


def make_case(seed: Seed, kind: str, rng: random.Random) -> Case:
    """One labelled case for `seed` with one fabrication of `kind`."""
    layout, text, choices = render_resume(seed, rng)
    tailored, labels, jobs, sources = faithful_resume(seed, choices, rng)
    case = Case(seed.slug, layout, text, "", tailored, labels)
    fabricator = _Fabricator(seed, case, jobs, sources, rng)
    getattr(fabricator, kind)()
    case.job_text = job_description(rng, fabricator.job_extra)
    return case


def generate(seed: int, size: int, directory: Path = DATA_DIR, only: list[str] | None = None) -> list[Case]:
    """`size` cases, kinds of fabrication in turn, seed resumes and layouts drawn with `random.Random(seed)`."""
    rng = random.Random(seed)
    seeds = load_seeds(directory, only)
    return [make_case(rng.choice(seeds), KINDS[n % len(KINDS)], rng) for n in range(size)]
