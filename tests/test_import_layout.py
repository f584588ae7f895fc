"""The code's shape: the live server free of the command-line jobs, short import chains, imports pointing
down the pipeline, and no module reaching into another's private names.

Read from the source with `ast` (every import, at module level or inside a function), so a lazy import inside
a function counts the same as one at the top; only imports under `if TYPE_CHECKING:` (annotations, never run)
are left out.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "predictor", "resume_optimizer", "transformer")
SERVER = ("transformer.__main__", "transformer.model", "transformer.routes")
JOBS = ("transformer.baseline", "transformer.drift")
# Before the redesign the longest chain was 14 modules (__main__ -> routes -> http_errors -> pipeline -> metrics
# -> drift -> baseline -> features -> scoring -> grounding -> grounding_match -> ... -> grounding_text).
MAX_CHAIN = 7
# What each stage folder may import inside transformer/ (besides itself and the top-level base modules).
BASE = {"transformer", "transformer.errors", "transformer.settings", "transformer.text_fold", "transformer.storage"}
ALLOWED = {
    "reading": set(),
    "generation": set(),
    "fact_check": {"generation"},
    "quality": {"generation", "reading"},
    "monitoring": set(),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _sources() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(), filename=str(path))
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
    }


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import statement; names empty for `import x`."""
    found = []
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _docstring_only(tree: ast.Module) -> bool:
    """A package's __init__ that only documents it: importing through it adds no link to a chain."""
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in tree.body)


@functools.cache
def _graph() -> dict[str, frozenset[str]]:
    """Project module -> the project modules it imports (`from pkg import mod` counts as importing pkg.mod)."""
    sources = _sources()
    graph = {}
    for name, tree in sources.items():
        edges = set()
        for module, names in _imports(tree):
            for target in [module] + [f"{module}.{n}" for n in names]:
                if target in sources and target != name:
                    edges.add(target)
        graph[name] = frozenset(edges - {m for m in edges if _docstring_only(sources[m])})
    return graph


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in _graph()[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _longest_chain(start: str, path: tuple[str, ...] = ()) -> tuple[str, ...]:
    path = path + (start,)
    best = path
    for nxt in _graph()[start]:
        if nxt.startswith("transformer") and nxt not in path:
            candidate = _longest_chain(nxt, path)
            if len(candidate) > len(best):
                best = candidate
    return best


def test_the_live_server_does_not_import_the_baseline_builder_or_the_drift_job() -> None:
    for module in SERVER:
        assert not _reachable(module) & set(JOBS), f"{module} reaches {sorted(_reachable(module) & set(JOBS))}"


def test_the_live_server_really_starts_without_the_jobs_loaded() -> None:
    # The same, at run time: what importing the server's modules (and registering its collectors) loads.
    code = (
        "import sys, transformer.__main__, transformer.model, transformer.routes, transformer.metrics as m;"
        "from transformer.settings import TransformerSettings;"
        "from prometheus_client import CollectorRegistry;"
        "m.install_collectors(TransformerSettings(adapter_trained_at='2026-01-01T00:00:00Z'), CollectorRegistry());"
        "print(' '.join(sorted(n for n in sys.modules if n.startswith('transformer'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    modules = set(loaded.stdout.split())
    assert "transformer.monitoring.drift_report" in modules  # the collectors did load
    assert not modules & set(JOBS)


def test_the_longest_import_chain_inside_the_transformer_is_short() -> None:
    chain = max((_longest_chain(m) for m in _graph() if m.startswith("transformer")), key=len)
    assert len(chain) <= MAX_CHAIN, " -> ".join(chain)


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = [
        f"{name} imports {module}.{n}"
        for name, tree in _sources().items()
        for module, names in _imports(tree)
        if module.split(".")[0] in PACKAGES
        for n in names
        if n.startswith("_") and not n.startswith("__")
    ]
    assert offenders == []


def test_stage_folders_import_only_down_the_pipeline() -> None:
    offenders = []
    for name, targets in _graph().items():
        parts = name.split(".")
        if parts[0] != "transformer" or len(parts) < 3 or parts[1] not in ALLOWED:
            continue
        for target in targets:
            tparts = target.split(".")
            if tparts[0] == "common" or target in BASE or tparts[:2] == parts[:2]:
                continue
            if tparts[0] == "transformer" and len(tparts) >= 3 and tparts[1] in ALLOWED[parts[1]]:
                continue
            offenders.append(f"{name} -> {target}")
    assert offenders == []


def test_the_three_programs_share_one_logging_setup_and_one_atomic_writer() -> None:
    for program in ("transformer.__main__", "predictor.__main__", "resume_optimizer.cli"):
        assert "common.json_logs" in _graph()[program], program
    writers = [
        name
        for name, tree in _sources().items()
        if name != "common.atomic_files"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "replace"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "os"
    ]
    # A temporary file renamed over the target is an atomic writer: only common.atomic_files has one.
    assert writers == []
