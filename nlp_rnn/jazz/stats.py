"""Statistics of a solo, so a generated one can be compared with its source."""

from __future__ import annotations

from nlp_rnn.jazz.harmony import TONE_TYPES, chord_at, is_strong_beat, tone_type
from nlp_rnn.jazz.piece import Piece

NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
LABELS = {  # statistic → what a page calls it
    "notes": "Notes", "rests": "Rests", "bars": "Bars", "duration_quarters": "Length (quarter notes)",
    "tempo": "Tempo (beats per minute)", "duration_seconds": "Length (seconds)",
    "pitch_low": "Lowest note", "pitch_high": "Highest note",
    "pitch_range": "Range (semitones)", "repeated_pitch_share": "Repeated pitches",
    "distinct_4gram_share": "Distinct 4-note patterns", "chord_tone_share": "Chord tones",
    "scale_tone_share": "Scale tones", "approach_tone_share": "Approach tones", "other_tone_share": "Other tones",
    "strong_beat_chord_tone_share": "Chord tones on strong beats",
}


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
        "tempo": piece.tempo,
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
    strong = [t for n, t in zip(notes, types) if is_strong_beat(n.offset, piece.beats_per_bar)]
    stats["strong_beat_chord_tone_share"] = _share(strong.count("C"), len(strong))
    return stats


def labelled(stats: dict) -> dict[str, str]:
    """The statistics a page shows, by their LABELS, as text (durations with units; unknown as "—")."""
    shown = {}
    for key, label in LABELS.items():
        value = stats.get(key)
        if value is None:
            shown[label] = "—"
        elif key.endswith("_share"):
            shown[label] = f"{value:.0%}"
        elif key == "duration_seconds":
            shown[label] = f"{value:g} s"
        else:
            shown[label] = f"{value:g}" if isinstance(value, float) else str(value)
    return shown


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole > 0 else 0.0
