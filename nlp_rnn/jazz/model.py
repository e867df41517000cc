"""The improviser: token embedding (+ the chord and beat position each step) → LSTM → next token."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlp_rnn.jazz.context import BEAT_FEATURES
from nlp_rnn.models.recurrent import Cell, Hidden, RecurrentConfig, RecurrentEncoder


@dataclass(frozen=True)
class JazzModelConfig:
    vocab_size: int = 90  # tokens, specials included
    embed_dim: int = 32  # token embedding width (the exercise feeds one-hot vectors)
    hidden_size: int = 64  # the exercise's n_a
    num_layers: int = 1
    cell: Cell = "lstm"
    dropout: float = 0.0  # between layers and before the output
    context_size: int = 0  # per-step conditioning features (0: the exercise's plain LSTM)
    context_dropout: float = 0.0  # in training: the chord, and apart from it the beat, hidden from a step this often


class JazzModel(nn.Module):
    """tokens (batch, seq) [+ context (batch, seq, context_size)] → logits (batch, seq, vocab)."""

    def __init__(self, config: JazzModelConfig):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        self.encoder = RecurrentEncoder(RecurrentConfig(config.cell, config.embed_dim + config.context_size,
                                                        config.hidden_size, config.num_layers, False, config.dropout))
        self.dropout = nn.Dropout(config.dropout)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)

    def init_hidden(self, batch_size: int) -> Hidden:
        return self.encoder.init_hidden(batch_size)

    def forward(self, tokens: torch.Tensor, context: torch.Tensor | None = None,
                hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        inputs = self.embedding(tokens)  # (batch, seq, embed)
        if self.config.context_size:
            inputs = torch.cat([inputs, self._dropped(context)], dim=-1)  # (batch, seq, embed + context)
        outputs, hidden = self.encoder(inputs, hidden=hidden)  # (batch, seq, hidden)
        return self.decoder(self.dropout(outputs)), hidden

    def _dropped(self, context: torch.Tensor) -> torch.Tensor:
        """In training, each step's chord features and its beat features zeroed (apart) with ``context_dropout``:
        the model must also read the harmony and the metre from the notes, so it does not stake everything on one
        style's chord-to-rhythm habits (jazz.context: the last BEAT_FEATURES are the beat)."""
        if not (self.training and self.config.context_dropout):
            return context
        keep = torch.rand(*context.shape[:-1], 2, device=context.device) >= self.config.context_dropout
        chord, beat = context.shape[-1] - BEAT_FEATURES, BEAT_FEATURES
        return context * torch.cat([keep[..., :1].expand(*keep.shape[:-1], chord),
                                    keep[..., 1:].expand(*keep.shape[:-1], beat)], dim=-1).to(context.dtype)

    def step(self, tokens: torch.Tensor, context: torch.Tensor | None = None,
             hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        """One token per stream: tokens (batch,) [+ context (batch, context_size)] → logits (batch, vocab)."""
        inputs = self.embedding(tokens)
        if self.config.context_size:
            inputs = torch.cat([inputs, context], dim=-1)
        outputs, hidden = self.encoder.step(inputs, hidden)
        return self.decoder(self.dropout(outputs)), hidden
