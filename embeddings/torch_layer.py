"""From word vectors to a torch ``nn.Embedding``, frozen or trainable.

Two layouts:
- ``words=None`` (full): the course's layer, one row per vector word plus row 0 for padding
  (GloVe 6B: 400,001 × 50). Row 0 is zeros and also stands for words the vectors lack.
- ``words=[...]`` (restricted): row 0 ``<pad>`` (zeros), row 1 ``<unk>`` (zeros), then the given
  words in order; a saved model then carries its own few thousand rows, not 400,000. Words the
  vectors lack get zeros, small random vectors, or the mean vector (``missing=``); they are
  listed in ``EmbeddingLayer.missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from gensim.models import KeyedVectors
from torch import nn

PAD, UNK = "<pad>", "<unk>"


@dataclass
class EmbeddingLayer:
    embedding: nn.Embedding
    index_to_token: list[str]  # row → token
    unk_index: int  # the row unknown words map to
    missing: list[str] = field(default_factory=list)  # requested words the vectors lack

    @property
    def token_to_index(self) -> dict[str, int]:
        return {token: index for index, token in enumerate(self.index_to_token)}


def embedding_from_vectors(
    kv: KeyedVectors,
    words: list[str] | None = None,
    freeze: bool = True,
    missing: Literal["zeros", "random", "mean"] = "zeros",
    seed: int = 0,
) -> EmbeddingLayer:
    """Build the embedding layer (see the module docstring for the two layouts)."""
    if words is None:
        matrix = np.zeros((len(kv) + 1, kv.vector_size), dtype=np.float32)
        matrix[1:] = kv.vectors
        return EmbeddingLayer(_layer(matrix, freeze), [PAD, *kv.index_to_key], unk_index=0)
    tokens = [PAD, UNK] + list(dict.fromkeys(w for w in words if w not in (PAD, UNK)))
    matrix = np.zeros((len(tokens), kv.vector_size), dtype=np.float32)
    known = [i for i, token in enumerate(tokens[2:], start=2) if token in kv.key_to_index]
    matrix[known] = kv.vectors[[kv.key_to_index[tokens[i]] for i in known]]
    absent = [i for i in range(2, len(tokens)) if tokens[i] not in kv.key_to_index]
    if absent and missing == "random":
        scale = float(np.std(matrix[known])) if known else 0.1
        matrix[absent] = np.random.default_rng(seed).normal(0.0, scale, (len(absent), kv.vector_size))
    elif absent and missing == "mean" and known:
        matrix[absent] = matrix[known].mean(axis=0)
    return EmbeddingLayer(_layer(matrix, freeze), tokens, unk_index=1, missing=[tokens[i] for i in absent])


def _layer(matrix: np.ndarray, freeze: bool) -> nn.Embedding:
    return nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=freeze, padding_idx=0)


def set_trainable(embedding: nn.Embedding, trainable: bool) -> None:
    """Freeze or unfreeze in place (the trainer's optimizer holds every parameter, so this takes effect)."""
    embedding.weight.requires_grad_(trainable)
