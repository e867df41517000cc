"""Sequence classifier: embedding → (recurrent stack) → pooling → linear.

``cell="none"`` is the bag-of-embeddings baseline (the Emojify V1 model: average the word
vectors, then a linear layer); with ``pooling="attention"`` it also reads an attention-weighted
average of the word vectors, beside the plain one (so that "pizza" can outweigh "I" and "the"); with ``negation`` the words in a
negation's scope ("not happy") are averaged into a block of their own; any other cell runs a recurrent stack (Emojify V2).
"""

from __future__ import annotations

import torch
from torch import nn

from nlp_rnn.models.classifier_config import ClassifierConfig, Pooling, frequency_weight, split_scope  # noqa: F401 (public here too)
from nlp_rnn.models.recurrent import RecurrentConfig, RecurrentEncoder, top_layer_state


def length_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(batch,) lengths → (batch, max_len) bool, True on real tokens."""
    return torch.arange(max_len, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


class AttentionPooling(nn.Module):
    """Additive attention with a learned query: weights = softmax(v · tanh(W h_t)) over real steps."""

    def __init__(self, size: int):
        super().__init__()
        self.project = nn.Linear(size, size)
        self.score = nn.Linear(size, 1, bias=False)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.score(torch.tanh(self.project(states))).squeeze(-1)  # (batch, seq)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights


class Classifier(nn.Module):
    """tokens (batch, seq) + lengths (batch,) → logits (batch, num_classes)."""

    def __init__(self, config: ClassifierConfig, embedding: nn.Embedding | None = None):
        """``embedding``: a prebuilt (e.g. pretrained, shared) layer of the configured shape."""
        super().__init__()
        self.config = config
        if embedding is not None and tuple(embedding.weight.shape) != (config.vocab_size, config.embed_dim):
            shape = (config.vocab_size, config.embed_dim)
            raise ValueError(f"embedding is {tuple(embedding.weight.shape)}, config says {shape}")
        self.embedding = embedding or nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=0)
        self.embedding.weight.requires_grad_(not config.freeze_embeddings)
        size = config.embed_dim
        self.encoder = None
        if config.cell != "none":
            recurrent = RecurrentConfig(
                config.cell, config.embed_dim, config.hidden_size, config.num_layers, config.bidirectional, config.dropout
            )
            self.encoder = RecurrentEncoder(recurrent)
            size = recurrent.output_size
        self.attention = AttentionPooling(size) if config.pooling == "attention" else None
        self.dropout = nn.Dropout(config.dropout)
        if config.negation and (self.encoder is not None or config.pooling == "max"):
            raise ValueError("negation applies to the averages of a 'none' cell only")
        # [attended or max, mean], the mean as [outside a negation's scope, inside it] with negation
        blocks = 1 if self.encoder else 1 + (self.attention is not None or config.pooling == "max") + config.negation
        self.output = nn.Linear(blocks * size, config.num_classes)

    def pool(self, tokens: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The pooled sentence vector (batch, size) and, for attention pooling, the weights (batch, seq)."""
        mask = length_mask(lengths, tokens.size(1))
        tokens, scope = split_scope(tokens, self.config.vocab_size)
        embedded = self.embedding(tokens)  # (batch, seq, embed)
        if self.encoder is None:
            mean = self._average(embedded, tokens, mask, lengths, scope)
            if self.config.pooling == "max":
                return torch.cat([_masked_max(embedded, mask), mean], dim=-1), None  # (batch, 2·embed)
            if self.attention is None:
                return mean, None
            attended, weights = self.attention(embedded, mask)
            return torch.cat([attended, mean], dim=-1), weights  # (batch, 2·embed)
        states, hidden = self.encoder(embedded, lengths=lengths)  # (batch, seq, hidden·dirs)
        if self.attention is not None:
            return self.attention(states, mask)
        if self.config.pooling == "mean":
            return _masked_mean(states, mask, lengths), None
        if self.config.pooling == "max":
            return _masked_max(states, mask), None
        return top_layer_state(hidden, self.encoder.config), None

    def _average(self, embedded: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor, lengths: torch.Tensor,
                 scope: torch.Tensor) -> torch.Tensor:
        """(batch, embed) the average, or (batch, 2·embed) with ``negation``: [the words outside a negation's
        scope, those inside], each summed and divided by the weight of all the sentence's words."""
        a = self.config.frequency_weights
        if not a and not self.config.negation:
            return _masked_mean(embedded, mask, lengths)
        weights = frequency_weight(tokens.to(embedded.dtype), a, self.config.vocab_size) * mask if a else \
            mask.to(embedded.dtype)
        weights = weights / weights.sum(dim=1, keepdim=True).clamp(min=1e-12)  # a sentence of no known word: zeros
        if not self.config.negation:
            return torch.bmm(weights.unsqueeze(1), embedded).squeeze(1)
        inside = weights * scope
        return torch.bmm(torch.stack([weights - inside, inside], dim=1), embedded).flatten(1)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        pooled, _ = self.pool(tokens, lengths)
        return self.output(self.dropout(pooled))


def _masked_mean(values: torch.Tensor, mask: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    summed = (values * mask.unsqueeze(-1)).sum(dim=1)
    return summed / lengths.clamp(min=1).unsqueeze(-1).to(values.dtype)


def _masked_max(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Each feature's largest value over the real steps (a sentence has at least one)."""
    return values.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
