"""Token budgets from the served model's context: what the prompt and the answer may each take.

The settings give upper bounds (TRANSFORMER_*_TOKEN_BUDGET, TRANSFORMER_MAX_OUTPUT_TOKENS); the model's context
length (`max_model_len`, read from the predictor) decides what fits: the answer gets at most half of it, the
prompt the rest, and the resume and the job description at most the prompt's budget each.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformer.settings import TransformerSettings


@dataclass(frozen=True)
class TokenBudgets:
    """Most tokens for each part of one request, and why (for the 413's message)."""

    resume: int
    job: int
    prompt: int
    max_tokens: int
    context: int | None  # the served model's context length; None when the predictor did not say

    def limit_reason(self, setting: str) -> str:
        """Where a budget comes from, in words: the setting, and the model's context when that is smaller."""
        if self.context is None:
            return setting
        return f"{setting}, within the model's context of {self.context} tokens less {self.max_tokens} for the answer"


def token_budgets(settings: TransformerSettings, context: int | None) -> TokenBudgets:
    """The budgets for a model with `context` tokens of context (the settings alone when unknown)."""
    if context is None:
        return TokenBudgets(
            resume=settings.resume_token_budget,
            job=settings.job_token_budget,
            prompt=settings.prompt_token_budget,
            max_tokens=settings.max_output_tokens,
            context=None,
        )
    max_tokens = max(1, min(settings.max_output_tokens, context // 2))
    prompt = max(1, min(settings.prompt_token_budget, context - max_tokens))
    return TokenBudgets(
        resume=min(settings.resume_token_budget, prompt),
        job=min(settings.job_token_budget, prompt),
        prompt=prompt,
        max_tokens=max_tokens,
        context=context,
    )
