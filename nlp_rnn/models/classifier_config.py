"""The classifier's config, apart from its torch module: the numpy inference path (``nlp_rnn.emojify.numpy_model``)
checks a stored config against it without importing torch."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Pooling = Literal["last", "mean", "max", "attention"]


@dataclass(frozen=True)
class ClassifierConfig:
    vocab_size: int = 1_000  # rows of the embedding, <pad> = 0 included
    embed_dim: int = 50  # embedding width
    num_classes: int = 5  # output labels
    cell: Literal["none", "rnn", "lstm", "gru"] = "lstm"  # "none": average the embeddings
    hidden_size: int = 128  # units per recurrent layer and direction
    num_layers: int = 2  # stacked recurrent layers
    bidirectional: bool = False  # read both ways
    dropout: float = 0.5  # between recurrent layers and before the output layer
    pooling: Pooling = "last"  # how the sequence becomes one vector ("none" cells: the average, + max or attention)
    frequency_weights: float = 0.0  # "none" cells, shared vectors: the average weighs word row r by a / (a + p(r)), a this
    freeze_embeddings: bool = True  # keep pretrained vectors fixed while training
    # "none" cells with the plain or frequency-weighted average: the words in a negation's scope (marked by
    # ``emojify.encoding.encode`` as their row + vocab_size) are averaged into a second block beside the others
    negation: bool = False


def split_scope(tokens, vocab_size: int):
    """(rows, in-scope mask) of encoded tokens, torch tensor or numpy array alike: a word in a negation's scope
    comes as its row + ``vocab_size`` (``emojify.encoding.encode``); every classifier reads the row."""
    scope = tokens >= vocab_size
    return tokens - scope * vocab_size, scope


def frequency_weight(rows, a: float, vocab_size: int):
    """Smooth inverse frequency (Arora et al., 2017) of shared-vector rows, torch tensor or numpy array alike: a
    word's weight is a / (a + p), p its frequency estimated from its rank by Zipf's law (p(r) = 1 / (r ln(1.78 N)),
    the vectors' files list words most frequent first; row r holds word r - 1), so "the", "I", "is" count less
    than "pizza" in the average. Row 0 (padding) weighs 0."""
    scaled = rows * (a * math.log(1.78 * (vocab_size - 1)))
    return scaled / (scaled + 1.0)
