"""Encoder-decoder with Luong ("general") attention.

    source ──embed──► encoder stack ──► memory (batch, src, hidden)
                           │ final state (bridged when bidirectional)
    target_in ─embed─► decoder stack ──► h_t ──attend(memory)──► tanh(W[h_t; context]) ──► logits

Training runs the decoder over the whole teacher-forced target in one fused call; decoding
(``nlp_rnn.models.decoding``) calls ``decode`` one step at a time with the carried state.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlp_rnn.models.classifier import length_mask
from nlp_rnn.models.recurrent import Cell, Hidden, RecurrentConfig, RecurrentEncoder


@dataclass(frozen=True)
class Seq2SeqConfig:
    source_vocab_size: int = 16  # source tokens, <pad> = 0 included
    target_vocab_size: int = 16  # target tokens, <pad> = 0 included
    embed_dim: int = 32  # embedding width on both sides
    hidden_size: int = 64  # units per layer (decoder; encoder per direction)
    num_layers: int = 1  # stacked layers on both sides
    cell: Cell = "gru"  # rnn | lstm | gru on both sides
    bidirectional: bool = True  # bidirectional encoder, bridged to the decoder's size
    dropout: float = 0.0  # between stacked layers


@dataclass
class Memory:
    """What the decoder attends to: encoder states (batch, src, hidden) and their mask (batch, src)."""

    states: torch.Tensor
    mask: torch.Tensor

    def repeat(self, times: int) -> Memory:
        return Memory(self.states.repeat_interleave(times, 0), self.mask.repeat_interleave(times, 0))


class Seq2Seq(nn.Module):
    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.config = config
        h = config.hidden_size
        self.source_embedding = nn.Embedding(config.source_vocab_size, config.embed_dim, padding_idx=0)
        self.target_embedding = nn.Embedding(config.target_vocab_size, config.embed_dim, padding_idx=0)
        enc = RecurrentConfig(config.cell, config.embed_dim, h, config.num_layers, config.bidirectional, config.dropout)
        dec = RecurrentConfig(config.cell, config.embed_dim, h, config.num_layers, False, config.dropout)
        self.encoder, self.decoder = RecurrentEncoder(enc), RecurrentEncoder(dec)
        self.bridge = nn.Linear(2 * h, h) if config.bidirectional else None
        self.memory_projection = nn.Linear(enc.output_size, h)
        self.attention = nn.Linear(h, h, bias=False)
        self.combine = nn.Linear(2 * h, h)
        self.output = nn.Linear(h, config.target_vocab_size)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[Memory, Hidden]:
        """source (batch, src) → memory and the decoder's initial state."""
        states, hidden = self.encoder(self.source_embedding(source), lengths=lengths)
        memory = Memory(self.memory_projection(states), length_mask(lengths, source.size(1)))
        if isinstance(hidden, tuple):
            return memory, tuple(self._bridge(h) for h in hidden)
        return memory, self._bridge(hidden)

    def _bridge(self, h: torch.Tensor) -> torch.Tensor:
        if self.bridge is None:
            return h
        layers, batch = self.config.num_layers, h.size(1)
        both = h.view(layers, 2, batch, -1).permute(0, 2, 1, 3).reshape(layers, batch, -1)
        return torch.tanh(self.bridge(both)).contiguous()  # (layers, batch, hidden)

    def decode(
        self, target_in: torch.Tensor, hidden: Hidden, memory: Memory
    ) -> tuple[torch.Tensor, Hidden, torch.Tensor]:
        """target_in (batch, tgt) → logits (batch, tgt, vocab), state, attention (batch, tgt, src)."""
        states, hidden = self.decoder(self.target_embedding(target_in), hidden=hidden)  # (batch, tgt, h)
        scores = torch.bmm(self.attention(states), memory.states.transpose(1, 2))  # (batch, tgt, src)
        weights = torch.softmax(scores.masked_fill(~memory.mask.unsqueeze(1), float("-inf")), dim=-1)
        context = torch.bmm(weights, memory.states)  # (batch, tgt, h)
        combined = torch.tanh(self.combine(torch.cat([states, context], dim=-1)))
        return self.output(combined), hidden, weights

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, target_in: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (batch, tgt, vocab)."""
        memory, hidden = self.encode(source, lengths)
        logits, _, _ = self.decode(target_in, hidden, memory)
        return logits
