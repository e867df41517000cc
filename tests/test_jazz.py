"""Jazz pipeline: parsing (cached), parts and windows, chords, tokens, training, improvising, MIDI/WAV export."""

import math
import os
import wave
from dataclasses import replace

import pytest
import torch

from bench.shared_data import METHENY
from nlp_rnn.errors import DataError, UserError
from nlp_rnn.jazz import parse
from nlp_rnn.jazz.evaluate import evaluate
from nlp_rnn.jazz.export import render_wav, write_midi, write_musicxml
from nlp_rnn.jazz.harmony import best_chord, make_chord, parse_chords, parse_progression, tone_type
from nlp_rnn.jazz.improvise import SoloOptions, improvise, load_improviser
from nlp_rnn.jazz.parse import parse_file
from nlp_rnn.jazz.piece import GRID, Note, Piece, primer_from_file, select
from nlp_rnn.jazz.stats import solo_stats
from nlp_rnn.jazz.tokens import encode, realise
from nlp_rnn.jazz.train import JazzOptions, train

# a checkout without ../shared beside it (and no $NLP_RNN_SHARED_DATA) skips these; CI has it (.ci/run), so there
# they run, and fail if it is gone
needs_metheny = pytest.mark.skipif(not METHENY.exists() and not os.environ.get("CI"),
                                   reason=f"{METHENY} is absent (set NLP_RNN_SHARED_DATA)")
PROGRESSION = parse_chords("Cmaj7 Am7 Dm7 G7")


def scale_piece(bars: int = 8) -> Piece:
    """An eighth-note line climbing and falling through the progression, with a rest per bar."""
    notes, offset, pitch, step = [], 0.0, 64, 2
    for _bar in range(bars):
        for _ in range(7):
            notes.append(Note(offset, 0.5, pitch))
            offset += 0.5
            pitch += step
            step = -step if not 60 <= pitch + step <= 79 else step
        notes.append(Note(offset, 0.5, None))
        offset += 0.5
    chords = [make_chord(bar * 4.0, c.root, c.quality) for bar, c in enumerate(PROGRESSION * (bars // 4))]
    return Piece(notes, chords, 4.0, 120.0, "text")


@pytest.mark.parametrize(("pitch", "chord", "expected"), [
    (60, "Cmaj7", "C"), (62, "Cmaj7", "S"), (61, "Cmaj7", "A"), (61, "G7", "A"), (70, "C", "X"), (68, "Dm7", "A"), (66, "C", "A"),
])
def test_tone_types_against_a_chord(pitch, chord, expected):
    assert tone_type(pitch, parse_chords(chord)[0]) == expected


def test_chords_from_text_and_from_sounding_notes():
    assert [c.name for c in parse_chords("Cmaj7, Am7 | Dm7 G7 F#m7b5 Bbmaj7")] == \
        ["Cmaj7", "Am7", "Dm7", "G7", "Gbm7b5", "Bbmaj7"]
    assert best_chord(0, {7: 2.0, 11: 1.0, 2: 1.0, 5: 1.0}, bass=7).name == "G7"
    with pytest.raises(UserError, match="Hm7"):
        parse_chords("C Hm7")


def test_pitch_tokens_round_trip_and_grammar_tokens_keep_their_tone_types():
    piece = scale_piece()
    pitch_tokens = encode(piece.melody, piece.chords, "pitch")
    assert realise(pitch_tokens, piece.chords) == piece.melody
    grammar = encode(piece.melody, piece.chords, "grammar")
    assert grammar[0].count(",") == 1 and all("<" in t for t in grammar[1:] if not t.startswith("R"))
    again = realise(grammar, piece.chords, seed=3, register=(55, 84))
    assert [(n.offset, n.duration, n.pitch is None) for n in again] == \
        [(n.offset, n.duration, n.pitch is None) for n in piece.melody]
    kept = [t.split(",")[0] == tone_type(n.pitch, chord) for t, n, chord in
            ((t, n, next(c for c in reversed(piece.chords) if c.offset <= n.offset)) for t, n in zip(grammar, again))
            if n.pitch is not None]
    assert sum(kept) / len(kept) >= 0.95


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("jazz") / "model"
    train(JazzOptions(epochs=15, window=12, seed=0), [scale_piece(8)], out, sources=["scale"], progress=False)
    return out


def test_improvising_is_seeded_and_fills_the_bars_on_the_grid(tiny_model):
    improviser = load_improviser(tiny_model)
    first = improvise(improviser, bars=6, seed=5)
    assert first.melody == improvise(load_improviser(tiny_model), bars=6, seed=5).melody
    assert first.melody != improvise(improviser, bars=6, seed=6, temperature=1.5).melody
    assert sum(n.duration for n in first.melody) == pytest.approx(24.0)
    offsets = [n.offset for n in first.melody]
    assert offsets == sorted(set(offsets)) and all(o / GRID == int(o / GRID) for o in offsets)
    over = improvise(improviser, bars=3, chords=parse_chords("F7 Bb7"), seed=0)
    assert [c.name for c in over.chords] == ["F7", "Bb7", "F7"]


def test_a_trained_model_learns_its_source(tiny_model):
    improviser = load_improviser(tiny_model)
    history = improviser.history
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    kinds = ("chord_tone_share", "scale_tone_share", "approach_tone_share", "other_tone_share")
    source, greedy = solo_stats(scale_piece(8)), solo_stats(improvise(improviser, bars=8, temperature=0.0))
    assert sum(abs(source[k] - greedy[k]) for k in kinds) / 2 < 0.15  # same mix of tone types
    assert greedy["rests"] == pytest.approx(source["rests"], abs=2)


def test_midi_round_trip_and_wav(tiny_model, tmp_path):
    solo = improvise(load_improviser(tiny_model), bars=4, seed=1)
    midi = write_midi(solo, tmp_path / "solo.mid", tempo=140)
    again = select(parse_file(midi)[0])
    assert again.melody_part == 0 and again.chord_source == "part 1"
    assert [(n.offset, n.pitch) for n in again.melody if n.pitch] == [(n.offset, n.pitch) for n in solo.melody if n.pitch]
    assert [c.name for c in again.chords] == [c.name for c in solo.chords]
    renderer = render_wav(midi, tmp_path / "solo.wav")
    with wave.open(str(tmp_path / "solo.wav")) as audio:
        frames = audio.readframes(audio.getnframes())
        assert audio.getnframes() / audio.getframerate() > 16 * 60 / 140 * 0.9
    assert renderer and any(frames[i] for i in range(0, len(frames), 97))


def test_parsing_is_cached_by_content(tmp_path, monkeypatch):
    path = write_midi(scale_piece(4), tmp_path / "a.mid")
    first = parse_file(path)
    monkeypatch.setattr(parse, "_parse_with_music21", lambda *a: pytest.fail("parsed again despite the cache"))
    assert parse_file(path)[0].parts == first[0].parts
    copy = tmp_path / "b.mid"
    copy.write_bytes(path.read_bytes())
    assert parse_file(copy)[0].parts == first[0].parts  # same bytes, other name: still cached


def test_chords_are_inferred_from_the_melody_when_a_piece_has_none(tmp_path):
    from music21 import note, stream

    part = stream.Part()
    for pitch in [60, 64, 67, 72, 64, 67, 60, 64] + [62, 65, 69, 72, 65, 69, 62, 65]:
        part.append(note.Note(pitch, quarterLength=0.5))
    path = tmp_path / "melody.mid"
    stream.Score([part]).write("midi", fp=str(path))
    piece = select(parse_file(path)[0])
    assert piece.chord_source == "melody"
    assert [c.name for c in piece.chords] == ["C", "Dm7"]  # bar 2 is D F A C


@pytest.mark.parametrize(("content", "message"), [
    (b"not midi at all", "not a MIDI file"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00", "has no pitched notes"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x05\x01", "cannot be read"),
])
def test_bad_files_are_one_clear_error(tmp_path, content, message):
    path = tmp_path / "x.mid"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        parse_file(path)


def test_lead_sheets_give_their_chord_symbols_and_abc_files_every_tune():
    from nlp_rnn.jazz.default import corpus_paths

    berlin, _, _, reels = corpus_paths()
    piece = select(parse_file(berlin)[0])
    assert piece.chord_source == "symbols" and [c.name for c in piece.chords[:4]] == ["F", "C7", "F", "Bb"]
    tunes = parse_file(reels)
    assert len(tunes) == 2 and all(select(t).chord_source == "symbols" for t in tunes)


@needs_metheny
def test_the_classic_metheny_window():
    score = parse_file(METHENY)[0]
    assert len(score.parts) == 19 and score.tempo == 112.0
    piece = select(score, melody_part=5, chord_part=0, start=476, end=548)
    assert piece.bars == 18 and piece.chord_source == "part 0"
    assert 150 <= sum(n.pitch is not None for n in piece.melody) <= 200
    vocabulary = set(encode(piece.melody, piece.chords))
    assert 30 <= len(vocabulary) <= 120  # counted from the data; the old notebooks' 78 is not a target
    with pytest.raises(DataError, match="--melody-part 19 does not exist"):
        select(score, melody_part=19)


def test_model_state_is_deterministic_for_a_seed(tmp_path):
    a, _, _ = train(JazzOptions(epochs=2, window=12, seed=3), [scale_piece(4)], None, progress=False)
    b, _, _ = train(JazzOptions(epochs=2, window=12, seed=3), [scale_piece(4)], None, progress=False)
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(x, y), name


def test_chord_rhythm_gives_beats_per_chord_and_a_bare_chord_fills_its_bar():
    rhythm = parse_progression("Cmaj7:2 Am7:2 Dm7 G7")
    assert [(c.offset, c.name) for c in rhythm.chords] == [(0, "Cmaj7"), (2, "Am7"), (4, "Dm7"), (8, "G7")]
    assert rhythm.length == 12
    assert parse_progression("C:6 G7:2").length == 8 and parse_progression("C Dm:1.5 G").chords[2].offset == 5.5
    assert parse_progression("C:2 G", beats_per_bar=3.0).length == 3  # in 3/4, G fills the bar's last beat
    with pytest.raises(UserError, match=r"^Chords box: 'C:x' has no usable length"):
        parse_progression("Dm7 C:x", what="Chords box")
    with pytest.raises(UserError, match=r"^Chords box: cannot read chord symbol 'Hm7'"):
        parse_progression("Hm7:2", what="Chords box")


def test_a_solo_keeps_the_chord_rhythm_and_its_lead_sheet_reads_back(tiny_model, tmp_path):
    solo = improvise(load_improviser(tiny_model), bars=4, chords=parse_progression("Cmaj7:2 Am7:2 Dm7 G7"), seed=2)
    assert [(c.offset, c.name) for c in solo.chords] == \
        [(0, "Cmaj7"), (2, "Am7"), (4, "Dm7"), (8, "G7"), (12, "Cmaj7"), (14, "Am7")]
    back = select(parse_file(write_musicxml(solo, tmp_path / "solo.musicxml"))[0])
    assert back.chord_source == "symbols"
    assert [(c.offset, c.name) for c in back.chords] == [(c.offset, c.name) for c in solo.chords]
    assert [(n.offset, n.pitch) for n in back.melody if n.pitch] == [(n.offset, n.pitch) for n in solo.melody if n.pitch]


def test_a_primer_opens_the_solo_note_for_note(tiny_model, tmp_path):
    phrase = Piece([Note(0, 1, 67), Note(1, 0.5, 69), Note(1.5, 0.5, 69), Note(2, 2, None), Note(4, 1.5, 72)],
                   PROGRESSION, 4.0, 120.0, "text")
    primer = primer_from_file(write_midi(phrase, tmp_path / "primer.mid"), bars=1)
    assert [n.pitch for n in primer.melody] == [67, 69, 69, None]  # its first bar
    solo = improvise(load_improviser(tiny_model), bars=4, seed=3, options=SoloOptions(primer=primer))
    assert solo.melody[:4] == primer.melody and len(solo.melody) > 6
    assert sum(n.duration for n in solo.melody) == pytest.approx(16.0)
    with pytest.raises(UserError, match="--primer"):
        improvise(load_improviser(tiny_model), bars=1, options=SoloOptions(primer=primer))


def test_clean_up_follows_the_data_unless_the_exercise_is_asked_for(tmp_path):
    repeated = scale_piece(8)
    repeated.melody = [Note(n.offset, n.duration, n.pitch if i % 4 != 1 else repeated.melody[i - 1].pitch)
                       for i, n in enumerate(repeated.melody)]  # every fourth note repeats the one before
    train(JazzOptions(epochs=15, window=12, seed=0), [repeated], tmp_path / "m", progress=False)
    improviser = load_improviser(tmp_path / "m")
    data = solo_stats(improvise(improviser, bars=8, seed=1))
    exercise = solo_stats(improvise(improviser, bars=8, seed=1, options=SoloOptions(cleanup="exercise")))
    assert data["repeated_pitch_share"] > 0.5 * solo_stats(repeated)["repeated_pitch_share"]
    assert exercise["repeated_pitch_share"] == 0.0
    pitches = [n.pitch for n in repeated.melody if n.pitch is not None]
    assert improviser.extra["pitch_range"] == [min(pitches), max(pitches)]  # the default register


def test_harmony_guide_puts_chord_tones_on_strong_beats(tiny_model):
    improviser = load_improviser(tiny_model)

    def share(guide: str) -> float:
        return sum(solo_stats(improvise(improviser, bars=8, seed=s, temperature=1.6,
                                        options=SoloOptions(guide=guide)))["strong_beat_chord_tone_share"]
                   for s in range(4)) / 4

    assert share("harmony") > share("none") + 0.1
    guided = improvise(improviser, bars=4, seed=9, options=SoloOptions(guide="harmony"))
    assert guided.melody == improvise(improviser, bars=4, seed=9, options=SoloOptions(guide="harmony")).melody


def test_harmony_fit_ranks_bars_by_the_share_of_chord_tones_on_strong_beats():
    # what the guide keeps must have the higher share of chord tones among strong-beat notes: a scale or
    # approach tone on beat 3 lowers the share, a rest there does not (the old score tied these bars)
    from nlp_rnn.jazz.guide import harmony_fit

    def fit(tokens: list[str]) -> int:
        return harmony_fit(tokens, 8.0, PROGRESSION, 4.0)

    assert fit(["C,2", "R,2"]) > fit(["C,2", "S,2,<1,2>"]) > fit(["C,2", "X,2,<1,2>"])
    assert fit(["C,2", "R,2"]) > fit(["C,2", "A,2,<1,2>"])
    assert fit(["C,2", "C,2,<3,4>"]) > fit(["C,2", "R,2"])
    assert fit(["C,1", "S,1,<1,2>", "R,2"]) == fit(["C,4"])  # beats 2 and 4 are not strong


def test_evaluate_scores_held_out_music_and_counts_unknown_tokens(tiny_model):
    improviser = load_improviser(tiny_model)
    seen = evaluate(improviser, [scale_piece(8)])
    assert seen["unknown_tokens"] == 0 and seen["scored_tokens"] == seen["tokens"] == 64
    assert seen["perplexity"] == pytest.approx(math.exp(seen["cross_entropy"])) and seen["accuracy"] > 0.5
    odd = Piece([Note(0, 0.5, 64), Note(0.5, 3, 65), Note(3.5, 0.5, 67)], PROGRESSION, 4.0)  # a 3-beat note
    mixed = evaluate(improviser, [scale_piece(4), odd])
    assert mixed["unknown_tokens"] == 1 and mixed["tokens"] == 32 + 3 and mixed["scored_tokens"] == 34
    with pytest.raises(UserError, match="none of the 1 held-out tokens"):
        evaluate(improviser, [Piece([Note(0, 3, 64)], PROGRESSION, 4.0)])


def test_resume_continues_a_stopped_run_exactly(tmp_path):
    options = JazzOptions(epochs=3, window=12, seed=4)
    straight, _, _ = train(options, [scale_piece(4)], tmp_path / "a", progress=False)
    train(replace(options, max_steps=2), [scale_piece(4)], tmp_path / "b", progress=False)
    resumed, _, history = train(options, [scale_piece(4)], tmp_path / "b", progress=False, resume=True)
    assert [r["epoch"] for r in history if r["complete"]] == [1, 2, 3]
    for (name, x), (_, y) in zip(straight.state_dict().items(), resumed.state_dict().items()):
        assert torch.equal(x, y), name
    with pytest.raises(DataError, match="no training state"):
        train(options, [scale_piece(4)], tmp_path / "c", progress=False, resume=True)


def test_the_lead_sheet_engraves_in_any_thread():
    """A page runs each visit in a new thread; verovio's default font path is set only in the importing one."""
    import threading

    from nlp_rnn.jazz.engrave import score_svg

    pages = []
    for _ in range(2):
        worker = threading.Thread(target=lambda: pages.append(score_svg(scale_piece(4))))
        worker.start()
        worker.join()
    assert len(pages) == 2 and all(p and "Am7" in p[0] and "CMaj7" in p[0] for p in pages)


def test_two_renders_of_one_wav_at_once_do_not_share_a_temporary_file(tiny_model, tmp_path, monkeypatch):
    """render_wav's temporary file is new for each call (it was ``NAME.tmp.wav``: two renders of one --wav at
    once wrote into, and removed, each other's file); the result is readable and shared (0644)."""
    from nlp_rnn.jazz import export

    seen = []
    real = export._render

    def recording(midi, out, rate):
        seen.append(out)
        if len(seen) == 1:  # the first render starts a second one of the same target meanwhile
            export.render_wav(midi, tmp_path / "solo.wav")
        return real(midi, out, rate)

    midi = write_midi(improvise(load_improviser(tiny_model), bars=1, seed=0), tmp_path / "solo.mid")
    monkeypatch.setattr(export, "_render", recording)
    export.render_wav(midi, tmp_path / "solo.wav")
    assert len(seen) == 2 and seen[0] != seen[1]
    assert (tmp_path / "solo.wav").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solo.mid", "solo.wav"]
