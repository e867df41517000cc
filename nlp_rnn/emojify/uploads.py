"""What the Emojify page checks before it classifies or trains: an upload that is text at all,
and a training file big enough to replace the page's model."""

from __future__ import annotations

from collections import Counter

from nlp_rnn.emojify.data import Example
from nlp_rnn.errors import DataError

SNIFF = 8192  # bytes looked at to tell text from binary
MIN_SENTENCES, MIN_PER_CLASS = 20, 3  # below this a trained model is a guess, not a replacement


def require_text(name: str, data: bytes) -> None:
    """One clear error for a file that is not text (an image, an archive), instead of one per line.

    Binary: over a quarter of the first lines hold a NUL byte or are not UTF-8 (a stray bad line
    stays a marked row, as in the CLI)."""
    head = data[:SNIFF]
    lines = head.splitlines()
    if len(data) > SNIFF and len(lines) > 1:
        lines = lines[:-1]  # the sniff may cut the last line inside a character
    bad = sum(1 for line in lines if b"\x00" in line or not _decodes(line))
    if bad > max(1, len(lines) // 4):
        raise DataError(name, "not a text file (binary data, or not UTF-8)",
                        "upload UTF-8 text, one sentence a line, or a CSV with a text column")


def _decodes(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def too_small(examples: list[Example]) -> str | None:
    """Why a training set is too small to stand in for the page's model, or None when it is not."""
    counts = Counter(e.label for e in examples)
    if len(examples) < MIN_SENTENCES:
        return f"only {len(examples)} sentences (at least {MIN_SENTENCES} make a model worth using)"
    thin = sorted(label for label, n in counts.items() if n < MIN_PER_CLASS)
    if thin:
        return f"fewer than {MIN_PER_CLASS} sentences for {', '.join(thin)}"
    return None
