"""What the chord-conditioned model sees besides the tokens: the chord and the position in the bar.

For the step that predicts a note starting at offset ``t``: the chord at ``t`` as 12 pitch classes
relative to its root plus its root (12 one-hot), and ``t``'s sixteenth within the bar (16 one-hot).
Relative pitch classes let the same chord quality look alike in every key.
"""

from __future__ import annotations

import torch

from nlp_rnn.jazz.harmony import Chord
from nlp_rnn.jazz.piece import GRID

BEAT_FEATURES = 16  # the last features: the sixteenth within the bar
CONTEXT_SIZE = 24 + BEAT_FEATURES


def chord_vector(chord: Chord) -> list[float]:
    """The 24 chord features: relative pitch classes, then the root."""
    vector = [0.0] * 24
    for pc in chord.pitch_classes:
        vector[(pc - chord.root) % 12] = 1.0
    vector[12 + chord.root] = 1.0
    return vector


def context_tensor(chords: list[Chord], offsets: list[float] | torch.Tensor, beats_per_bar: float) -> torch.Tensor:
    """(len(offsets), CONTEXT_SIZE) features for the notes starting at ``offsets``.

    The chord at an offset is the last one starting at or before it (the first chord before the first change).
    """
    offsets = torch.as_tensor(offsets, dtype=torch.float64).reshape(-1)
    starts = torch.tensor([c.offset for c in chords], dtype=torch.float64)
    which = (torch.searchsorted(starts, offsets + 1e-6, right=True) - 1).clamp(min=0)
    table = torch.tensor([chord_vector(c) for c in chords], dtype=torch.float32)  # (chords, 24)
    sixteenth = torch.round(torch.remainder(offsets, beats_per_bar) / GRID).long() % 16
    return torch.cat([table[which], torch.nn.functional.one_hot(sixteenth, 16).float()], dim=1)
