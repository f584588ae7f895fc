"""Which resume goes with which job description: many x one, one x many, or an explicit list (JSONL / CSV).

Each pair gets a stable id from the two names and the two contents' hashes, so re-running the same command
finds the results it already has, and a file whose content changed is tailored again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path


class PairsError(ValueError):
    """The pair specification itself is wrong (a usage error: exit code 2)."""


@dataclass(frozen=True)
class Source:
    """One input: a file (read lazily; a read error is recorded, not raised) or a job URL."""

    name: str
    path: Path | None = None
    url: str | None = None

    def digest(self) -> str:
        if self.url is not None:
            return hashlib.sha256(self.url.encode()).hexdigest()
        assert self.path is not None
        try:
            return _file_sha256(self.path)
        except OSError as exc:  # unreadable: the pair still gets a stable id, and fails when it runs
            return hashlib.sha256(f"unreadable:{self.path}:{type(exc).__name__}".encode()).hexdigest()


@dataclass(frozen=True)
class Pair:
    """`pair_id` names the output files (it holds slugs of the file names: it stays in the output folder);
    `key` (a hash of names and contents) is what leaves it: the service's request id and the log lines,
    since resume file names often hold the person's name."""

    pair_id: str
    resume: Source
    job: Source
    key: str = ""

    @property
    def request_id(self) -> str:
        return f"pair-{self.key}"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slug(name: str, limit: int = 20) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:limit].strip("-")
    return slug or "x"


def make_pair(resume: Source, job: Source) -> Pair:
    """A pair with an id that is safe as a file name and as the service's request id (<= 64 characters)."""
    digest = hashlib.sha256(f"{resume.name}\0{resume.digest()}\0{job.name}\0{job.digest()}".encode()).hexdigest()[:12]
    return Pair(f"{_slug(resume.name)}--{_slug(job.name)}--{digest}", resume, job, key=digest)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise PairsError(f"{folder} is not a folder")
    folder = folder.absolute()
    # Dangling links stay in the list: they fail when read, and the failure is reported like any other.
    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".") and (p.is_file() or not p.is_dir()))
    if not files:
        raise PairsError(f"{folder} holds no files")
    return files


def _file_source(path: Path) -> Source:
    if not path.exists():
        raise PairsError(f"{path} does not exist")
    return Source(name=path.name, path=path.absolute())


def many_resumes_one_job(resumes_dir: Path, job: Source) -> list[Pair]:
    return [make_pair(Source(p.name, p), job) for p in _files(resumes_dir)]


def one_resume_many_jobs(resume: Path, jobs_dir: Path) -> list[Pair]:
    source = _file_source(resume)
    return [make_pair(source, Source(p.name, p)) for p in _files(jobs_dir)]


def job_source(path: Path | None, url: str | None) -> Source:
    if url:
        if not re.match(r"^https?://", url):
            raise PairsError(f"--jd-url must be an http(s) URL, got {url!r}")
        return Source(name=url.rstrip("/").rsplit("/", 1)[-1] or "job", url=url)
    assert path is not None
    return _file_source(path)


def from_list(path: Path) -> list[Pair]:
    """Pairs from a .jsonl (objects) or .csv (header) file with fields resume and jd (or jd_url).

    Relative paths are read from the list file's folder.
    """
    if not path.is_file():
        raise PairsError(f"{path} is not a file")
    base = path.parent
    try:
        rows = _rows(path)
    except UnicodeDecodeError as exc:
        raise PairsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    pairs = []
    for number, row in enumerate(rows, 1):
        if "resume" not in row or ("jd" not in row) == ("jd_url" not in row):
            raise PairsError(f"{path} row {number}: needs 'resume' and one of 'jd' or 'jd_url'")
        resume = _file_source(base / row["resume"])
        job = job_source(base / row["jd"] if "jd" in row else None, row.get("jd_url"))
        pairs.append(make_pair(resume, job))
    if not pairs:
        raise PairsError(f"{path} lists no pairs")
    return pairs


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a .jsonl or .csv pairs file (UnicodeDecodeError when it is not UTF-8)."""
    rows: list[dict[str, str]] = []
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise PairsError(f"{path}:{number}: not JSON ({exc})") from None
            if not isinstance(row, dict):
                raise PairsError(f"{path}:{number}: expected an object with resume and jd (or jd_url)")
            rows.append({k: str(v) for k, v in row.items() if v is not None})
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            rows = [{k: v for k, v in row.items() if k and v} for row in csv.DictReader(f)]
    else:
        raise PairsError(f"{path}: --pairs takes a .jsonl or .csv file")
    return rows


def unique(pairs: list[Pair]) -> list[Pair]:
    """The same pair listed twice runs once."""
    seen: dict[str, Pair] = {}
    for pair in pairs:
        seen.setdefault(pair.pair_id, pair)
    return list(seen.values())
