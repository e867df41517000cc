"""``generate``-compatible view of the improviser that knows where each stream is in time.

``generate`` drives any model with ``init_hidden``/``__call__``/``step``. ``ChordTrack`` wraps the
improviser so that its state also carries each stream's position in time: after every token it
advances by the token's duration, feeds the chord and beat of the next onset (chord-conditioned
models), and once the requested length is full it forces ``<eos>``, which ends the stream.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from nlp_rnn.devices import to_model
from nlp_rnn.jazz.context import context_tensor
from nlp_rnn.jazz.harmony import Chord
from nlp_rnn.jazz.model import JazzModel
from nlp_rnn.jazz.piece import GRID
from nlp_rnn.jazz.tokens import duration_of
from nlp_rnn.sampling import SampleConfig, generate
from nlp_rnn.vocab import Vocabulary


class ChordTrack:
    """``generate``-compatible view of a JazzModel playing over ``chords`` for ``total`` quarter notes."""

    def __init__(self, model: JazzModel, vocabulary: Vocabulary, chords: list[Chord], beats_per_bar: float, total: float):
        self.model, self.chords, self.beats_per_bar, self.total = model, chords, beats_per_bar, total
        self.durations = to_model(model, torch.tensor([duration_of(t) for t in vocabulary.index_to_token]))  # (vocab,)
        self.eos = vocabulary.eos_index

    @property
    def device(self) -> torch.device:
        return self.durations.device

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
        return self.model.init_hidden(batch_size), torch.zeros(batch_size, device=self.device)

    def __call__(self, tokens: torch.Tensor, hidden):
        """tokens (streams, seq) → logits (streams, seq, vocab); hidden = (recurrent state, onset per stream)."""
        state, onset = hidden
        onsets = onset[:, None] + self.durations[tokens].cumsum(1)  # (streams, seq): start of the note each step predicts
        context = None
        if self.model.config.context_size:
            flat = context_tensor(self.chords, onsets.reshape(-1), self.beats_per_bar)  # (streams * seq, C)
            context = to_model(self.model, flat.reshape(*onsets.shape, -1))
        logits, state = self.model(tokens, context, state)
        logits[:, -1] = self._finish(logits[:, -1], onsets[:, -1])
        return logits, (state, onsets[:, -1])

    def step(self, tokens: torch.Tensor, hidden):
        state, onset = hidden
        onset = onset + self.durations[tokens]  # (streams,)
        context = None
        if self.model.config.context_size:
            context = to_model(self.model, context_tensor(self.chords, onset, self.beats_per_bar))
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


def sample_tokens(improviser, prime: list[str], chords: list[Chord], beats: float, total: float,
                  config: SampleConfig) -> list[str]:
    """Tokens after ``prime`` until ``total`` quarter notes are filled, sampled with ``config``."""
    track = ChordTrack(improviser.model, improviser.vocabulary, chords, beats, total)
    limit = int(total / GRID) + 1  # at most one token per sixteenth, then <eos>
    config = replace(config, max_new_tokens=limit, stop_token=track.eos)
    return improviser.vocabulary.decode(generate(track, improviser.vocabulary.encode(prime), config)[0])
