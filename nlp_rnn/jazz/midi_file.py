"""A solo as a standard MIDI file, written with mido: part 1 the melody (alto sax), part 2 the chords (piano).

Building a music21 score only to write it took about 0.3 s for 32 bars on an idle core (and over 2 s
on the shared machine), three times the generation itself; the file below holds the same notes,
velocities, tempo and meter as music21's writer produced (type 1, a tempo track, 10080 ticks a
quarter note), in a few milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import mido

from nlp_rnn.jazz.harmony import Chord
from nlp_rnn.jazz.piece import Piece

TICKS = 10_080  # per quarter note: music21's resolution, exact for sixteenths, triplets and quintuplets
MELODY_PROGRAM, CHORD_PROGRAM = 65, 0  # General MIDI alto sax, acoustic grand piano
MELODY_VELOCITY, CHORD_VELOCITY = 90, 56  # comping sits under the solo


def voicing(chord: Chord) -> list[int]:
    """Root in octave 2-3, the other chord tones packed above middle C."""
    upper = sorted(60 + (pc - chord.root) % 12 + chord.root - (12 if chord.root > 5 else 0)
                   for pc in chord.pitch_classes if pc != chord.root)
    return [36 + chord.root + (12 if chord.root < 4 else 0)] + upper


def chord_spans(piece: Piece) -> list[tuple[float, float, Chord]]:
    """(start, end, chord) for each chord, each lasting to the next change; the last to the end of the solo."""
    ends = [c.offset for c in piece.chords[1:]] + [max(piece.length, piece.chords[-1].offset + piece.beats_per_bar)]
    return [(chord.offset, end, chord) for chord, end in zip(piece.chords, ends) if end > chord.offset]


def notes_of(piece: Piece) -> list[list[tuple[float, float, int, int]]]:
    """Per track, (start, end, pitch, velocity) in quarter notes: the melody, then the voiced chords."""
    melody = [(n.offset, n.offset + n.duration, n.pitch, MELODY_VELOCITY) for n in piece.melody if n.pitch is not None]
    chords = [(start, end, pitch, CHORD_VELOCITY) for start, end, chord in chord_spans(piece)
              for pitch in voicing(chord)]
    return [melody, chords]


def write(piece: Piece, path: str | Path, bpm: float) -> None:
    """Write ``piece`` at ``bpm`` beats a minute to ``path`` (not atomically: see export.write_midi)."""
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS)
    numerator = int(round(piece.beats_per_bar))
    midi.tracks.append(_track([mido.MetaMessage("set_tempo", tempo=round(60_000_000 / bpm), time=0),
                               mido.MetaMessage("time_signature", numerator=numerator, denominator=4, time=0)], []))
    for channel, (name, program, notes) in enumerate(zip(("Alto Saxophone", "Piano"), (MELODY_PROGRAM, CHORD_PROGRAM),
                                                         notes_of(piece))):
        head = [mido.MetaMessage("track_name", name=name, time=0),
                mido.Message("program_change", channel=channel, program=program, time=0)]
        midi.tracks.append(_track(head, _events(notes, channel)))
    midi.save(str(path))


def _events(notes: list[tuple[float, float, int, int]], channel: int) -> list[tuple[int, int, mido.Message]]:
    """(tick, order, message): at the same tick a note ends before the next one starts."""
    events = []
    for start, end, pitch, velocity in notes:
        events.append((round(start * TICKS), 1, mido.Message("note_on", channel=channel, note=pitch,
                                                             velocity=velocity)))
        events.append((round(end * TICKS), 0, mido.Message("note_off", channel=channel, note=pitch, velocity=0)))
    return sorted(events, key=lambda e: (e[0], e[1]))


def _track(head: list, events: list[tuple[int, int, mido.Message]]) -> mido.MidiTrack:
    track, now = mido.MidiTrack(head), 0
    for tick, _, message in events:
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track
