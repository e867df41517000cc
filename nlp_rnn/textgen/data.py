"""From text to token ids: char or word level, the PTB convention, vocabulary caps, splits."""

from __future__ import annotations

import torch

from nlp_rnn.text import EOS, Tokenizer
from nlp_rnn.vocab import Vocabulary


def tokenize_corpus(text: str, tokenizer: Tokenizer) -> list[str]:
    """Characters as they are; words line by line with one ``<eos>`` closing each non-empty line
    (the PTB convention; PTB's own ``<unk>`` tokens stay as they are)."""
    if tokenizer.level == "char":
        return tokenizer(text)
    tokens: list[str] = []
    for line in text.split("\n"):
        words = tokenizer(line)
        if words:
            tokens.extend(words)
            tokens.append(EOS)
    return tokens


def split_tail(tokens: list[str], fraction: float = 0.1) -> tuple[list[str], list[str]]:
    """Deterministic validation split: the last ``fraction`` of the corpus."""
    cut = len(tokens) - max(1, int(len(tokens) * fraction))
    return tokens[:cut], tokens[cut:]


def build_vocabulary(tokens: list[str], level: str, max_size: int | None = None, min_freq: int = 1) -> Vocabulary:
    return Vocabulary.build([tokens], min_freq=min_freq, max_size=max_size, eos=level == "word")


def encode(tokens: list[str], vocabulary: Vocabulary) -> torch.Tensor:
    return torch.tensor(vocabulary.encode(tokens), dtype=torch.long)
