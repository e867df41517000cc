"""Four-part music as melodies with real harmony: Bach's chorales (the soprano) and the string quartets
in music21's corpus (the first violin). The chords come from the three lower voices beat by beat (the
template that best explains the pitches sounding in each beat, the bass as the bass; a beat with the
chord before it adds no change).

The chords are the composer's, independent of the melody a model predicts: chords guessed from the
melody itself (what tunes without an accompaniment get) tell a chord-conditioned model the notes it
is about to predict, which it learns to lean on and which no real lead sheet gives it.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from nlp_rnn.jazz.parse import ParsedScore, corpus_root, parse_file
from nlp_rnn.jazz.piece import Piece, chords_per_beat, lead_in, select

VOICES = 4  # soprano, alto, tenor, bass
# the string quartets' movements in music21's corpus that are read in a second or two (Beethoven's later quartets,
# 0.1-0.4 MB each, take far longer): a melody that moves in eighths and sixteenths over harmony, as songs do
QUARTETS = ("haydn/opus1no1", "haydn/opus74no1", "mozart/k80", "mozart/k155", "mozart/k156", "mozart/k458",
            "beethoven/opus18no1", "schumann_robert/opus41no1")


def chorale_files() -> list[Path]:
    """The chorales in the installed music21's corpus (bach/bwv*.mxl), in name order."""
    return sorted((corpus_root() / "bach").glob("bwv*.mxl"))


def quartet_files() -> list[Path]:
    """The QUARTETS' movements (MusicXML) in the installed music21's corpus, in name order."""
    root = corpus_root()
    return [path for folder in QUARTETS for path in sorted((root / folder).glob("*.mxl"))]


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
    """One file in ``share``, by a hash of its path inside the corpus (stable across machines and music21
    versions; a chorale's is its file name, as before: a quartet's movement1.mxl names several files)."""
    name = path.name if path.parent.name == "bach" else "/".join(path.parts[-3:])
    return zlib.crc32(name.encode()) % share == 0


def four_part_pieces(paths: list[Path], held_out: bool) -> list[Piece]:
    """The pieces of ``paths`` kept for training (``held_out=False``) or the held-out fifth."""
    paths = [p for p in paths if is_held_out(p) == held_out]
    pieces = (chorale_piece(score) for path in paths for score in parse_file(path))
    return [piece for piece in pieces if piece is not None]


def chorale_pieces(held_out: bool) -> list[Piece]:
    """The training chorales (``held_out=False``) or the held-out fifth."""
    return four_part_pieces(chorale_files(), held_out)


def quartet_pieces(held_out: bool) -> list[Piece]:
    """The training quartet movements (``held_out=False``) or the held-out fifth."""
    return four_part_pieces(quartet_files(), held_out)
