"""The MIDI writer (mido) holds the same notes, velocities, programs, tempo and meter as music21's writer did."""

import mido

from nlp_rnn.jazz.export import write_midi
from nlp_rnn.jazz.harmony import make_chord
from nlp_rnn.jazz.midi_file import voicing
from nlp_rnn.jazz.piece import Note, Piece
from tests.test_jazz import scale_piece


def music21_midi(piece: Piece, bpm: float, path) -> None:
    """The music21 score the project used to write (melody part, then voiced chords), written by music21."""
    from music21 import chord, instrument, meter, note, stream
    from music21 import tempo as m21tempo

    melody, comping = stream.Part(), stream.Part()
    melody.insert(0, instrument.AltoSaxophone())
    comping.insert(0, instrument.Piano())
    for part in (melody, comping):
        part.insert(0, meter.TimeSignature(f"{int(round(piece.beats_per_bar))}/4"))
        part.insert(0, m21tempo.MetronomeMark(number=bpm))
    for item in piece.melody:
        element = note.Rest() if item.pitch is None else note.Note(item.pitch)
        element.quarterLength = item.duration
        melody.insert(item.offset, element)
    ends = [c.offset for c in piece.chords[1:]] + [max(piece.length, piece.chords[-1].offset + piece.beats_per_bar)]
    for current, end in zip(piece.chords, ends):
        voiced = chord.Chord(voicing(current), quarterLength=end - current.offset)
        voiced.volume.velocity = 56
        comping.insert(current.offset, voiced)
    score = stream.Score()
    score.insert(0, melody)
    score.insert(0, comping)
    score.write("midi", fp=path)


def content(path) -> dict:
    """Notes (channel, pitch, start tick, end tick, velocity), programs, tempi and meters, in quarter-note ticks."""
    midi = mido.MidiFile(str(path))
    notes, programs, meta, sounding = [], set(), set(), {}
    for track in midi.tracks:
        now = 0
        for message in track:
            now += message.time
            quarter = now / midi.ticks_per_beat
            if message.type == "note_on" and message.velocity:
                sounding[message.channel, message.note] = (quarter, message.velocity)
            elif message.type in ("note_on", "note_off"):
                start, velocity = sounding.pop((message.channel, message.note))
                notes.append((message.channel, message.note, start, quarter, velocity))
            elif message.type == "program_change":
                programs.add((message.channel, message.program))
            elif message.type in ("set_tempo", "time_signature"):
                meta.add((message.type, getattr(message, "tempo", None), getattr(message, "numerator", None)))
    return {"notes": sorted(notes), "programs": programs, "meta": meta}


def test_midi_file_has_the_notes_music21_wrote(tmp_path):
    piece = scale_piece(8)
    piece.melody[3:5] = [Note(1.5, 0.25, 70), Note(1.75, 0.75, 72)]  # sixteenths and a dotted eighth
    piece.chords.insert(1, make_chord(2.0, 9, "m7"))  # a chord change inside the first bar
    three = Piece([Note(0, 1, 67), Note(1, 2, None), Note(3, 3, 69)], [make_chord(0, 7, "7")], 3.0, 90.0)
    for example, bpm in ((piece, 137.0), (three, 90.0)):
        ours = write_midi(example, tmp_path / "ours.mid", tempo=bpm)
        music21_midi(example, bpm, tmp_path / "music21.mid")
        expected = content(tmp_path / "music21.mid")
        assert content(ours) == expected
        assert len(expected["notes"]) > 4 and len({n[0] for n in expected["notes"]}) == 2


def test_a_source_tempo_beyond_the_range_is_written_in_range(tmp_path):
    fast = scale_piece(4)
    fast.tempo = 1e9  # a source's tempo (a model's manifest) is brought into range, not wrapped
    tempi = [m.tempo for m in mido.MidiFile(str(write_midi(fast, tmp_path / "x.mid"))).tracks[0] if m.type == "set_tempo"]
    assert tempi == [round(60_000_000 / 400)]


def test_chords_from_an_accompaniment_part_keep_their_changes_inside_a_bar(tmp_path):
    """A piano part striking Am7 on beat 3 of a Cmaj7 bar: the chords read back change there, not at the bar line."""
    from nlp_rnn.jazz.harmony import parse_progression
    from nlp_rnn.jazz.parse import parse_file
    from nlp_rnn.jazz.piece import select

    piece = scale_piece(4)
    piece.chords[:] = parse_progression("Cmaj7:2 Am7:2 Dm7:1 G7:3 Cmaj7 F:3 E7:1").chords
    back = select(parse_file(write_midi(piece, tmp_path / "comped.mid"))[0])
    assert back.chord_source == "part 1"
    assert [(c.offset, c.name) for c in back.chords] == [(c.offset, c.name) for c in piece.chords]


def test_an_arpeggiated_part_keeps_one_chord_a_bar():
    """Notes struck one at a time (or chords off the beat) do not split a bar."""
    from nlp_rnn.jazz.piece import _from_events

    arpeggio = [[bar * 4 + i * 0.5, 0.5, [48 + (0, 4, 7, 11)[i % 4]]] for bar in range(2) for i in range(8)]
    off_beat = [[bar * 4 + 1.5, 1.0, [57, 60, 64]] for bar in range(2)]
    chords = _from_events(arpeggio + off_beat, 0.0, 8.0, 4.0)
    assert [c.offset for c in chords] == [0.0]
