"""The documentation: the generated references (docs/configuration.md, the chart's README) are up to date with the
settings classes and values.yaml, every setting and every chart value is documented, every relative link in the
Markdown pages resolves, and the README stays a short guide that points at docs/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from predictor.settings import PredictorSettings
from resume_optimizer.settings import ClientSettings
from transformer.settings import TransformerSettings

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = REPO / "README.md"
CONFIGURATION = DOCS / "configuration.md"
CHART = REPO / "charts" / "resume-optimizer"
CHART_README = CHART / "README.md"
GENERATOR = REPO / "scripts" / "sync_chart_settings.py"
# every file the generator reads or writes, relative to the repository root
GENERATED = [
    Path(p)
    for p in (
        "charts/resume-optimizer/values.yaml",
        "charts/resume-optimizer/values.schema.json",
        "charts/resume-optimizer/README.md",
        "docs/configuration.md",
    )
]
BEGIN, END = "<!-- >>> generated", "<!-- <<< generated -->"
SETTINGS_CLASSES = [TransformerSettings, PredictorSettings, ClientSettings]
PAGES = sorted(
    [README, *DOCS.glob("*.md"), CHART_README, REPO / "charts" / "README.md", REPO / "manifests" / "README.md"]
)
README_MAX_LINES = 220


def run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )


# --- generated references -------------------------------------------------------------------------------------


def test_generated_references_are_up_to_date() -> None:
    result = run_generator("--check")
    assert result.returncode == 0, f"{result.stderr}(run `make chart-settings`)"


def test_check_fails_and_names_each_stale_file(tmp_path: Path) -> None:
    """The check can fail: in a copy of the files, a dropped settings row and an edited chart default are found,
    each stale file is named, and a regeneration writes back exactly the committed files."""
    for rel in GENERATED:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / rel, tmp_path / rel)
    configuration = tmp_path / "docs" / "configuration.md"
    text = configuration.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `TRANSFORMER_MAX_PAGES` |"))
    configuration.write_text(text.replace(row + "\n", ""))
    chart_readme = tmp_path / "charts" / "resume-optimizer" / "README.md"
    text = chart_readme.read_text()
    assert '| `"RawDeployment"` |' in text
    chart_readme.write_text(text.replace('| `"RawDeployment"` |', '| `"Serverless"` |'))

    result = run_generator("--check", "--root", str(tmp_path))
    assert result.returncode == 1
    named = result.stderr.partition(": ")[2].partition(";")[0].split(", ")
    assert named == ["charts/resume-optimizer/README.md", "docs/configuration.md"], result.stderr

    result = run_generator("--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for rel in GENERATED:
        assert (tmp_path / rel).read_text() == (REPO / rel).read_text(), rel


def test_generated_sections_sit_below_hand_written_text() -> None:
    for page in (CONFIGURATION, CHART_README):
        text = page.read_text()
        assert text.count(BEGIN) == 1 and text.count(END) == 1, page
        head, _, rest = text.partition(BEGIN)
        assert head.startswith("# ") and len(head.splitlines()) > 5, f"{page}: no hand-written introduction"
        assert "|---|" in rest.partition(END)[0], f"{page}: the generated section holds no table"


def _rows(text: str) -> list[str]:
    """First cells (a code span) of the Markdown table rows of a text."""
    return re.findall(r"^\| `([^`]+)` \|", text, re.MULTILINE)


def _fields(settings: type[BaseSettings]) -> list[str]:
    prefix = settings.model_config["env_prefix"]
    return [f"{prefix}{name}".upper() for name in settings.model_fields]


@pytest.mark.parametrize("settings", SETTINGS_CLASSES, ids=lambda s: s.__name__)
def test_every_setting_is_in_the_configuration_reference(settings: type[BaseSettings]) -> None:
    rows = _rows(CONFIGURATION.read_text())
    missing = [name for name in _fields(settings) if name not in rows]
    assert not missing, f"docs/configuration.md lacks {missing}; run `make chart-settings`"


def test_the_configuration_reference_has_no_unknown_setting() -> None:
    known = {name for settings in SETTINGS_CLASSES for name in _fields(settings)}
    unknown = sorted(set(_rows(CONFIGURATION.read_text())) - known)
    assert not unknown, f"docs/configuration.md documents settings no class has: {unknown}"


def _value_paths(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every value of values.yaml as a key path: the leaves, and the maps that are empty."""
    out = []
    for key, value in tree.items():
        path = (*prefix, str(key))
        out += _value_paths(value, path) if isinstance(value, dict) and value else [path]
    return out


def test_every_chart_value_is_in_the_chart_readme() -> None:
    """Each value has a row of its own or lies inside a map that has one (probes, resources, security contexts)."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    rows = set(_rows(CHART_README.read_text()))
    missing = [
        ".".join(path)
        for path in _value_paths(values)
        if not any(".".join(path[:i]) in rows for i in range(1, len(path) + 1))
    ]
    assert not missing, f"values without a row in charts/resume-optimizer/README.md: {missing}"


def test_every_commented_value_has_its_own_row_and_every_row_is_a_value() -> None:
    values_text = (CHART / "values.yaml").read_text()
    values = yaml.safe_load(values_text)
    rows = _rows(CHART_README.read_text().partition(BEGIN)[2])
    for row in rows:
        tree: Any = values
        for key in row.split("."):
            assert isinstance(tree, dict) and key in tree, f"chart README row {row} is not a value of values.yaml"
            tree = tree[key]
    commented = re.findall(r"# -- .*\n(?:\s*#.*\n)*\s*([\w]+):", values_text)
    assert len(rows) == len(commented), "one row per `# --` comment of values.yaml"
    assert [row.rsplit(".", 1)[-1] for row in rows] == commented


# --- links and shape of the pages ---------------------------------------------------------------------------------

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """The text of a Markdown page without code blocks and code spans."""
    return _CODE.sub("", _FENCE.sub("", text))


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors of a page: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.*)$", _FENCE.sub("", page.read_text()), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def broken_links(page: Path, root: Path = REPO) -> list[str]:
    """The relative links of a page whose file (or heading anchor) does not exist, or that leave `root`."""
    broken = []
    for target in _LINK.findall(prose(page.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (root not in file.parents and file != root):
            broken.append(target)
        elif anchor and (file.suffix != ".md" or anchor not in _anchors(file)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_point_at_existing_files(page: Path) -> None:
    assert page.exists()
    assert not broken_links(page), f"{page.relative_to(REPO)}: broken links {broken_links(page)}"


def test_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# There\n\n## A heading\n")
    page.write_text(
        "[ok](there.md) [ok](there.md#a-heading) [bad](gone.md) [bad](there.md#nowhere)\n"
        "`[in code](gone-too.md)` [web](https://example.com/x)\n"
    )
    assert broken_links(page, tmp_path) == ["gone.md", "there.md#nowhere"]
    assert broken_links(page, tmp_path / "elsewhere") == [
        "there.md",
        "there.md#a-heading",
        "gone.md",
        "there.md#nowhere",
    ]


def test_readme_is_a_short_guide_that_links_every_docs_page() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= README_MAX_LINES, "README.md grew: move reference material into docs/"
    linked = {(README.parent / target).resolve() for target in _LINK.findall(prose(text))}
    unlinked = [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


def test_the_check_is_called_fact_check_in_prose() -> None:
    """The concept is the fact check; `hallucinations` (the response field) and metric names stay in code spans."""
    offenders = []
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for term in ("hallucination check", "grounding"):
            if term in prose(page.read_text()).lower():
                offenders.append(f"{page.name}: {term}")
    assert not offenders, offenders
