"""Bach's chorales as melodies with real harmony: the soprano is the melody, and the chords come from
the three lower voices beat by beat (the template that best explains the pitches sounding in each
beat, the bass as the bass; a beat with the chord before it adds no change).

The chords are the composer's, independent of the melody a model predicts: chords guessed from the
melody itself (what tunes without an accompaniment get) tell a chord-conditioned model the notes it
is about to predict, which it learns to lean on and which no real lead sheet gives it.
"""

from __future__ import annotations

import importlib.util
import zlib
from pathlib import Path

from nlp_rnn.jazz.parse import ParsedScore, parse_file
from nlp_rnn.jazz.piece import Piece, chords_per_beat, lead_in, select

VOICES = 4  # soprano, alto, tenor, bass


def chorale_files() -> list[Path]:
    """The chorales in the installed music21's corpus (bach/bwv*.mxl), in name order."""
    root = Path(importlib.util.find_spec("music21").submodule_search_locations[0]) / "corpus" / "bach"
    return sorted(root.glob("bwv*.mxl"))


def chorale_piece(score: ParsedScore) -> Piece | None:
    """The soprano over the chords of the lower voices; None for a score without exactly four voices."""
    voices = [i for i, part in enumerate(score.parts) if part.events and not part.percussion]
    if len(voices) != VOICES:
        return None
    piece = select(score, voices[0], voices[1])
    lower = sorted(event for i in voices[1:] for event in score.parts[i].events)
    chords = chords_per_beat(lower, -lead_in(score), score.length)  # from the bar line before a pickup, as select does
    if not chords:
        return None
    piece.chords, piece.chord_source = chords, "lower voices"
    return piece


def is_held_out(path: Path, share: int = 5) -> bool:
    """One chorale in ``share``, by a hash of its file name (stable across machines and music21 versions)."""
    return zlib.crc32(path.name.encode()) % share == 0


def chorale_pieces(held_out: bool, limit: int | None = None) -> list[Piece]:
    """The training chorales (``held_out=False``) or the held-out fifth, at most ``limit`` of them."""
    paths = [p for p in chorale_files() if is_held_out(p) == held_out][:limit]
    pieces = (chorale_piece(score) for path in paths for score in parse_file(path))
    return [piece for piece in pieces if piece is not None]
