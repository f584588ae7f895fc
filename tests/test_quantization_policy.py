"""Which precision the launcher serves, and where it falls back to."""

from __future__ import annotations

import pytest

from predictor.quantization import AWQ, BF16, BNB_4BIT, FP16, choose_precision, fallback_precision


def test_auto_picks_bitsandbytes_only_where_cuda_is_present() -> None:
    assert choose_precision("auto", cuda=True) == BNB_4BIT
    assert choose_precision("auto", cuda=False) == BF16


def test_auto_on_cpu_serves_unquantized_bf16() -> None:
    precision = choose_precision("auto", cuda=False)
    assert not precision.quantized
    assert "--quantization" not in precision.vllm_args


@pytest.mark.parametrize(
    ("requested", "expected"), [("bitsandbytes", BNB_4BIT), ("awq", AWQ), ("fp16", FP16), ("bf16", BF16)]
)
@pytest.mark.parametrize("cuda", [True, False])
def test_explicit_choice_is_honoured_on_any_device(requested: str, expected: object, cuda: bool) -> None:
    assert choose_precision(requested, cuda=cuda) == expected  # type: ignore[arg-type]


def test_quantized_precisions_fall_back_to_bf16_or_fp16() -> None:
    assert fallback_precision(BNB_4BIT, cuda=True, bf16_supported=True) == BF16
    assert fallback_precision(AWQ, cuda=True, bf16_supported=False) == FP16
    assert fallback_precision(BNB_4BIT, cuda=False) == BF16


def test_full_precision_has_no_fallback() -> None:
    assert fallback_precision(BF16, cuda=True) is None
    assert fallback_precision(FP16, cuda=False) is None


def test_bitsandbytes_loads_four_bit_weights_through_vllm() -> None:
    assert BNB_4BIT.vllm_args[:2] == ("--quantization", "bitsandbytes")
