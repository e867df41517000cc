"""Real harmony for the held-out comparison: chorales' chords from their lower voices, and pickup bars kept in
their place in the bar (a piece's offset modulo the bar is its beat position)."""

from nlp_rnn.jazz.chorales import chorale_piece, is_held_out
from nlp_rnn.jazz.context import context_tensor
from nlp_rnn.jazz.parse import ParsedScore, PartNotes, parse_file
from nlp_rnn.jazz.piece import Note, primer_from_file, select


def voice(*notes):
    """A monophonic part from (offset, duration, pitch) triples."""
    return PartNotes("", False, [[o, d, [p]] for o, d, p in notes])


def four_voices(padding: float = 0.0) -> ParsedScore:
    """Two bars of 4/4: the soprano's line over C major (beats 1-2), F major (beat 3), G7 (beat 4), C (bar 2)."""
    soprano = voice((0, 1, 72), (1, 1, 76), (2, 1, 77), (3, 1, 74), (4, 4, 72))
    alto = voice((0, 2, 67), (2, 1, 69), (3, 1, 65), (4, 4, 64))
    tenor = voice((0, 2, 64), (2, 1, 65), (3, 1, 59), (4, 4, 60))
    bass = voice((0, 2, 48), (2, 1, 53), (3, 1, 55), (4, 4, 48))
    return ParsedScore("chorale", [soprano, alto, tenor, bass], 4.0, None, padding)


def test_a_chorale_is_its_soprano_over_the_lower_voices_chords_beat_by_beat():
    piece = chorale_piece(four_voices())
    assert [n.pitch for n in piece.melody] == [72, 76, 77, 74, 72]
    # the soprano's E on beat 2 and its D on beat 4 are not what the chords are made of: the lower voices are
    assert [(c.offset, c.name) for c in piece.chords] == [(0.0, "C"), (2.0, "F"), (3.0, "G7"), (4.0, "C")]
    assert piece.chord_source == "lower voices"
    three = four_voices()
    three.parts.pop()
    assert chorale_piece(three) is None  # not a four-voice chorale


def test_held_out_chorales_are_a_stable_fifth_by_name():
    from pathlib import Path

    names = [Path(f"bwv{i}.6.mxl") for i in range(1, 201)]
    held = [p for p in names if is_held_out(p)]
    assert 25 <= len(held) <= 55 and held == [p for p in names if is_held_out(p)]
    corpus = Path("/site-packages/music21/corpus")
    assert [is_held_out(corpus / "bach" / p) for p in names] == [is_held_out(p) for p in names]  # by name alone
    # a quartet's movement1.mxl names many files: the composer and work folders count too
    assert is_held_out(corpus / "haydn/opus74no1/movement1.mxl") != is_held_out(corpus / "mozart/k80/movement1.mxl")


def test_a_pickup_starts_on_its_beat_with_chords_and_beat_features_in_place():
    score = four_voices(padding=3.0)  # the soprano's first note is a one-beat pickup: bar lines at 1, 5, ...
    score.parts[0].chord_symbols = [[0.0, "G7", [2, 5, 7, 11]], [1.0, "C", [0, 4, 7]]]
    piece = select(score, 0)
    assert piece.melody[0] == Note(0.0, 3.0, None) and piece.melody[1] == Note(3.0, 1.0, 72)
    assert [(c.offset, c.name) for c in piece.chords] == [(0.0, "G7"), (4.0, "C")]
    beats = context_tensor(piece.chords, [3.0, 4.0], piece.beats_per_bar)[:, 24:].argmax(1)
    assert beats.tolist() == [12, 0]  # the pickup on the fourth beat, the next note on the downbeat
    chorale = chorale_piece(four_voices(padding=3.0))
    assert [(c.offset, c.name) for c in chorale.chords] == [(0.0, "C"), (5.0, "F"), (6.0, "G7"), (7.0, "C")]
    assert select(four_voices(), 0).melody[0] == Note(0.0, 1.0, 72)  # no pickup: as before


def test_the_parser_reads_a_pickup_and_a_primer_keeps_it(tmp_path):
    tune = tmp_path / "pickup.abc"
    tune.write_text("X:1\nT:Pickup\nM:4/4\nL:1/4\nK:C\nG | c e g e | c4 |\n", encoding="utf-8")
    score = parse_file(tune, use_cache=False)[0]
    assert score.padding == 3.0
    primer = primer_from_file(tune, bars=1)  # the pickup and the first whole bar
    assert [n.pitch for n in primer.melody] == [None, 67, 72, 76, 79, 76] and primer.melody[1].offset == 3.0
