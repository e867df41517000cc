"""Everything a page offers for one solo, as bytes: MIDI, WAV audio, the MusicXML lead sheet."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from nlp_rnn.jazz.export import render_wav, write_midi, write_musicxml
from nlp_rnn.jazz.piece import Piece


@dataclass(frozen=True)
class Media:
    midi: bytes
    wav: bytes
    musicxml: bytes
    renderer: str  # what made the audio (fluidsynth, tinysoundfont, sine synthesis)


def solo_media(piece: Piece) -> Media:
    """``piece`` written as MIDI (at its own tempo), rendered to WAV, and as a lead sheet."""
    with tempfile.TemporaryDirectory() as work:
        midi = write_midi(piece, Path(work) / "solo.mid")
        renderer = render_wav(midi, Path(work) / "solo.wav")
        sheet = write_musicxml(piece, Path(work) / "solo.musicxml")
        return Media(midi.read_bytes(), (Path(work) / "solo.wav").read_bytes(), sheet.read_bytes(), renderer)
