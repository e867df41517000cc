"""The classifier's config, apart from its torch module: the numpy inference path (``nlp_rnn.emojify.numpy_model``)
checks a stored config against it without importing torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Pooling = Literal["last", "mean", "attention"]


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
    pooling: Pooling = "last"  # how the sequence becomes one vector ("none" cells: the average, + attention)
    freeze_embeddings: bool = True  # keep pretrained vectors fixed while training
