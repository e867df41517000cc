"""Improvising: sample tokens over a chord progression with the one ``generate``, then realise them.

``generate`` drives any model with ``init_hidden``/``__call__``/``step``. ``ChordTrack`` wraps the
improviser so that its state also carries each stream's position in time: after every token it
advances by the token's duration, feeds the chord and beat of the next onset (chord-conditioned
models), and once the requested bars are full it forces ``<eos>``, which ends the stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.context import context_tensor
from nlp_rnn.jazz.harmony import Chord
from nlp_rnn.jazz.model import JazzModel
from nlp_rnn.jazz.piece import GRID, Piece
from nlp_rnn.jazz.tokens import REGISTER, duration_of, realise
from nlp_rnn.models.store import load_model
from nlp_rnn.sampling import SampleConfig, generate
from nlp_rnn.vocab import Vocabulary


@dataclass
class Improviser:
    model: JazzModel
    vocabulary: Vocabulary
    extra: dict  # options, source chords, metre, tempo (see jazz.train)
    history: list

    @property
    def source_chords(self) -> list[Chord]:
        return [Chord(o, r, q, tuple(p)) for o, r, q, p in self.extra["chords"]]

    @property
    def beats_per_bar(self) -> float:
        return float(self.extra.get("beats_per_bar", 4.0))


def load_improviser(directory: str | Path) -> Improviser:
    loaded = load_model(directory, kind="jazz")
    return Improviser(loaded.model, loaded.vocabulary, loaded.extra, loaded.history)


class ChordTrack:
    """``generate``-compatible view of a JazzModel playing over ``chords`` for ``total`` quarter notes."""

    def __init__(self, model: JazzModel, vocabulary: Vocabulary, chords: list[Chord], beats_per_bar: float, total: float):
        self.model, self.chords, self.beats_per_bar, self.total = model, chords, beats_per_bar, total
        self.durations = torch.tensor([duration_of(t) for t in vocabulary.index_to_token])  # (vocab,)
        self.eos = vocabulary.eos_index

    @property
    def training(self) -> bool:
        return self.model.training  # generate() restores this mode when it is done

    def eval(self):
        self.model.eval()
        return self

    def train(self, mode: bool = True):
        self.model.train(mode)
        return self

    def init_hidden(self, batch_size: int):
        return self.model.init_hidden(batch_size), torch.zeros(batch_size)

    def __call__(self, tokens: torch.Tensor, hidden):
        """tokens (streams, seq) → logits (streams, seq, vocab); hidden = (recurrent state, onset per stream)."""
        state, onset = hidden
        onsets = onset[:, None] + self.durations[tokens].cumsum(1)  # (streams, seq): start of the note each step predicts
        context = None
        if self.model.config.context_size:
            context = torch.stack([context_tensor(self.chords, row.tolist(), self.beats_per_bar) for row in onsets])
        logits, state = self.model(tokens, context, state)
        logits[:, -1] = self._finish(logits[:, -1], onsets[:, -1])
        return logits, (state, onsets[:, -1])

    def step(self, tokens: torch.Tensor, hidden):
        state, onset = hidden
        onset = onset + self.durations[tokens]  # (streams,)
        context = None
        if self.model.config.context_size:
            context = context_tensor(self.chords, onset.tolist(), self.beats_per_bar)
        logits, state = self.model.step(tokens, context, state)
        return self._finish(logits, onset), (state, onset)

    def _finish(self, logits: torch.Tensor, onset: torch.Tensor) -> torch.Tensor:
        """Streams whose bars are full can only say <eos>; others may not say it (or pad/unk) yet."""
        full = onset >= self.total - 1e-6
        logits = logits.clone()
        logits[~full, : self.eos + 1] = float("-inf")  # <pad>, <unk>, <eos>
        logits[full] = float("-inf")
        logits[full, self.eos] = 0.0
        return logits


def improvise(improviser: Improviser, bars: int = 16, chords: list[Chord] | None = None, temperature: float = 1.0,
              seed: int = 0, top_k: int | None = None) -> Piece:
    """A new solo of ``bars`` bars over ``chords`` (one per bar, repeated to fill; default: the source's).

    Same seed → same solo. Raises UserError for a bar count out of range.
    """
    if not 1 <= bars <= 512:
        raise UserError(f"--bars {bars}: give between 1 and 512 bars")
    beats = improviser.beats_per_bar
    total = bars * beats
    progression = _fill(chords, bars, beats) if chords else _repeat(improviser.source_chords, total, beats)
    track = ChordTrack(improviser.model, improviser.vocabulary, progression, beats, total)
    limit = int(total / GRID) + 1  # at most one token per sixteenth, then <eos>
    config = SampleConfig(max_new_tokens=limit, temperature=temperature, top_k=top_k, seed=seed, stop_token=track.eos)
    indices = generate(track, [track.eos], config)[0]
    tokens = improviser.vocabulary.decode(indices)
    melody = realise(tokens, progression, seed=seed, total=total, register=tuple(improviser.extra.get("register", REGISTER)))
    return Piece(melody, progression, beats, improviser.extra.get("tempo"), "text" if chords else "source")


def _fill(chords: list[Chord], bars: int, beats: float) -> list[Chord]:
    return [Chord(bar * beats, c.root, c.quality, c.pitch_classes) for bar, c in
            ((bar, chords[bar % len(chords)]) for bar in range(bars))]


def _repeat(chords: list[Chord], total: float, beats: float) -> list[Chord]:
    """The source progression looped (by whole bars) until ``total`` quarter notes are covered."""
    span = max(beats, -(-max(c.offset for c in chords) // beats) * beats + beats)
    out, start = [], 0.0
    while start < total:
        out += [Chord(start + c.offset, c.root, c.quality, c.pitch_classes) for c in chords if start + c.offset < total]
        start += span
    return out
