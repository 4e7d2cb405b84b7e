"""The value every recogniser returns."""
from __future__ import annotations

from dataclasses import dataclass, field

from reader.amounts import AmountValue, base_lang

__all__ = ["Suggestion", "base_lang"]


@dataclass(frozen=True)
class Suggestion:
    """A suggested span on canonical text: ``text == doc_text[start:end]``.

    ``score`` (0..1) is how sure the recogniser is, ``reason`` says why in a
    few words (``cue 'salary' 3 words before``), and ``value`` is the
    normalised amount of a salary (``{"min", "max", "currency", "period"}``).
    """

    start: int
    end: int
    label: str
    text: str
    rule: str = ""
    score: float = 1.0
    reason: str = ""
    value: AmountValue | None = field(default=None, compare=False, hash=False)

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)
