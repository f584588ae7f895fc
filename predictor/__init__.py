"""resume-optimizer predictor: vLLM serving Qwen3-4B-Instruct-2507 with the project's LoRA adapter."""

__version__ = "0.1.0"
