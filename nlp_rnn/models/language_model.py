"""Recurrent language model: embedding → recurrent stack → a softmax over the vocabulary, full
(one linear layer) or adaptive (Grave et al. 2017, torch's ``AdaptiveLogSoftmaxWithLoss``: the
frequent head in full, rarer words in smaller clusters, so a step costs a fraction of the full one)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from nlp_rnn.models.recurrent import Cell, Hidden, RecurrentConfig, RecurrentEncoder


@dataclass(frozen=True)
class LanguageModelConfig:
    vocab_size: int = 10_000  # tokens, <pad> included
    embed_dim: int = 200  # embedding width
    hidden_size: int = 200  # units per recurrent layer
    num_layers: int = 2  # stacked layers
    cell: Cell = "lstm"  # rnn | lstm | gru
    dropout: float = 0.0  # on embeddings, between layers and before the decoder (Zaremba et al.)
    tie_weights: bool = False  # share embedding and decoder weights (Press & Wolf 2017; Inan et al. 2017)
    init_range: float | None = None  # uniform(-r, r) for every parameter, as in Zaremba et al.; None = torch default
    softmax: str = "full"  # "full" | "adaptive" (needs a frequency-ordered vocabulary: Vocabulary.build makes one)
    cutoffs: tuple[int, ...] | None = None  # adaptive: cluster boundaries; None = default_cutoffs(vocab_size)


def default_cutoffs(vocab_size: int) -> tuple[int, ...]:
    """A head of the most frequent tenth (at least 10) and a cluster boundary at half the vocabulary:
    for PTB's 10,000 words, a 1,000-word head and clusters of 4,000 and 5,000 (the head also
    holds about 80% of the running words, so most tokens never reach a cluster)."""
    head = max(10, vocab_size // 10)
    return (head, vocab_size // 2) if vocab_size // 2 > head else (head,)


class LanguageModel(nn.Module):
    """tokens (batch, seq) → logits (batch, seq, vocab), carrying the recurrent state."""

    def __init__(self, config: LanguageModelConfig):
        super().__init__()
        if config.tie_weights and config.embed_dim != config.hidden_size:
            raise ValueError("tie_weights needs embed_dim == hidden_size")
        if config.softmax not in ("full", "adaptive"):
            raise ValueError(f"softmax must be full or adaptive, not {config.softmax!r}")
        if config.softmax == "adaptive" and config.tie_weights:
            raise ValueError("an adaptive softmax cannot be tied to the embedding")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        self.encoder = RecurrentEncoder(
            RecurrentConfig(config.cell, config.embed_dim, config.hidden_size, config.num_layers, False, config.dropout)
        )
        self.dropout = nn.Dropout(config.dropout)
        if config.softmax == "adaptive":
            cutoffs = list(config.cutoffs or default_cutoffs(config.vocab_size))
            if not cutoffs or cutoffs != sorted(set(cutoffs)) or cutoffs[0] < 1 or cutoffs[-1] >= config.vocab_size:
                raise ValueError(f"cutoffs must rise from 1 to below the vocabulary size {config.vocab_size}: {cutoffs}")
            # each cluster's projection is div_value times narrower than the last: 4 (Grave et al.), less
            # when the hidden size is too small for the smallest to keep one unit
            div = min(4.0, 2.0 ** (math.log2(config.hidden_size) // len(cutoffs)))
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(config.hidden_size, config.vocab_size, cutoffs, div_value=div)
        else:
            self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        if config.init_range is not None:
            for parameter in self.parameters():
                nn.init.uniform_(parameter, -config.init_range, config.init_range)
        if config.tie_weights:
            self.decoder.weight = self.embedding.weight

    def init_hidden(self, batch_size: int) -> Hidden:
        return self.encoder.init_hidden(batch_size)

    def forward(self, tokens: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """Logits, or with the adaptive softmax log-probabilities (the same distribution to sample from)."""
        outputs, hidden = self._encode(tokens, hidden)
        return self._scores(outputs), hidden

    def loss(self, tokens: torch.Tensor, targets: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """Mean cross-entropy of ``targets`` (batch, seq) after ``tokens``; the adaptive softmax never
        computes the whole distribution for it."""
        outputs, hidden = self._encode(tokens, hidden)
        if self.config.softmax == "adaptive":
            return self.adaptive(outputs.reshape(-1, outputs.size(-1)), targets.reshape(-1)).loss, hidden
        logits = self.decoder(outputs)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1)), hidden

    def _encode(self, tokens: torch.Tensor, hidden: Hidden | None) -> tuple[torch.Tensor, Hidden]:
        embedded = self.dropout(self.embedding(tokens))  # (batch, seq, embed)
        outputs, hidden = self.encoder(embedded, hidden=hidden)  # (batch, seq, hidden)
        return self.dropout(outputs), hidden

    def _scores(self, outputs: torch.Tensor) -> torch.Tensor:
        if self.config.softmax == "adaptive":
            return self.adaptive.log_prob(outputs.reshape(-1, outputs.size(-1))).view(*outputs.shape[:-1], -1)
        return self.decoder(outputs)

    def step(self, tokens: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """One token per stream: tokens (batch,) → logits (batch, vocab)."""
        embedded = self.embedding(tokens)
        outputs, hidden = self.encoder.step(self.dropout(embedded) if self.training else embedded, hidden)  # (batch, hidden)
        return self._scores(self.dropout(outputs) if self.training else outputs), hidden
