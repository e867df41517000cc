"""What the chord-conditioned model sees besides the tokens: the chord and the position in the bar.

For the step that predicts a note starting at offset ``t``: the chord at ``t`` as 12 pitch classes
relative to its root plus its root (12 one-hot), and ``t``'s sixteenth within the bar (16 one-hot).
Relative pitch classes let the same chord quality look alike in every key.
"""

from __future__ import annotations

import torch

from nlp_rnn.jazz.harmony import Chord, chord_at
from nlp_rnn.jazz.piece import GRID

CONTEXT_SIZE = 40


def features(chords: list[Chord], offset: float, beats_per_bar: float) -> list[float]:
    chord = chord_at(chords, offset)
    vector = [0.0] * CONTEXT_SIZE
    for pc in chord.pitch_classes:
        vector[(pc - chord.root) % 12] = 1.0
    vector[12 + chord.root] = 1.0
    vector[24 + int(round((offset % beats_per_bar) / GRID)) % 16] = 1.0
    return vector


def context_tensor(chords: list[Chord], offsets: list[float], beats_per_bar: float) -> torch.Tensor:
    """(len(offsets), CONTEXT_SIZE) features for the notes starting at ``offsets``."""
    return torch.tensor([features(chords, offset, beats_per_bar) for offset in offsets], dtype=torch.float32)
