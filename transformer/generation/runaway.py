"""Spot a generation that runs away (repeats itself) while it streams, so it can be stopped early.

A small model forced into a JSON schema can loop: one sentence written again and again, or a date that goes on
as digits until max_tokens. Waiting for max_tokens costs minutes; the text shows the loop long before. The
detector looks at the tail of the streamed text and fires when

- the tail is one unit of 1..`max_unit_chars` characters repeated at least `min_repeats` times over at least
  `min_repeated_chars` characters ("abcabcabc...", the same sentence again, the same list item again), where the
  unit holds a letter or a digit (so JSON punctuation such as a list of empty strings, `"","","",`, never counts);
- or one character is repeated more than `max_char_run` times in a row, or more than `max_digit_run` digits
  follow each other (no resume field holds 40 digits in a row; a runaway date does).

Normal JSON does not repeat exactly: entries share their field names, not their values. The check runs only
every `CHECK_EVERY_CHARS` characters, over a bounded window of the tail, so its cost per token stays small and
does not grow with the answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from transformer.settings import TransformerSettings

CHECK_EVERY_CHARS = 16  # how many new characters between two looks at the tail


class RunawayLimits(BaseModel):
    """When a streamed text counts as running away (the thresholds are the TRANSFORMER_RUNAWAY_* settings)."""

    min_repeated_chars: int = Field(150, ge=2)
    min_repeats: int = Field(4, ge=2)
    max_unit_chars: int = Field(200, ge=1)
    max_char_run: int = Field(64, ge=2)
    max_digit_run: int = Field(40, ge=2)

    @classmethod
    def from_settings(cls, settings: TransformerSettings) -> RunawayLimits:
        """The limits the transformer's settings give (`runaway_<field>` for each field)."""
        return cls.model_validate({name: getattr(settings, f"runaway_{name}") for name in cls.model_fields})


class RunawayDetector:
    """Feed it the streamed pieces; `feed` returns a description of the loop once the text runs away, else None."""

    def __init__(self, limits: RunawayLimits) -> None:
        self.limits = limits
        longest_repeat = max(limits.min_repeated_chars, limits.min_repeats * limits.max_unit_chars)
        # The tail that is looked at: the longest repeated span that can be asked for, and the runs' lengths.
        self._window = max(longest_repeat, limits.max_char_run + 1, limits.max_digit_run + 1) + CHECK_EVERY_CHARS
        self._tail = ""
        self._unchecked = 0
        self._char_run = re.compile(rf"(.)\1{{{limits.max_char_run},}}", re.DOTALL)
        self._digit_run = re.compile(rf"\d{{{limits.max_digit_run + 1},}}")
        self.fired: str | None = None

    def feed(self, piece: str) -> str | None:
        """Add streamed text; once the text runs away, say how (and keep saying it)."""
        if self.fired is not None:
            return self.fired
        self._tail = (self._tail + piece)[-self._window :]
        self._unchecked += len(piece)
        if self._unchecked >= CHECK_EVERY_CHARS:
            self.fired = self.check(self._tail, fresh=self._unchecked)
            self._unchecked = 0
        return self.fired

    def check(self, text: str, fresh: int | None = None) -> str | None:
        """Whether `text` (the tail of a generation) shows a loop: a description of it, or None.

        `fresh`: how many characters at the end are new since the last check (runs are only looked for there).
        """
        limits = self.limits
        runs = text if fresh is None else text[-(fresh + max(limits.max_char_run, limits.max_digit_run) + 1) :]
        if (match := self._char_run.search(runs)) is not None:
            return f"the character {match.group(1)!r} repeated {len(match.group(0))} times"
        if (match := self._digit_run.search(runs)) is not None:
            return f"{len(match.group(0))} digits in a row"
        return self._repeated_unit(text)

    def _repeated_unit(self, text: str) -> str | None:
        """The shortest unit whose repetition makes up the tail, found among the places where the tail's last few
        characters occur again within `max_unit_chars` (a repeated tail must recur one unit earlier)."""
        limits = self.limits
        key_chars = max(1, min(8, limits.min_repeated_chars // 2))
        key_at = len(text) - key_chars
        if key_at <= 0:
            return None
        key, lowest, end = text[key_at:], max(0, key_at - limits.max_unit_chars), len(text) - 1
        while (found := text.rfind(key, lowest, end)) >= 0:
            unit = key_at - found
            span = max(limits.min_repeated_chars, limits.min_repeats * unit)
            if span > len(text):
                return None  # longer units need longer spans still
            tail = text[-span:]
            if tail[unit:] == tail[:-unit] and any(c.isalnum() for c in tail[-unit:]):
                return f"a {unit}-character unit repeated at least {span // unit} times ({span}+ characters)"
            end = found + key_chars - 1
        return None
