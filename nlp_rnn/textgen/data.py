"""From text to token ids: char or word level, the PTB convention, vocabulary caps, splits."""

from __future__ import annotations

from array import array

import numpy as np
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


# Compact encoding. ``tokenize_corpus`` + ``encode`` hold every token as a Python string in a list and
# every id as a Python int (about 30 bytes of memory per character of corpus); a corpus of hundreds of
# MB does not fit. These give the same ids, holding 4 bytes per token while encoding (int32 ids in
# first-seen order, remapped once the vocabulary is known) and 8 in the final tensor.

def corpus_ids(text: str, tokenizer: Tokenizer) -> tuple[np.ndarray, list[str]]:
    """(int32 ids in first-seen order, the distinct tokens they index) for ``tokenize_corpus(text)``."""
    if tokenizer.level == "char":
        codes = np.frombuffer((text.lower() if tokenizer.lower else text).encode("utf-32-le"), dtype=np.uint32)
        present = np.flatnonzero(np.bincount(codes, minlength=1))  # code points in the text (≤ 0x10FFFF)
        table = np.zeros(int(present[-1]) + 1 if present.size else 1, dtype=np.int32)
        table[present] = np.arange(present.size, dtype=np.int32)
        return table[codes], [chr(c) for c in present.tolist()]
    index: dict[str, int] = {}
    ids = array("i")
    for line in _lines(text):
        words = tokenizer(line)
        if words:
            ids.extend([index.setdefault(word, len(index)) for word in words])
            ids.append(index.setdefault(EOS, len(index)))
    return np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, dtype=np.int32), list(index)


def _lines(text: str):
    """``text.split("\\n")`` one line at a time, without a list of every line."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def vocabulary_from_ids(ids: np.ndarray, distinct: list[str], level: str, max_size: int | None = None,
                        min_freq: int = 1) -> Vocabulary:
    """``build_vocabulary`` of the tokens ``ids`` stand for, counted with numpy."""
    counts = np.bincount(ids, minlength=len(distinct)).tolist()
    return Vocabulary.from_counts({token: n for token, n in zip(distinct, counts) if n}, min_freq=min_freq,
                                  max_size=max_size, eos=level == "word")


def encode_ids(ids: np.ndarray, distinct: list[str], vocabulary: Vocabulary) -> torch.Tensor:
    """First-seen ids → the vocabulary's (unknown tokens → <unk>), as ``encode`` gives them."""
    mapping = np.array([vocabulary.token_to_index.get(token, vocabulary.unk_index) for token in distinct] or [0],
                       dtype=np.int64)
    return torch.from_numpy(mapping[ids])
