"""Chords and how a melody note relates to them: chord tone, scale tone, approach tone or other.

A chord is a root and a set of pitch classes. Chords come from chord symbols (lead sheets, ABC),
from an accompaniment part (per bar, and inside a bar where it strikes another chord on a beat: the
template that best explains the sounding pitch classes, weighted by duration), from the melody
itself when a piece has no chords (the same template match over the bar's melody notes), or from
text such as ``"Cmaj7 Am7 Dm7 G7"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp_rnn.errors import UserError

NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
# suffix → intervals above the root; order breaks ties (simpler chords first)
TEMPLATES = {
    "": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10),
    "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9), "m7b5": (0, 3, 6, 10), "dim": (0, 3, 6), "dim7": (0, 3, 6, 9),
    "aug": (0, 4, 8), "sus4": (0, 5, 7), "mmaj7": (0, 3, 7, 11),
}
# the scale a soloist plays over each chord quality (intervals above the root)
IONIAN, DORIAN, MIXOLYDIAN = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 9, 10), (0, 2, 4, 5, 7, 9, 10)
SCALES = {"": IONIAN, "6": IONIAN, "maj7": IONIAN, "sus4": MIXOLYDIAN, "7": MIXOLYDIAN, "m": DORIAN, "m7": DORIAN,
          "m6": DORIAN, "mmaj7": (0, 2, 3, 5, 7, 9, 11), "m7b5": (0, 1, 3, 5, 6, 8, 10),
          "dim": (0, 2, 3, 5, 6, 8, 9, 11), "dim7": (0, 2, 3, 5, 6, 8, 9, 11), "aug": (0, 2, 4, 6, 8, 10)}
TONE_TYPES = ("C", "S", "A", "X")  # chord, scale, approach (a semitone from a chord tone), other


@dataclass(frozen=True)
class Chord:
    offset: float  # where it starts, in quarter notes from the start of the piece
    root: int  # pitch class 0-11
    quality: str  # a TEMPLATES key
    pitch_classes: tuple[int, ...]  # sounding pitch classes, sorted

    @property
    def name(self) -> str:
        return NOTE_NAMES[self.root] + self.quality

    @property
    def scale(self) -> frozenset[int]:
        return frozenset((self.root + i) % 12 for i in SCALES.get(self.quality, IONIAN)) | set(self.pitch_classes)


def make_chord(offset: float, root: int, quality: str) -> Chord:
    return Chord(offset, root % 12, quality, tuple(sorted((root + i) % 12 for i in TEMPLATES[quality])))


def best_chord(offset: float, weights: dict[int, float], bass: int | None = None) -> Chord | None:
    """The template chord that best explains ``weights`` (pitch class → sounding duration)."""
    total = sum(weights.values())
    if total <= 0:
        return None
    best, best_score = None, float("-inf")
    for root in range(12):
        for quality, intervals in TEMPLATES.items():
            tones = {(root + i) % 12 for i in intervals}
            covered = sum(w for pc, w in weights.items() if pc in tones)
            missing = sum(1 for pc in tones if weights.get(pc, 0) == 0)
            score = covered / total - 0.1 * missing - 0.02 * len(tones) + (0.1 if bass == root else 0.0)
            if score > best_score + 1e-9:
                best, best_score = (root, quality), score
    return make_chord(offset, *best)


def from_symbol(offset: float, figure: str, pitch_classes: list[int]) -> Chord:
    """A chord symbol from a score: its own pitch classes, named by the closest template."""
    chord = best_chord(offset, {pc: 1.0 for pc in pitch_classes})
    root = _root_of(figure)
    if root is not None and chord is not None and chord.root != root:
        chord = best_chord(offset, {pc: 1.0 for pc in pitch_classes}, bass=root)
    return Chord(offset, chord.root, chord.quality, tuple(sorted(set(pitch_classes))))


@dataclass(frozen=True)
class Progression:
    chords: tuple[Chord, ...]  # by offset, the first at 0
    length: float  # quarter notes before it repeats (whole bars)


def parse_progression(text: str, beats_per_bar: float = 4.0, what: str = "--chords") -> Progression:
    """``"Cmaj7:2 Am7:2 Dm7 G7"`` → chords with their rhythm: ``:N`` gives a chord N beats (quarter
    notes); a chord without a length fills the rest of its bar. Spaces, commas or bars separate symbols.

    Raises UserError naming ``what`` (the flag or widget the text came from) and the symbol that cannot be read.
    """
    chords, offset = [], 0.0
    for item in (s for s in re.split(r"[\s,|]+", text.strip()) if s):
        figure, _, beats = item.partition(":")
        chords.append(_symbol_chord(offset, figure, what))
        offset += _beats(item, beats, offset, beats_per_bar, what)
    if not chords:
        raise UserError(f"{what}: no chord symbols given; write for example \"Cmaj7 Am7 Dm7 G7\" or \"Cmaj7:2 Am7:2 Dm7 G7\"")
    return Progression(tuple(chords), -(-round(offset, 6) // beats_per_bar) * beats_per_bar)


def parse_chords(text: str, beats_per_bar: float = 4.0, what: str = "--chords") -> list[Chord]:
    """The chords of ``parse_progression`` (one per bar unless a length is given)."""
    return list(parse_progression(text, beats_per_bar, what).chords)


def _beats(item: str, beats: str, offset: float, beats_per_bar: float, what: str) -> float:
    if not beats:
        return beats_per_bar - offset % beats_per_bar  # fills the bar
    try:
        value = float(beats)
    except ValueError:
        value = float("nan")
    if not 0.25 <= value <= 64 or round(value * 4) != value * 4:
        raise UserError(f"{what}: {item!r} has no usable length; write beats after a colon, from 0.25 to 64 "
                        "in quarter steps, e.g. Cmaj7:2")
    return value


def _symbol_chord(offset: float, figure: str, what: str) -> Chord:
    from music21 import harmony

    try:
        symbol = harmony.ChordSymbol(figure.replace("b", "-") if re.match(r"^[A-G]b", figure) else figure)
        pitch_classes = [p.pitchClass for p in symbol.pitches]
    except Exception:  # music21 raises several types for an unknown figure
        pitch_classes = []
    if not pitch_classes:
        raise UserError(f"{what}: cannot read chord symbol {figure!r}; write symbols such as C, Am7, F#m7b5, "
                        "Bbmaj7, G7 (a length in beats after a colon: Cmaj7:2)")
    return from_symbol(offset, figure, pitch_classes)


def _root_of(figure: str) -> int | None:
    match = re.match(r"^([A-G])([#b-]?)", figure)
    if not match:
        return None
    pc = NOTE_NAMES.index(match.group(1)) if match.group(1) in NOTE_NAMES else "C D EF G A B".index(match.group(1))
    return (pc + {"#": 1, "b": -1, "-": -1}.get(match.group(2), 0)) % 12


def tone_type(pitch: int, chord: Chord) -> str:
    """C, S, A or X: how ``pitch`` (MIDI number) sounds against ``chord``."""
    pc = pitch % 12
    if pc in chord.pitch_classes:
        return "C"
    if pc in chord.scale:
        return "S"
    if any((pc - tone) % 12 in (1, 11) for tone in chord.pitch_classes):
        return "A"
    return "X"


def chord_at(chords: list[Chord], offset: float) -> Chord:
    """The chord sounding at ``offset`` (the first chord before the first change)."""
    current = chords[0]
    for chord in chords:
        if chord.offset > offset + 1e-6:
            break
        current = chord
    return current


def is_strong_beat(offset: float, beats_per_bar: float) -> bool:
    """Onsets on the first beat of either half of the bar (beats 1 and 3 in 4/4; beat 1 in 3/4)."""
    position = offset % beats_per_bar
    half = beats_per_bar / 2 if beats_per_bar % 2 == 0 else beats_per_bar
    return abs(position % half) < 1e-6 or abs(position % half - half) < 1e-6
