"""Key augmentation: each training piece learnt in a random key, so what the model learns about a
chord's root and the melody's pitches holds in every key, not only in the keys of the training music."""

from __future__ import annotations

import dataclasses
import random

from nlp_rnn.jazz.harmony import Chord
from nlp_rnn.jazz.piece import Note, Piece

SHIFTS = range(-5, 7)  # semitones: every key once, moving the melody by at most a fourth down or a tritone up


def transposed(piece: Piece, shift: int) -> Piece:
    """``piece`` moved by ``shift`` semitones: melody pitches (kept inside MIDI's 0-127) and chords."""
    low = min((n.pitch for n in piece.melody if n.pitch is not None), default=60)
    high = max((n.pitch for n in piece.melody if n.pitch is not None), default=60)
    shift = min(max(shift, -low), 127 - high)
    melody = [Note(n.offset, n.duration, None if n.pitch is None else n.pitch + shift) for n in piece.melody]
    chords = [Chord(c.offset, (c.root + shift) % 12, c.quality, tuple(sorted((pc + shift) % 12 for pc in c.pitch_classes)))
              for c in piece.chords]
    return dataclasses.replace(piece, melody=melody, chords=chords)


def in_random_keys(pieces: list[Piece], copies: int, seed: int) -> list[Piece]:
    """``copies`` versions of every piece, each in a key drawn with ``seed`` (0 copies: the pieces as written)."""
    if copies <= 0:
        return pieces
    rng = random.Random(seed)
    return [transposed(piece, rng.choice(SHIFTS)) for piece in pieces for _ in range(copies)]
