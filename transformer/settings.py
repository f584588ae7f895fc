"""The transformer's one settings class: env vars with the TRANSFORMER_ prefix (the Helm values map onto them)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The shipped baseline: monitoring/baseline.json in the source tree (images copy it to the same place).
DEFAULT_BASELINE_PATH = Path(__file__).resolve().parent.parent / "monitoring" / "baseline.json"


class TransformerSettings(BaseSettings):
    """Settings of `python -m transformer` (env vars `TRANSFORMER_*`; `--predictor_host` as KServe passes it)."""

    model_config = SettingsConfigDict(env_prefix="TRANSFORMER_", extra="ignore")

    predictor_host: str = Field("127.0.0.1:8080", description="host:port of the predictor (vLLM OpenAI server)")
    predictor_scheme: str = Field("http", pattern="^https?$", description="http or https to the predictor")
    predictor_model: str | None = Field(
        None,
        description="model name sent to the predictor; unset: the one it serves (its LoRA adapter when it has one, "
        "else the base model), read from its /v1/models",
    )
    predictor_timeout_s: float = Field(300.0, gt=0, description="longest wait for one predictor answer (then 504)")
    predictor_connect_timeout_s: float = Field(5.0, gt=0, description="longest wait to connect to the predictor")
    retry_after_s: int = Field(10, ge=1, description="Retry-After sent with 503 when the predictor is unreachable")
    resume_token_budget: int = Field(
        8000, ge=1, description="most tokens of resume text (then 413); lowered to the prompt's share of the context"
    )
    job_token_budget: int = Field(
        4000, ge=1, description="most tokens of job description text (then 413); lowered like the resume's"
    )
    prompt_token_budget: int = Field(
        10000,
        ge=1,
        description="most tokens of the whole prompt (instructions + resume + job; then 413); lowered to the served "
        "model's context less the answer's max_tokens",
    )
    max_output_tokens: int = Field(
        4096, ge=16, description="max_tokens of the tailored answer; at most half the served model's context"
    )
    temperature: float = Field(0.2, ge=0, le=2, description="sampling temperature of the tailored answer")
    generation_max_string_chars: int | None = Field(
        None,
        ge=1,
        description="overall cap on every string's length in the structured-output schema, on top of the bounds "
        "below (unset: none); a cap below a date's, e-mail's, URL's or phone's longest shape replaces the shape",
    )
    generation_max_items: int | None = Field(
        None,
        ge=0,
        description="overall cap on every list's length in the structured-output schema, on top of the bounds "
        "below (unset: none)",
    )
    # What the predictor is forced into (structured outputs); the output schema (/schema, validation) keeps its
    # own wider limits, so a bounded answer is always valid. They stop a looping model at a field's end.
    generation_short_text_chars: int = Field(
        100, ge=1, description="longest name, title, label, employer, institution, location, skill or keyword"
    )
    generation_long_text_chars: int = Field(600, ge=1, description="longest summary or project description")
    generation_highlight_chars: int = Field(240, ge=1, description="longest highlight (one bullet of a job)")
    generation_max_profiles: int = Field(5, ge=0, description="most profiles (basics.profiles)")
    generation_max_work: int = Field(10, ge=0, description="most work entries")
    generation_max_education: int = Field(6, ge=0, description="most education entries")
    generation_max_skills: int = Field(30, ge=0, description="most skills")
    generation_max_projects: int = Field(8, ge=0, description="most projects")
    generation_max_certifications: int = Field(10, ge=0, description="most certifications")
    generation_max_highlights: int = Field(6, ge=0, description="most highlights of one job or project")
    generation_max_keywords: int = Field(12, ge=0, description="most keywords of one skill")
    generation_max_matched_keywords: int = Field(30, ge=0, description="most tailoring.matchedJobKeywords")
    generation_formats: bool = Field(
        True,
        description="force dates into YYYY, YYYY-MM, YYYY-MM-DD or Present, and e-mail, URLs and phone numbers "
        'into simple shapes ("" always allowed); false: they are short text',
    )
    # Sampling (vLLM's parameters). vLLM's repetition_penalty divides the logits of tokens already in the prompt
    # or the answer: 1.05 (Qwen2.5's own default) damps loops while copying names and dates from the resume still
    # wins for a good model. Frequency and presence penalties grow with every repeat of a token in the answer,
    # and a resume repeats digits, years and field names by nature, so they stay off.
    repetition_penalty: float = Field(
        1.05, ge=1, le=2, description="vLLM repetition_penalty of the answer (1: off; applies to prompt tokens too)"
    )
    frequency_penalty: float = Field(
        0.0, ge=-2, le=2, description="OpenAI frequency_penalty of the answer (0: off; it penalises repeated years)"
    )
    presence_penalty: float = Field(0.0, ge=-2, le=2, description="OpenAI presence_penalty of the answer (0: off)")
    retry_temperature: float = Field(
        0.7, ge=0, le=2, description="temperature of the one retry after an invalid answer (sampled differently)"
    )
    retry_repetition_penalty: float = Field(
        1.15, ge=1, le=2, description="repetition_penalty of the one retry after an invalid answer"
    )
    # The runaway detector (transformer/generation/runaway.py) on the streamed tokens: it stops a generation that
    # repeats itself (vLLM aborts it) instead of waiting for max_tokens.
    runaway_detection: bool = Field(True, description="stop a generation that repeats itself (then one retry, 502)")
    runaway_min_repeated_chars: int = Field(
        150, ge=2, description="a unit repeated over at least this many characters at the tail is a loop"
    )
    runaway_min_repeats: int = Field(
        4, ge=2, description="a unit must also repeat at least this many times at the tail to be a loop"
    )
    runaway_max_unit_chars: int = Field(200, ge=1, description="longest repeated unit looked for (a sentence)")
    runaway_max_char_run: int = Field(64, ge=2, description="more of one character in a row is a loop")
    runaway_max_digit_run: int = Field(40, ge=2, description="more digits in a row is a loop (a runaway date)")
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1, description="largest resume file accepted (then 413)")
    max_pages: int = Field(20, ge=1, description="most PDF pages accepted (then 413)")
    max_image_pixels: int = Field(40_000_000, ge=1, description="largest image (or rendered PDF page) OCR reads")
    ocr_timeout_s: float = Field(60.0, gt=0, description="longest OCR of one page (then 413)")
    parse_timeout_s: float = Field(
        120.0, gt=0, description="longest reading of one uploaded document, OCR included (then 413)"
    )
    max_resume_chars: int = Field(100_000, ge=1, description="most characters of text read from a resume (then 413)")
    docx_max_unzipped_bytes: int = Field(
        100 * 1024 * 1024, ge=1, description="most bytes a DOCX may expand to (then 413)"
    )
    docx_max_entries: int = Field(1000, ge=1, description="most entries in a DOCX zip (then 413)")
    docx_max_compression_ratio: float = Field(
        100.0, gt=1, description="highest expansion ratio of a DOCX part over 1 MiB (zip bomb; then 413)"
    )
    max_job_description_chars: int = Field(50_000, ge=1, description="longest job description accepted (then 413)")
    job_fetch_timeout_s: float = Field(10.0, gt=0, description="longest fetch of a job_url, redirects included")
    job_fetch_max_bytes: int = Field(2_000_000, ge=1, description="largest job page read (then 413)")
    job_fetch_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="hosts, addresses or CIDR networks a job_url may reach although they are private or "
        'loopback (JSON list, e.g. ["jobs.internal", "10.0.0.0/8"]); empty: public addresses only',
    )
    max_batch_rows: int = Field(64, ge=1, description="most rows in one v2 infer request")
    artifacts_dir: Path = Field(Path("/var/lib/resume-optimizer/artifacts"), description="artifact storage (a PVC)")
    store_artifacts: bool = Field(True, description="write per-request artifacts; false turns storage off")
    artifact_retention_days: float = Field(30, gt=0, description="artifacts older than this are deleted")
    log_level: str = Field("INFO", description="log level of the transformer's JSON logs")
    # Monitoring (issue 6)
    adapter_trained_at: datetime | None = Field(
        None,
        description="when the loaded adapter was trained (ISO date or date-time, UTC if no zone): the source of "
        "resume_optimizer_adapter_age_days; unset: the adapter's created_at in the predictor's /status",
    )
    adapter_status_interval_s: float = Field(
        60.0, gt=0, description="how often the predictor's /status is read for the adapter's created_at"
    )
    baseline_path: Path = Field(
        DEFAULT_BASELINE_PATH,
        description="training baseline (monitoring/baseline.json) exported as resume_optimizer_baseline{feature}",
    )
    vocabulary_drift_report: Path | None = Field(
        None,
        description="vocabulary-drift report written by `python -m transformer.drift vocabulary` and served as "
        "resume_optimizer_vocabulary_drift_ratio; unset: <artifacts_dir>/../drift/vocabulary.json",
    )
    vocabulary_drift_window_days: float = Field(
        30, gt=0, description="days of stored job descriptions the vocabulary-drift job reads"
    )

    @property
    def drift_report_path(self) -> Path:
        """Where the vocabulary-drift report is written and read (on the artifacts' volume by default)."""
        return self.vocabulary_drift_report or self.artifacts_dir.parent / "drift" / "vocabulary.json"
