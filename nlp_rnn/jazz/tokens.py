"""Melodies as tokens, and tokens back into melodies.

Two schemes:

- ``grammar`` — the deepjazz abstract grammar. Each note becomes ``TYPE,DURATION,<LOW,HIGH>``: its
  tone type against the chord sounding at its onset (C chord, S scale, A approach, X other; R for a
  rest), its length in quarter notes on the sixteenth grid, and the window of directed intervals
  (in semitones) that holds the step from the previous note: unison, a step (1-2), a third (3-4),
  a fourth/fifth (5-7) or a larger leap (8-12, wider leaps folded to it). The first note has no
  window. Tokens say nothing about the key, so a solo learnt over one progression transfers to any
  other: the realiser picks, for each token, a pitch of the right type inside the window against
  the chord of the new piece.
- ``pitch`` — plain ``P<midi>,DURATION`` / ``R,DURATION`` tokens, for comparison.
"""

from __future__ import annotations

import re

import numpy as np

from nlp_rnn.jazz.harmony import Chord, chord_at, tone_type
from nlp_rnn.jazz.piece import GRID, Note

SCHEMES = ("grammar", "pitch")
WINDOWS = ((0, 0), (1, 2), (3, 4), (5, 7), (8, 12))  # |interval| buckets
REGISTER = (55, 88)  # the realiser keeps the solo between G3 and E6
TOKEN = re.compile(r"^(?P<type>[CSAXR]|P(?P<pitch>\d+)),(?P<duration>[\d.]+)(?:,<(?P<low>-?\d+),(?P<high>-?\d+)>)?$")


def encode(melody: list[Note], chords: list[Chord], scheme: str = "grammar") -> list[str]:
    """Tokens for ``melody`` (notes with onsets and durations on the sixteenth grid)."""
    tokens, previous = [], None
    for note in melody:
        duration = _duration(note.duration)
        if note.pitch is None:
            tokens.append(f"R,{duration}")
        elif scheme == "pitch":
            tokens.append(f"P{note.pitch},{duration}")
        else:
            kind = tone_type(note.pitch, chord_at(chords, note.offset))
            window = "" if previous is None else ",<{},{}>".format(*interval_window(note.pitch - previous))
            tokens.append(f"{kind},{duration}{window}")
        if note.pitch is not None:
            previous = note.pitch
    return tokens


def interval_window(interval: int) -> tuple[int, int]:
    size = min(abs(interval), 12)
    low, high = next(w for w in WINDOWS if w[0] <= size <= w[1])
    return (low, high) if interval >= 0 else (-high, -low)


def duration_of(token: str) -> float:
    """Quarter notes a token lasts (0 for special tokens such as ``<eos>``)."""
    match = TOKEN.match(token)
    return float(match.group("duration")) if match else 0.0


def realise(tokens: list[str], chords: list[Chord], seed: int = 0, total: float | None = None,
            register: tuple[int, int] = REGISTER, start: float = 0.0, previous: int | None = None,
            repeats: bool = True) -> list[Note]:
    """Notes for ``tokens`` against ``chords`` inside ``register`` (lowest, highest MIDI pitch), from
    offset ``start`` after the pitch ``previous`` (a primer's last note), stopping at ``total`` quarter notes.

    Durations stay on the sixteenth grid and one note sounds at a time. ``repeats=False`` is the
    classic exercise's clean-up (no pitch repeated from one note to the next); with ``True`` a
    unison token repeats the pitch, as the data does. Tokens that do not parse (``<eos>``) are skipped.
    """
    rng = np.random.default_rng(seed)
    notes, offset = [], start
    for token in tokens:
        match = TOKEN.match(token)
        if match is None:
            continue
        duration = max(GRID, round(float(match.group("duration")) / GRID) * GRID)
        if total is not None:
            if offset >= total - 1e-6:
                break
            duration = min(duration, total - offset)
        if match.group("type") == "R":
            pitch = None
        elif match.group("pitch"):
            pitch = int(match.group("pitch"))
            pitch = pitch if repeats else _avoid_repeat(pitch, previous)
        else:
            window = (int(match.group("low")), int(match.group("high"))) if match.group("low") else None
            pitch = _choose(match.group("type"), window, previous, chord_at(chords, offset), rng, register, repeats)
        notes.append(Note(offset, duration, pitch))
        previous = pitch if pitch is not None else previous
        offset += duration
    return _merge_rests(notes)


def _choose(kind: str, window: tuple[int, int] | None, previous: int | None, chord: Chord, rng,
            register: tuple[int, int], repeats: bool) -> int:
    low, high = register
    if previous is None or window is None:
        centre = previous if previous is not None else (low + high) // 2
        candidates = range(centre - 6, centre + 7)
    else:
        candidates = range(previous + window[0], previous + window[1] + 1)
        if candidates.start > high or candidates.stop - 1 < low:  # the window leaves the register: mirror it
            candidates = range(previous - window[1], previous - window[0] + 1)
    allowed = (lambda p: True) if repeats and window == (0, 0) else (lambda p: p != previous)
    for widen in (0, 2, 5, 12):
        pool = [p for p in range(candidates.start - widen, candidates.stop + widen)
                if low <= p <= high and allowed(p) and tone_type(p, chord) == kind]
        if pool:
            return int(rng.choice(pool))
    pool = [p for p in range(low, high + 1) if p != previous and tone_type(p, chord) in (kind, "C")]
    return int(min(pool, key=lambda p: abs(p - (previous or (low + high) // 2))))


def _avoid_repeat(pitch: int, previous: int | None) -> int:
    return pitch + 1 if pitch == previous else pitch


def _merge_rests(notes: list[Note]) -> list[Note]:
    merged: list[Note] = []
    for note in notes:
        if note.pitch is None and merged and merged[-1].pitch is None:
            merged[-1] = Note(merged[-1].offset, merged[-1].duration + note.duration, None)
        else:
            merged.append(note)
    return merged


def _duration(value: float) -> str:
    return f"{max(GRID, round(value / GRID) * GRID):g}"
