"""Recurrent language model: embedding → recurrent stack → linear over the vocabulary."""

from __future__ import annotations

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


class LanguageModel(nn.Module):
    """tokens (batch, seq) → logits (batch, seq, vocab), carrying the recurrent state."""

    def __init__(self, config: LanguageModelConfig):
        super().__init__()
        if config.tie_weights and config.embed_dim != config.hidden_size:
            raise ValueError("tie_weights needs embed_dim == hidden_size")
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        self.encoder = RecurrentEncoder(
            RecurrentConfig(config.cell, config.embed_dim, config.hidden_size, config.num_layers, False, config.dropout)
        )
        self.dropout = nn.Dropout(config.dropout)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        if config.init_range is not None:
            for parameter in self.parameters():
                nn.init.uniform_(parameter, -config.init_range, config.init_range)
        if config.tie_weights:
            self.decoder.weight = self.embedding.weight

    def init_hidden(self, batch_size: int) -> Hidden:
        return self.encoder.init_hidden(batch_size)

    def forward(self, tokens: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        embedded = self.dropout(self.embedding(tokens))  # (batch, seq, embed)
        outputs, hidden = self.encoder(embedded, hidden=hidden)  # (batch, seq, hidden)
        return self.decoder(self.dropout(outputs)), hidden

    def step(self, tokens: torch.Tensor, hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """One token per stream: tokens (batch,) → logits (batch, vocab)."""
        embedded = self.embedding(tokens)
        outputs, hidden = self.encoder.step(self.dropout(embedded) if self.training else embedded, hidden)  # (batch, hidden)
        return self.decoder(self.dropout(outputs) if self.training else outputs), hidden
