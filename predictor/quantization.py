"""Quantization policy: which precision to load the base model in, and how to fall back from it."""

from __future__ import annotations

from dataclasses import dataclass

from predictor.settings import Quantization


@dataclass(frozen=True)
class Precision:
    """One way to load the weights, as vLLM arguments and as the name reported in status."""

    name: str  # reported: "bnb-4bit", "awq", "fp16", "bf16"
    vllm_args: tuple[str, ...]

    @property
    def quantized(self) -> bool:
        return self.name in {"bnb-4bit", "awq"}


BF16 = Precision("bf16", ("--dtype", "bfloat16"))
FP16 = Precision("fp16", ("--dtype", "float16"))
BNB_4BIT = Precision("bnb-4bit", ("--quantization", "bitsandbytes", "--dtype", "bfloat16"))
AWQ = Precision("awq", ("--quantization", "awq", "--dtype", "float16"))


def unquantized_precision(*, cuda: bool, bf16_supported: bool) -> Precision:
    """The full-precision choice for this device: bf16 where the hardware has it, else fp16."""
    if not cuda or bf16_supported:
        return BF16
    return FP16


def choose_precision(requested: Quantization, *, cuda: bool, bf16_supported: bool = True) -> Precision:
    """Resolve the requested quantization for this device.

    `auto` picks bitsandbytes 4-bit only where CUDA is present; on the CPU it serves unquantized (bf16).
    """
    if requested == "auto":
        return BNB_4BIT if cuda else unquantized_precision(cuda=cuda, bf16_supported=bf16_supported)
    return {"bitsandbytes": BNB_4BIT, "awq": AWQ, "fp16": FP16, "bf16": BF16}[requested]


def fallback_precision(current: Precision, *, cuda: bool, bf16_supported: bool = True) -> Precision | None:
    """Where a quantized load or self-check failed, the precision to try next; None if there is none."""
    if not current.quantized:
        return None
    return unquantized_precision(cuda=cuda, bf16_supported=bf16_supported)
