"""The improviser: token embedding (+ the chord and beat position each step) → LSTM → next token."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlp_rnn.jazz.context import BEAT_FEATURES
from nlp_rnn.models.recurrent import Cell, Hidden, RecurrentConfig, RecurrentEncoder

PITCH_CLASSES = "0123456789ab"  # JazzModelConfig.pitch_classes' characters


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
    # chord-conditioned: one character per token, its MIDI pitch class in hex ("." for rests and specials); given,
    # each pitch token's logit gets a learned weight for its interval above the step's chord root (see ChordBias)
    pitch_classes: str = ""
    chord_bias_gate: bool = False  # the interval weights also move with the LSTM state (a Linear(hidden, 13))
    chord_bias: bool = True  # with pitch_classes: the ChordBias (False: pitch_classes serve note_intervals alone)
    # with pitch_classes: the LSTM is also fed each input note's interval above the step's chord root (NoteIntervals)
    note_intervals: bool = False


class JazzModel(nn.Module):
    """tokens (batch, seq) [+ context (batch, seq, context_size)] → logits (batch, seq, vocab)."""

    def __init__(self, config: JazzModelConfig):
        super().__init__()
        self.config = config
        pitched = bool(config.pitch_classes and config.context_size)
        self.intervals = NoteIntervals(config) if pitched and config.note_intervals else None
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim)
        inputs = config.embed_dim + config.context_size + (INTERVAL_FEATURES if self.intervals is not None else 0)
        self.encoder = RecurrentEncoder(RecurrentConfig(config.cell, inputs, config.hidden_size, config.num_layers,
                                                        False, config.dropout))
        self.dropout = nn.Dropout(config.dropout)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        self.chord_bias = ChordBias(config) if pitched and config.chord_bias else None

    def init_hidden(self, batch_size: int) -> Hidden:
        return self.encoder.init_hidden(batch_size)

    def forward(self, tokens: torch.Tensor, context: torch.Tensor | None = None,
                hidden: Hidden | None = None) -> tuple[torch.Tensor, Hidden]:
        if self.config.context_size:
            context = self._dropped(context)
        outputs, hidden = self.encoder(self._inputs(tokens, context), hidden=hidden)  # (batch, seq, hidden)
        return self._logits(outputs, context), hidden

    def _inputs(self, tokens: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        """What the LSTM reads at each step: the token's embedding [+ the context [+ the note's interval]]."""
        inputs = self.embedding(tokens)
        if not self.config.context_size:
            return inputs
        intervals = [] if self.intervals is None else [self.intervals(tokens, context)]
        return torch.cat([inputs, context, *intervals], dim=-1)

    def _logits(self, outputs: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        logits = self.decoder(self.dropout(outputs))
        return logits if self.chord_bias is None else logits + self.chord_bias(outputs, context)

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
        outputs, hidden = self.encoder.step(self._inputs(tokens, context), hidden)
        return self._logits(outputs, context), hidden


class ChordBias(nn.Module):
    """A key-independent chord-to-pitch path: for the step's chord root r and a token of pitch class p, the weight of
    the interval (p - r) mod 12, plus one weight if p is a chord tone, added to the token's logit. About 13 numbers
    the same in every key (a layer from the chord to the logits learns each key's habits instead); a step whose
    chord is hidden (context dropout zeroes its root) gets no bias."""

    def __init__(self, config: JazzModelConfig):
        super().__init__()
        self.weights = nn.Parameter(torch.zeros(13))  # 12 intervals above the root, then "is a chord tone"
        self.gate = nn.Linear(config.hidden_size, 13) if config.chord_bias_gate else None
        if self.gate is not None:
            nn.init.zeros_(self.gate.weight), nn.init.zeros_(self.gate.bias)
        self.register_buffer("pitch_class", pitch_class_table(config), persistent=False)  # (vocab, 12)
        self.register_buffer("rotate", ROTATE.clone(), persistent=False)

    def forward(self, outputs: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        relative, root = context[..., :12], context[..., 12:24]  # jazz.context: chord tones above the root, the root
        weights = self.weights if self.gate is None else self.weights + self.gate(outputs)
        per_interval = weights[..., :12] + weights[..., 12:] * relative  # (..., 12): relative to the root
        absolute = torch.einsum("...r,rck,...k->...c", root, self.rotate, per_interval)  # (..., 12) pitch classes
        return absolute @ self.pitch_class.T  # (..., vocab)


def pitch_class_table(config: JazzModelConfig) -> torch.Tensor:
    """(vocab, 12): each token's pitch class one-hot (a row of zeros for a token without a pitch)."""
    if len(config.pitch_classes) != config.vocab_size:
        raise ValueError("pitch_classes must give one character per token")
    if set(config.pitch_classes) - set(PITCH_CLASSES + "."):
        raise ValueError(f"pitch_classes must give one of {PITCH_CLASSES}. per token")
    classes = torch.tensor([PITCH_CLASSES.find(c) for c in config.pitch_classes])  # -1: no pitch
    return nn.functional.one_hot(classes + 1, 13)[:, 1:].float()


_K = torch.arange(12)
# ROTATE[r, c, k] = 1 where c = (k + r) mod 12: the interval k above the root r is the pitch class c
ROTATE = (_K[None, :, None] == (_K[None, None, :] + _K[:, None, None]) % 12).float()
INTERVAL_FEATURES = 13  # NoteIntervals: 12 intervals above the chord root, then "no pitch"


class NoteIntervals(nn.Module):
    """What the LSTM of a chord-conditioned pitch-token model is fed besides the token: the input note's pitch class
    as an interval above the chord root of the step (12 one-hot; a rest or special token: the 13th), so a scale-degree
    habit is learnt once for all keys, where the token itself names an absolute pitch. The same melody and chords
    transposed give the same features; a step whose chord is hidden (context dropout zeroes its root) gets zeros."""

    def __init__(self, config: JazzModelConfig):
        super().__init__()
        self.register_buffer("pitch_class", pitch_class_table(config), persistent=False)  # (vocab, 12)
        self.register_buffer("rotate", ROTATE.clone(), persistent=False)

    def forward(self, tokens: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        pitch, root = self.pitch_class[tokens], context[..., 12:24]  # (..., 12) each; jazz.context: the root
        relative = torch.einsum("...r,rck,...c->...k", root, self.rotate, pitch)  # (..., 12)
        no_pitch = root.sum(-1, keepdim=True) * (1.0 - pitch.sum(-1, keepdim=True))  # 0 where the chord is hidden
        return torch.cat([relative, no_pitch], dim=-1)
