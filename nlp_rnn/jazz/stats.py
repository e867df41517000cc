"""Statistics of a solo, so a generated one can be compared with its source."""

from __future__ import annotations

from nlp_rnn.jazz.harmony import TONE_TYPES, chord_at, tone_type
from nlp_rnn.jazz.piece import Piece

NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def pitch_name(midi: int) -> str:
    return f"{NAMES[midi % 12]}{midi // 12 - 1}"


def solo_stats(piece: Piece) -> dict:
    """Notes, bars, duration, pitch range, tone-type shares against the chords, repeats, 4-gram variety."""
    notes = [n for n in piece.melody if n.pitch is not None]
    pitches = [n.pitch for n in notes]
    types = [tone_type(n.pitch, chord_at(piece.chords, n.offset)) for n in notes]
    grams = [tuple(pitches[i : i + 4]) for i in range(len(pitches) - 3)]
    quarters = round(piece.length, 4)
    stats = {
        "notes": len(notes),
        "rests": sum(1 for n in piece.melody if n.pitch is None),
        "bars": piece.bars,
        "duration_quarters": quarters,
        "duration_seconds": round(quarters * 60 / piece.tempo, 2) if piece.tempo else None,
        "pitch_low": pitch_name(min(pitches)) if pitches else None,
        "pitch_high": pitch_name(max(pitches)) if pitches else None,
        "pitch_range": (max(pitches) - min(pitches)) if pitches else 0,
        "repeated_pitch_share": _share(sum(a == b for a, b in zip(pitches, pitches[1:])), len(pitches) - 1),
        "distinct_4gram_share": _share(len(set(grams)), len(grams)),
        "chords": [c.name for c in piece.chords][:64],
        "chord_source": piece.chord_source,
    }
    names = {"C": "chord", "S": "scale", "A": "approach", "X": "other"}
    for kind in TONE_TYPES:
        stats[f"{names[kind]}_tone_share"] = _share(types.count(kind), len(types))
    return stats


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole > 0 else 0.0
