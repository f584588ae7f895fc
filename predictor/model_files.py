"""Find the base model's and the adapter's files and check that they fit together, before vLLM starts.

Each check fails within seconds with a `ConfigError` naming the setting to fix, rather than minutes later
deep inside vLLM's start-up.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from predictor.settings import PredictorSettings

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")
_LAYER = re.compile(r"\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+_proj)\.lora_([AB])\.weight$")


class ConfigError(ValueError):
    """The launcher's configuration cannot work; the message says why and which setting to change."""


@dataclass(frozen=True)
class BaseModel:
    source: str  # as configured: Hub id or directory
    model_id: str  # the Hub id it is (or the directory's name when unknown)
    revision: str  # commit hash, or a content hash of config.json for a local directory
    config: dict | None  # config.json, where it could be read without downloading weights


@dataclass(frozen=True)
class Adapter:
    name: str
    path: Path
    rank: int
    base_model: str | None
    sha256: str
    created_at: datetime | None = None


def looks_like_path(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or Path(value).exists() or not _HUB_ID.match(value)


def _hub_file(repo_id: str, filename: str, revision: str | None, setting: str) -> Path:
    """A small file of a Hub repository: from the local cache, or downloaded unless the Hub is offline."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(hf_hub_download(repo_id, filename, revision=revision))
    except LocalEntryNotFoundError as exc:
        raise ConfigError(
            f"{setting}={repo_id!r} is not a local directory and is not in the Hugging Face cache "
            f"(the Hub is unreachable or HF_HUB_OFFLINE is set): {type(exc).__name__}"
        ) from None
    except (HfHubHTTPError, OSError) as exc:
        raise ConfigError(f"{setting}={repo_id!r}: cannot fetch {filename} from the Hub: {exc}") from None


def resolve_base_model(settings: PredictorSettings) -> BaseModel:
    """Locate the base model and read its config.json; raise ConfigError if it cannot be served."""
    source = settings.model
    if looks_like_path(source):
        directory = Path(source).expanduser()
        if not directory.is_dir():
            raise ConfigError(f"PREDICTOR_MODEL={source!r}: no such model directory")
        config_file = directory / "config.json"
        if not config_file.is_file():
            raise ConfigError(f"PREDICTOR_MODEL={source!r}: the directory has no config.json (not a model)")
        if not any(directory.glob("*.safetensors")) and not any(directory.glob("*.bin")):
            raise ConfigError(f"PREDICTOR_MODEL={source!r}: the directory holds no weights (*.safetensors, *.bin)")
        raw = config_file.read_bytes()
        config = _read_json(config_file, "PREDICTOR_MODEL")
        model_id = settings.model_id or directory.resolve().name
        revision = settings.revision or "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
        return BaseModel(source=source, model_id=model_id, revision=revision, config=config)

    config_file = _hub_file(source, "config.json", settings.revision, "PREDICTOR_MODEL")
    # The cache keeps files under .../snapshots/<commit>/, so the folder name is the resolved revision.
    revision = config_file.parent.name if config_file.parent.parent.name == "snapshots" else (settings.revision or "")
    config = _read_json(config_file, "PREDICTOR_MODEL")
    return BaseModel(source=source, model_id=settings.model_id or source, revision=revision, config=config)


def _read_json(path: Path, setting: str) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{setting}: cannot read {path.name}: {exc}") from None


def adapter_sha256(directory: Path) -> str:
    """Content hash of an adapter: its config and weights, in a fixed order."""
    digest = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin"):
        path = directory / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def adapter_created_at(directory: Path) -> datetime | None:
    """When the adapter's weights were written: the newest modification time of its config and weight files.

    Files keep their modification time through `docker COPY` and `cp -p`; a download (Hub cache, KServe's
    storage initializer) stamps the download time instead, so pin the training date with the transformer's
    TRANSFORMER_ADAPTER_TRAINED_AT where that matters.
    """
    times = []
    for name in ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin"):
        try:
            times.append((directory / name).stat().st_mtime)  # follows the Hub cache's symlinks to the blobs
        except OSError:
            continue
    return datetime.fromtimestamp(max(times), UTC) if times else None


def resolve_adapter(settings: PredictorSettings, base: BaseModel) -> Adapter | None:
    """Locate the LoRA adapter and check it against the settings and the base model."""
    if not settings.adapter:
        return None
    source = settings.adapter
    if looks_like_path(source):
        directory = Path(source).expanduser()
        if not directory.is_dir():
            raise ConfigError(f"PREDICTOR_ADAPTER={source!r}: no such adapter directory")
        config_file = directory / "adapter_config.json"
        if not config_file.is_file():
            raise ConfigError(f"PREDICTOR_ADAPTER={source!r}: the directory has no adapter_config.json")
    else:
        config_file = _hub_file(source, "adapter_config.json", None, "PREDICTOR_ADAPTER")
        _hub_file(source, "adapter_model.safetensors", None, "PREDICTOR_ADAPTER")
        directory = config_file.parent
    config = _read_json(config_file, "PREDICTOR_ADAPTER")
    if config.get("peft_type", "LORA") != "LORA":
        raise ConfigError(f"PREDICTOR_ADAPTER={source!r}: peft_type {config.get('peft_type')!r} is not LORA")
    rank = int(config.get("r", 0))
    ranks = [rank, *[int(r) for r in (config.get("rank_pattern") or {}).values()]]
    if max(ranks) > settings.max_lora_rank:
        raise ConfigError(
            f"PREDICTOR_ADAPTER={source!r}: adapter rank {max(ranks)} exceeds the maximum LoRA rank "
            f"{settings.max_lora_rank} (raise PREDICTOR_MAX_LORA_RANK)"
        )
    adapter = Adapter(
        name=settings.adapter_name,
        path=directory,
        rank=rank,
        base_model=config.get("base_model_name_or_path"),
        sha256=adapter_sha256(directory),
        created_at=adapter_created_at(directory),
    )
    check_adapter_fits_base(adapter, base)
    return adapter


def check_adapter_fits_base(adapter: Adapter, base: BaseModel) -> None:
    """Refuse an adapter trained for another base model: by Hub id where both are known, and by shapes."""
    named = adapter.base_model
    if named and not looks_like_path(named) and _HUB_ID.match(base.model_id):
        if named.lower() != base.model_id.lower():
            raise ConfigError(
                f"PREDICTOR_ADAPTER: the adapter was trained for base model {named!r}, "
                f"but the base model is {base.model_id!r}"
            )
    if base.config is None:
        return
    expected = _projection_shapes(base.config)
    layers = int(base.config.get("num_hidden_layers", 0))
    for key, shape in _adapter_tensor_shapes(adapter.path).items():
        match = _LAYER.search(key)
        if not match:
            continue
        layer, proj, side = int(match.group(1)), match.group(2), match.group(3)
        if layer >= layers:
            raise ConfigError(
                f"PREDICTOR_ADAPTER: the adapter has weights for layer {layer}, the base model "
                f"{base.model_id!r} has {layers} layers (adapter trained for another base model: {named!r})"
            )
        if proj not in expected:
            continue
        in_features, out_features = expected[proj]
        actual = shape[1] if side == "A" else shape[0]
        wanted = in_features if side == "A" else out_features
        if actual != wanted:
            raise ConfigError(
                f"PREDICTOR_ADAPTER: {proj} lora_{side} has size {actual} where the base model "
                f"{base.model_id!r} needs {wanted} (adapter trained for another base model: {named!r})"
            )


def _projection_shapes(config: dict) -> dict[str, tuple[int, int]]:
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_dim = int(config.get("head_dim") or hidden // heads)
    kv = int(config.get("num_key_value_heads") or heads) * head_dim
    inter = int(config.get("intermediate_size", 0))
    return {
        "q_proj": (hidden, heads * head_dim),
        "k_proj": (hidden, kv),
        "v_proj": (hidden, kv),
        "o_proj": (heads * head_dim, hidden),
        "gate_proj": (hidden, inter),
        "up_proj": (hidden, inter),
        "down_proj": (inter, hidden),
    }


def _adapter_tensor_shapes(directory: Path) -> dict[str, list[int]]:
    path = directory / "adapter_model.safetensors"
    if not path.is_file():
        return {}
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as fh:
            return {key: list(fh.get_slice(key).get_shape()) for key in fh.keys()}
    except Exception as exc:  # safetensors raises its own error types for corrupt headers
        raise ConfigError(f"PREDICTOR_ADAPTER: cannot read adapter_model.safetensors: {exc}") from None
