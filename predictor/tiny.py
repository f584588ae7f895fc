"""A tiny, random-weight stand-in for Qwen3-4B-Instruct-2507 and its LoRA adapter.

`python -m predictor.tiny OUTDIR` writes OUTDIR/model (Qwen3 architecture, byte-level BPE tokenizer with
a ChatML chat template) and OUTDIR/adapter (a peft LoRA adapter, rank 16 on every projection). vLLM loads
both on the CPU in seconds. The text it writes is noise; structured outputs still force it into a schema,
so the whole serving path runs for real without downloading any weights.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# Qwen's own ChatML template, reduced to what the service sends (system/user/assistant turns).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# Enough text for the BPE trainer to learn merges for resume-like English and JSON punctuation.
_CORPUS = """
Senior software engineer with eight years of experience building data platforms in Python and Go.
Led a team of five engineers; cut pipeline latency by 40% and cloud costs by $120,000 a year.
Experience: Acme Corp, Berlin, 2019-2024. Globex Inc., Remote, 2016-2019. Skills: Python, Kubernetes,
PostgreSQL, Kafka, Terraform, AWS, machine learning, LLM fine-tuning, LoRA, vLLM, KServe, Prometheus.
Education: M.Sc. Computer Science, Technical University of Munich, 2016. Certifications: CKA, AWS SA.
{"basics": {"name": "Jane Doe", "label": "Engineer", "email": "jane@example.com"}, "work": [],
"skills": [{"name": "Python", "keywords": ["FastAPI", "pydantic"]}], "summary": "", "projects": []}
The quick brown fox jumps over the lazy dog 0123456789 !?.,;:'"()[]{}<>/\\|@#$%^&*-_=+~`
"""


def _train_tokenizer(vocab_size: int):  # returns transformers.PreTrainedTokenizerFast
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([_CORPUS] * 20, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build(outdir: Path, *, hidden_size: int = 128, seed: int = 0, lora_rank: int = 16) -> tuple[Path, Path]:
    """Write the tiny model and its adapter under `outdir`; return (model_dir, adapter_dir)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(seed)
    model_dir, adapter_dir = outdir / "model", outdir / "adapter"
    tokenizer = _train_tokenizer(vocab_size=1024)
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=64,  # vLLM's CPU attention kernels reject head_dim 16; 64 works (Qwen3-4B uses 128)
        max_position_embeddings=32768,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        dtype="bfloat16",
    )
    model = Qwen3ForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(
        eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id, do_sample=False
    )
    model_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(model_dir, safe_serialization=True)
    tokenizer.save_pretrained(model_dir)

    lora = LoraConfig(r=lora_rank, lora_alpha=2 * lora_rank, target_modules=LORA_TARGETS, lora_dropout=0.0)
    peft_model = get_peft_model(model, lora)
    with torch.no_grad():  # peft zero-initialises lora_B; random B makes the adapter change the output
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0.0, 0.02)
    peft_model.peft_config["default"].base_model_name_or_path = str(model_dir.resolve())
    peft_model.save_pretrained(adapter_dir, safe_serialization=True)
    return model_dir, adapter_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m predictor.tiny", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write model/ and adapter/ into")
    parser.add_argument("--hidden-size", type=int, default=128, help="hidden size (multiple of 64)")
    parser.add_argument("--lora-rank", type=int, default=16, help="rank of the generated adapter")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    model_dir, adapter_dir = build(args.outdir, hidden_size=args.hidden_size, seed=args.seed, lora_rank=args.lora_rank)
    json.dump({"model": str(model_dir), "adapter": str(adapter_dir)}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
