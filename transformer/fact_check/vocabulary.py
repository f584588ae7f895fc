"""The curated vocabulary of the fact check: aliases, legal suffixes, seniority and level words.

Everything here is a plain table in code (no model, no download). Aliases are applied to both sides of a
comparison by `canonical_tokens`, so "k8s" in a claim meets "Kubernetes" in the resume as the same token, and
"Sr. Software Eng." meets "Senior Software Engineer". Every entry is written in natural spelling and turned
into matching form at import time with the same functions that read the resume.
"""

from __future__ import annotations

from transformer.fact_check.text import raw_tokens
from transformer.text_fold import fold

# Each group: the canonical spelling first, then spellings that mean the same thing in a resume.
ALIAS_GROUPS: tuple[tuple[str, ...], ...] = (
    # skills: languages and runtimes
    ("JavaScript", "JS", "ECMAScript"),
    ("TypeScript", "TS"),
    ("Go", "Golang"),
    ("Python", "Python3", "Python 3"),
    ("C++", "CPP"),
    ("C#", "CSharp", "C Sharp"),
    ("Node.js", "Node", "NodeJS", "Node JS"),
    ("React", "React.js", "ReactJS", "React JS"),
    ("Vue", "Vue.js", "VueJS"),
    ("Objective-C", "ObjC", "Objective C"),
    # skills: infrastructure and data
    ("Kubernetes", "k8s", "k8", "kube"),
    ("PostgreSQL", "Postgres", "psql"),
    ("MongoDB", "Mongo"),
    ("Microsoft SQL Server", "MSSQL", "MS SQL Server", "SQL Server"),
    ("Elasticsearch", "Elastic Search", "ES"),
    ("AWS", "Amazon Web Services", "Amazon AWS"),
    ("GCP", "Google Cloud Platform", "Google Cloud"),
    ("Azure", "Microsoft Azure", "MS Azure"),
    (
        "CI/CD",
        "CI CD",
        "continuous integration and continuous delivery",
        "continuous integration and delivery",
        "continuous integration and continuous deployment",
        "continuous integration and deployment",
        "continuous integration/continuous delivery",
        "continuous integration/continuous deployment",
    ),
    ("REST", "RESTful"),
    ("GraphQL", "GQL"),
    ("scikit-learn", "sklearn", "scikit learn"),
    ("Excel", "Microsoft Excel", "MS Excel"),
    ("PowerPoint", "Microsoft PowerPoint", "MS PowerPoint"),
    ("Power BI", "PowerBI", "Microsoft Power BI"),
    ("Google Analytics", "GA4"),
    # skills: fields and practices
    ("ML", "machine learning"),
    ("AI", "artificial intelligence"),
    ("NLP", "natural language processing"),
    ("LLM", "large language model"),
    ("DL", "deep learning"),
    ("ETL", "extract transform load", "extract, transform, load"),
    ("TDD", "test-driven development", "test driven development"),
    ("OOP", "object-oriented programming", "object oriented programming"),
    ("SRE", "site reliability engineering"),
    ("QA", "quality assurance"),
    ("UX", "user experience"),
    ("UI", "user interface"),
    ("SEO", "search engine optimization", "search engine optimisation"),
    ("CRM", "customer relationship management"),
    ("ERP", "enterprise resource planning"),
    ("KPI", "key performance indicator"),
    ("A/B testing", "AB testing", "split testing"),
    ("API", "application programming interface"),
    ("database", "DB"),
    ("EHR", "electronic health record", "electronic health records", "electronic medical record", "EMR"),
    ("GAAP", "generally accepted accounting principles"),
    # titles
    ("senior", "Sr"),
    ("junior", "Jr"),
    ("engineer", "Eng", "Engr"),
    ("developer", "Dev"),
    ("manager", "Mgr"),
    ("director", "Dir"),
    ("associate", "Assoc"),
    ("assistant", "Asst"),
    ("administrator", "Admin"),
    ("technical lead", "tech lead"),
    ("software engineer", "SWE"),
    ("software development engineer", "SDE"),
    ("vice president", "VP"),
    ("senior vice president", "SVP"),
    ("executive vice president", "EVP"),
    ("chief executive officer", "CEO"),
    ("chief technology officer", "CTO"),
    ("chief financial officer", "CFO"),
    ("chief operating officer", "COO"),
    ("chief information officer", "CIO"),
    ("registered nurse", "RN"),
    ("certified public accountant", "CPA"),
    # institutions and employers
    ("university", "Univ"),
    ("institute", "Inst"),
    ("department", "Dept"),
    ("international", "Intl"),
)

# Words that carry no claim of their own: dropped on both sides ("Research & Development" == "Research and
# Development", "The Ohio State University" == "Ohio State University").
DROPPED = frozenset({"and", "the"})


def _forms(text: str) -> tuple[str, ...]:
    return tuple(token for token in raw_tokens(fold(text)) if token not in DROPPED)


def _alias_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for group in ALIAS_GROUPS:
        canonical = _forms(group[0])
        for spelling in group[1:]:
            table[_forms(spelling)] = canonical
    return table


def _by_first_token() -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """Aliases grouped by their first token, longest first: most tokens start no alias and cost one lookup."""
    grouped: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for key, canonical in _alias_table().items():
        grouped.setdefault(key[0], []).append((key, canonical))
    for aliases in grouped.values():
        aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    return grouped


_ALIASES = _by_first_token()


def canonical_tokens(tokens: list[str]) -> list[str]:
    """Tokens (matching form) with every alias replaced by its canonical spelling, longest alias first."""
    tokens = [token for token in tokens if token not in DROPPED]
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for key, canonical in _ALIASES.get(tokens[i], ()):
            width = len(key)
            if width == 1 or tuple(tokens[i : i + width]) == key:
                out.extend(canonical)
                i += width
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def tokens(folded: str) -> list[str]:
    """The canonical matching tokens of folded text."""
    return canonical_tokens(raw_tokens(folded))


def normalise(text: str) -> str:
    """The matching form of a value: canonical tokens joined by single spaces."""
    return " ".join(tokens(fold(text)))


def _words(text: str) -> frozenset[str]:
    return frozenset(normalise(text).split())


LEGAL_SUFFIXES = _words(
    "inc incorporated ltd limited llc llp lp gmbh corp corporation co company plc ag sa sas sarl bv nv pty pte "
    "srl spa oy ab kg kk se na"
)

# Degree spellings that name the same degree, compared in matching form ("B.Sc." is "bsc").
DEGREE_ALIASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(dict.fromkeys(normalise(alias) for alias in group.split(",")))
    for group in (
        "bsc,bs,bachelor of science,bachelor science",
        "ba,bachelor of arts,bachelor arts",
        "beng,bachelor of engineering",
        "bba,bachelor of business administration",
        "msc,ms,master of science,master science",
        "ma,master of arts",
        "meng,master of engineering",
        "mba,master of business administration",
        "mphil,master of philosophy",
        "phd,doctor of philosophy,doctorate",
        "bsn,bachelor of science in nursing,bachelor of science nursing",
        "msn,master of science in nursing,master of science nursing",
        "jd,juris doctor",
        "md,doctor of medicine",
    )
)
# "Bachelor's degree" claims less than "B.Sc." says: any degree of that level supports it.
DEGREE_LEVELS: dict[str, tuple[str, ...]] = {
    normalise("bachelor"): tuple(normalise(d) for d in "bsc ba beng bba bsn".split()),
    normalise("master"): tuple(normalise(d) for d in "msc ma meng mba mphil msn".split()),
    normalise("doctorate"): (normalise("phd"),),
    normalise("doctoral"): (normalise("phd"),),
}

# Skill-group headings ("Languages", "Cloud & DevOps") are labels, not claims: skipped when they hold keywords.
GENERIC_HEADING_WORDS = _words(
    "and other misc miscellaneous core key technical professional soft interpersonal skills "
    "languages programming scripting frameworks libraries tools tooling technologies platforms cloud "
    "databases data storage devops infrastructure ci cd backend frontend back front end web mobile testing "
    "quality observability monitoring security networking methodologies practices operating systems "
    "software development engineering analytics business design marketing finance clinical management"
)

# Words that add nothing to a skill when they end it: "Docker containers", "Python programming", "Postgres DB".
SKILL_FILLER_WORDS = _words(
    "container containers database db framework frameworks language languages library libraries platform "
    "programming scripting tool tools tooling development"
)

# Words that change what a claim says when swapped for a near spelling: a fuzzy match must contain them as they
# are ("Senior" is not supported by "Engineer", "Professional" not by "Associate", "M.Sc." not by "B.Sc.").
SENIORITY_WORDS = _words(
    "senior junior lead principal staff chief head director vice president manager associate assistant intern "
    "trainee executive distinguished fellow partner founder cofounder officer ii iii iv"
)
DEGREE_LEVEL_WORDS = _words(
    "bsc ba beng bba msc ma meng mba mphil phd doctorate doctor bachelor master associate diploma certificate "
    "bsn msn jd md llb llm"
) | {group[0] for group in DEGREE_ALIASES}
CERTIFICATION_LEVEL_WORDS = _words(
    "associate professional expert specialty specialist practitioner advanced foundation fundamentals senior "
    "master developer administrator architect engineer security"
)
CRITICAL_WORDS: dict[str, frozenset[str]] = {
    "title": SENIORITY_WORDS,
    "degree": DEGREE_LEVEL_WORDS,
    "certification": CERTIFICATION_LEVEL_WORDS,
}

# Words too common in names to tell two names apart ("University", "of"): a fuzzy match may differ in them, but
# every other word of the claim must be found in the matched window.
NAME_FILLER_WORDS = (
    _words(
        "of at in for on a an to de la le der die und university college school institute academy technical "
        "technology state national polytechnic"
    )
    | LEGAL_SUFFIXES
)

# Small words skipped when reading the initials of a name ("Massachusetts Institute of Technology" is "MIT").
ACRONYM_FILLERS = frozenset({"of", "and", "the", "for", "in", "at", "&", "de", "du", "la"})
