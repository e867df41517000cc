"""Hostile inputs, round two (issue 20): every bad input is one line naming it and the fix, exit 2,
in bounded time and memory. In-process through ``main`` wherever a command can be run that way."""

import csv
import io
import json
import math

import pytest

from nlp_rnn.cli.main import build_parser, main
from nlp_rnn.errors import DataError, UserError


def fails_with_one_line(capsys, argv, *words):
    """Run ``nlp-rnn ARGV`` in this process; it must exit 2 with one stderr line holding ``words``."""
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse
        code = exit_info.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


# --- numeric flags are bounded at parse time ------------------------------------------------------------------

def numeric_flags():
    """(command path, flag) for every option of every command whose value is converted to a number."""
    from tests.test_cli import all_command_paths

    parser, found = build_parser(), []
    for path in all_command_paths():
        command = parser
        for name in path:
            command = command._subparsers._group_actions[0].choices[name]
        if command._subparsers is not None:
            continue  # a group: its commands come as paths of their own
        found += [(path, action.option_strings[-1]) for action in command._actions
                  if action.option_strings and action.type is not None and _numeric(action.type)]
    return found


def _numeric(kind) -> bool:
    for sample in ("3", "100", "0.5", "5,20"):
        try:
            value = kind(sample)
        except Exception:  # noqa: BLE001 - a type that takes no such text
            continue
        return isinstance(value, (int, float, tuple)) and not isinstance(value, bool)
    return False


NUMERIC_FLAGS = numeric_flags()


def test_the_sweep_finds_the_numeric_flags():
    flags = {(" ".join(path), flag) for path, flag in NUMERIC_FLAGS}
    assert {("text train", "--seed"), ("jazz generate", "--tempo"), ("jazz stats", "--end"), ("lab compare", "--delays"),
            ("app", "--port"), ("emojify classify", "--batch-size")} <= flags
    assert len(flags) > 40


@pytest.mark.parametrize("value", [str(2**64), "inf", "nan", "1e999", "-1"])
def test_every_numeric_flag_refuses_absurd_values_at_parse_time(value, capsys):
    accepted, parser = [], build_parser()  # main() without the handlers: one parser for all
    for path, flag in NUMERIC_FLAGS:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*path, f"{flag}={value}"])
        code, err = exit_info.value.code, capsys.readouterr().err
        if code != 2 or flag not in err:
            accepted.append(f"{' '.join(path)} {flag}={value}")
        assert "Traceback" not in err
    assert not accepted, accepted


@pytest.mark.parametrize(("argv", "words"), [
    (["text", "generate", "--seed", str(2**64)], ["--seed", "0-9,223,372,036,854,775,807", "not 18446744073709551616"]),
    (["jazz", "generate", "--out", "x.mid", "--seed", str(2**64)], ["--seed"]),
    (["lab", "abcde", "--seed", str(2**64)], ["--seed"]),
    (["jazz", "stats", "f.mid", "--end", "inf"], ["--end", "finite"]),
    (["jazz", "generate", "--out", "x.mid", "--tempo", "100000000"], ["--tempo", "20-400"]),
    (["jazz", "generate", "--out", "x.mid", "--tempo", "1"], ["--tempo", "20-400"]),
    (["lab", "compare", "--delays", "5,1000000"], ["--delays", "1,000"]),
])
def test_the_issue_s_flags_fail_in_one_line(argv, words, capsys):
    fails_with_one_line(capsys, argv, *words)


def test_the_largest_seed_works():
    from nlp_rnn.cli.parsing import seed
    from nlp_rnn.seeding import seed_everything

    seed_everything(seed(str(2**63 - 1)))  # torch, numpy and random all take it


def test_tempo_is_bounded_in_the_library_and_documented(tmp_path):
    from nlp_rnn.jazz.export import write_midi
    from tests.test_jazz import scale_piece

    for tempo in (100_000_000, 1, 0, math.inf):
        with pytest.raises(UserError, match="20-400"):
            write_midi(scale_piece(4), tmp_path / "x.mid", tempo=tempo)
    assert not (tmp_path / "x.mid").exists()  # a source's tempo out of range: tests/test_jazz_midi.py
    generate = build_parser()._subparsers._group_actions[0].choices["jazz"]._subparsers._group_actions[0].choices
    assert "20-400" in generate["generate"].format_help()


# --- --json is strict JSON ------------------------------------------------------------------------------------

def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_to_json_writes_null_for_non_finite_numbers():
    from nlp_rnn.cli.output import to_json

    value = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": (2, "x")}
    assert strict_json(to_json(value)) == {"a": None, "b": [None, None, 1.5], "c": [2, "x"]}


@pytest.mark.parametrize(("value", "problem"), [("1e999", "not a finite number"), ("-1e999", "not a finite number"),
                                               ("inf", "not a finite number"), ("nan", "not a number")])
def test_lab_series_refuses_non_finite_values_naming_the_line(tmp_path, value, problem, capsys):
    path = tmp_path / "s.csv"
    path.write_text("t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(200)) + f"200,{value}\n")
    fails_with_one_line(capsys, ["lab", "series", "--csv", str(path), "--json"], f"{path}:202", problem)


def test_lab_series_bounds_its_windows_before_allocating():
    import numpy as np

    from nlp_rnn.lab.series import SeriesOptions, run

    with pytest.raises(UserError, match="over 20,000,000"):
        run(np.zeros(3_000_000), SeriesOptions(window=10))  # 30,000,000 window values


def test_lab_series_unclosed_quote_names_its_line(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("v\n1\n\"2\n3\n4\n")
    fails_with_one_line(capsys, ["lab", "series", "--csv", str(path)], f"{path}:3", "quote")


# --- CSV readers --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "line", "words"), [
    ("a,1\nb,2\n\"" + "x" * 200_000 + "\",3\n", 3, ["131,072 characters"]),  # over the csv field limit
    ("a,1\n\"stray quote,2\n" + "more text,1\n" * 50_000, 2, ["unclosed quote"]),  # swallows the rest of the file
    ("a,1\n\"stray quote,2\n" + "more,1\n" * 30 + "end\",2\n", 2, ["over 32 lines"]),  # closed much later
    ("a,1\nb,²\n", 2, ["'²' is not 0-4"]),
    ("a,1\nb,٣\n", 2, ["'٣' is not 0-4"]),
])
def test_emojify_csv_faults_name_the_file_and_line(tmp_path, content, line, words, capsys):
    from nlp_rnn.emojify.data import read_examples

    path = tmp_path / "d.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as error:
        read_examples(path)
    assert str(error.value).startswith(f"{path}:{line}: ") and "\n" not in str(error.value)
    for word in words:
        assert word in str(error.value)
    fails_with_one_line(capsys, ["emojify", "train", "--data", str(path), "--out", str(tmp_path / "m")],
                        f"{path}:{line}")


def test_a_quoted_sentence_over_lines_keeps_the_next_rows_line_numbers(tmp_path):
    from nlp_rnn.emojify.data import read_examples

    path = tmp_path / "d.csv"
    path.write_text('"two\nlines",1\nok,2\nbad,9\n')
    with pytest.raises(DataError, match=f"{path}:4: label '9'"):
        read_examples(path)


def test_uploaded_csv_with_an_unclosed_quote_is_a_data_error():
    from nlp_rnn.emojify.classify import read_upload

    with pytest.raises(DataError, match="up.csv:3"):
        list(read_upload("up.csv", b"text\nfine\n\"" + b"x" * 200_000 + b"\n"))


# --- classify output: a bare CR stays inside its row -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_a_bare_cr_in_a_line_stays_in_one_row(fmt):
    from nlp_rnn.emojify.classify import RowWriter

    rows = [{"line": n, "text": text, "label": "smile", "emoji": "😄", "prob": 0.5,
             "top_k": [{"label": "smile", "emoji": "😄", "prob": 0.5}]}
            for n, text in enumerate(["before", "one\rtwo", "after\r"], start=1)]
    writer = RowWriter(fmt, with_file=True)
    text = writer.header() + writer.render(rows, file="in\r.txt")
    read = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ","))
    assert [r[2] for r in read[1:]] == ["before", "one\rtwo", "after\r"] and len(read) == 4
    assert {r[0] for r in read[1:]} == {"in\r.txt"}
    plain = writer.render(rows[:1])
    assert '"' not in plain  # a batch without CR is written as before


# --- score length and bar splitting -------------------------------------------------------------------------------

class CountingEvents(list):
    """Events that count how often they are unpacked, and stop a quadratic pass early."""

    def __init__(self, events, limit):
        super().__init__(events)
        self.unpacked, self.limit = 0, limit

    def __iter__(self):
        for event in super().__iter__():
            self.unpacked += 1
            if self.unpacked > self.limit:
                raise AssertionError(f"over {self.limit:,} event visits: not linear")
            yield event


def test_bar_splitting_is_linear_in_events_plus_bars():
    from nlp_rnn.jazz.piece import _from_events

    notes = 100_000  # 25,000 quarter notes of sixteenths, 6,250 bars; each bar's first note is held two bars
    events = CountingEvents([[i * 0.25, 8.25 if i % 16 == 0 else 0.25, [48 + i % 16]] for i in range(notes)], limit=5 * notes)
    chords = _from_events(events, 0.0, notes * 0.25, 4.0)
    assert events.unpacked <= 3 * notes  # the old loop visited every event for every bar: 6,250 × 100,000
    assert chords and chords[0].offset == 0.0 and all(a.offset < b.offset for a, b in zip(chords, chords[1:]))


def test_bar_splitting_matches_the_overlap_definition():
    """Per bar, the pitch-class weights are the notes' overlaps with it (held notes included)."""
    from nlp_rnn.jazz import piece

    seen = []
    real = piece.best_chord
    piece.best_chord = lambda offset, weights, bass=None: seen.append((dict(weights), bass)) or real(offset, weights, bass)
    try:
        piece._from_events([[1.0, 10.0, [60, 64]], [2.0, 1.0, [43]], [9.0, 0.5, [62]]], 0.0, 12.0, 4.0)
    finally:
        piece.best_chord = real
    assert seen == [({0: 3.0, 4: 3.0, 7: 1.0}, 7), ({0: 4.0, 4: 4.0}, 0), ({0: 3.0, 4: 3.0, 2: 0.5}, 0)]


def test_a_long_musicxml_score_is_refused(tmp_path, capsys):
    path = tmp_path / "long.musicxml"  # one note of 20,001 quarters: MIDI's pre-check does not see MusicXML
    path.write_text('''<?xml version="1.0"?><score-partwise version="3.1"><part-list><score-part id="P1">
<part-name>solo</part-name></score-part></part-list><part id="P1"><measure number="1"><attributes><divisions>1
</divisions></attributes><note><pitch><step>C</step><octave>4</octave></pitch><duration>20001</duration>
<type>whole</type></note></measure></part></score-partwise>''')
    fails_with_one_line(capsys, ["jazz", "stats", str(path)], str(path), "20,001 quarter notes (over 20,000)")


def _refuse_music21(monkeypatch):
    from music21 import converter

    def parse(*args, **kwargs):
        raise AssertionError("music21 was asked to read a score over the caps")

    monkeypatch.setattr(converter, "parse", parse)


def test_a_long_abc_score_is_refused_before_music21_reads_it(tmp_path, capsys, monkeypatch):
    _refuse_music21(monkeypatch)  # today's code hands it to music21: 12,000 notes there take minutes
    bars = "|".join(['"C" CDEF GABc !trill!d2 e2 f2 g2'] * 1_000)  # 12 note letters a bar; chord text not counted
    path = tmp_path / "long.abc"
    path.write_text("X:1\nT:Twelve thousand notes\nM:4/4\nL:1/8\nK:C\n" + bars + "\n")
    fails_with_one_line(capsys, ["jazz", "stats", str(path)], str(path), "12,000 notes (over 10,000", "shorter score")


def test_long_musicxml_scores_are_refused_on_their_text(tmp_path, capsys, monkeypatch):
    import zipfile

    from nlp_rnn.jazz import prescan

    _refuse_music21(monkeypatch)
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note><notations/>"
    head = '<?xml version="1.0"?><score-partwise version="3.1"><part id="P1"><measure number="1">'
    notes = tmp_path / "notes.musicxml"
    notes.write_text(head + note * 10_001 + "</measure></part></score-partwise>")
    fails_with_one_line(capsys, ["jazz", "stats", str(notes)], str(notes), "10,001 notes (over 10,000")
    bars = tmp_path / "bars.mxl"  # compressed: counted while inflating
    with zipfile.ZipFile(bars, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/container.xml", "<container/>")
        archive.writestr("score.xml", head + '</measure><measure number="2"/>' * 10_001 + "</part></score-partwise>")
    fails_with_one_line(capsys, ["jazz", "stats", str(bars)], str(bars), "10,002 bars (over 10,000")
    monkeypatch.setattr(prescan, "MAX_XML_BYTES", 1_000_000)
    bomb = tmp_path / "bomb.mxl"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("score.musicxml", head + " " * 3_000_000)
    assert bomb.stat().st_size < 50_000
    fails_with_one_line(capsys, ["jazz", "stats", str(bomb)], str(bomb), "inflates to over 1 MB")


def test_a_dense_midi_file_is_refused_before_music21_reads_it(tmp_path, capsys, monkeypatch):
    import mido

    _refuse_music21(monkeypatch)  # today's code hands 20,001 notes to music21 (quadratic: 10,000 take 8.7 s)
    track = mido.MidiTrack()
    for i in range(20_001):  # a quarter of a beat each: 5,000 quarters, under the length cap
        track += [mido.Message("note_on", note=60 + i % 12, velocity=64, time=0),
                  mido.Message("note_off", note=60 + i % 12, velocity=0, time=24)]
    path = tmp_path / "dense.mid"
    file = mido.MidiFile(ticks_per_beat=96)
    file.tracks.append(track)
    file.save(path)
    fails_with_one_line(capsys, ["jazz", "stats", str(path)], str(path), "20,001 notes (over 20,000")


def test_a_midi_file_claiming_hours_is_refused_before_music21_reads_it(tmp_path, capsys, monkeypatch):
    import mido

    _refuse_music21(monkeypatch)  # music21 would fill the hours with rests for minutes
    track = mido.MidiTrack([mido.Message("note_on", note=60, velocity=64, time=0),
                            mido.Message("note_off", note=60, velocity=0, time=96 * 20_001)])  # one damaged delta
    path = tmp_path / "hours.mid"
    file = mido.MidiFile(ticks_per_beat=96)
    file.tracks.append(track)
    file.save(path)
    fails_with_one_line(capsys, ["jazz", "stats", str(path)], str(path), "tracks last 20,001 quarter notes")


def test_abc_is_read_without_music21_s_quadratic_beaming(tmp_path, monkeypatch):
    """Beams are notation only: the notes read are the same, and makeBeams (88% of a long tune's read) never runs."""
    from dataclasses import asdict

    from music21 import converter, stream

    from nlp_rnn.jazz.default import corpus_paths
    from nlp_rnn.jazz.parse import _extract, parse_file

    path = tmp_path / "reels.abc"  # a path music21 has not pickled before
    path.write_bytes(next(p for p in corpus_paths() if p.suffix == ".abc").read_bytes())
    beamed = [asdict(_extract(score, str(path))) for score in converter.parse(str(path), forceSource=True).scores]
    calls = []
    real = stream.Stream.makeBeams
    monkeypatch.setattr(stream.Stream, "makeBeams", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    assert [asdict(piece) for piece in parse_file(path, use_cache=False)] == beamed
    assert calls == []


def test_scores_are_read_without_music21_s_pickle_cache(tmp_path, monkeypatch):
    """music21 pickles each score it reads into the shared /tmp/music21 and unpickles what it finds there."""
    from music21 import freezeThaw

    from nlp_rnn.jazz.parse import parse_file

    def pickle(*args, **kwargs):
        raise AssertionError("music21's pickle cache was used")

    monkeypatch.setattr(freezeThaw.StreamFreezer, "write", pickle)
    monkeypatch.setattr(freezeThaw.StreamThawer, "open", pickle)
    path = tmp_path / "tune.abc"
    path.write_text("X:1\nT:t\nM:4/4\nL:1/8\nK:C\nCDEF GABc|\n")
    for _ in range(2):
        assert [len(part.events) for part in parse_file(path, use_cache=False)[0].parts] == [8]


def test_a_window_beyond_the_bound_is_refused_by_the_library():
    from nlp_rnn.jazz.parse import ParsedScore, PartNotes
    from nlp_rnn.jazz.piece import select

    score = ParsedScore("s.mid", [PartNotes("solo", False, [[0.0, 1.0, [60]]])])
    for end in (1e9, math.inf):
        with pytest.raises(DataError, match="20,000"):
            select(score, end=end)


# --- unclear or late errors ---------------------------------------------------------------------------------------

def test_ten_thousand_unknown_labels_are_named_in_a_short_line():
    from nlp_rnn.emojify.data import Example
    from nlp_rnn.emojify.train import EmojifyOptions, train

    examples = [Example("good food", "fork_and_knife", 2), Example("i love you", "heart", 3)]
    valid = [Example(f"sentence {i}", f"label{i:05}", i + 2) for i in range(10_000)]
    with pytest.raises(UserError) as error:
        train(EmojifyOptions(vectors="no-such-vectors"), examples, valid, None)  # refused before the vectors load
    message = str(error.value)
    assert len(message) < 300 and "'label00000'" in message and "9,995 more (10,000 in all)" in message
    assert "line 2" in message


def test_a_split_column_that_is_all_valid_is_refused(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("text,label,split\n" + "".join(f"sentence {i},smile,valid\n" for i in range(20)))
    fails_with_one_line(capsys, ["emojify", "train", "--data", str(path), "--out", str(tmp_path / "m")],
                        str(path), "no training rows", "mark some rows 'train'")


def test_classify_reads_a_pipe_like_a_process_substitution(tmp_path):
    import os
    import threading

    from nlp_rnn.inputs import require_stream

    fifo = tmp_path / "fd"
    os.mkfifo(fifo)  # what bash's <(printf ...) hands over as /dev/fd/N
    assert require_stream(fifo) == fifo
    writer = threading.Thread(target=lambda: fifo.write_text("i love you\n"), daemon=True)
    writer.start()
    with open(require_stream(fifo), "rb") as handle:
        assert handle.read() == b"i love you\n"
    writer.join(5)
    with pytest.raises(DataError, match="no such input file"):
        require_stream(tmp_path / "missing.txt")
    with pytest.raises(DataError, match="not a input file|directory"):
        require_stream(tmp_path)


def test_text_train_checks_the_test_corpus_before_training(tmp_path, capsys, monkeypatch):
    from nlp_rnn import training

    corpus = tmp_path / "c.txt"
    corpus.write_text("a small corpus for a test that must not train.\n" * 20)
    monkeypatch.setattr(training.Trainer, "fit", lambda self: pytest.fail("trained before checking --test"))
    fails_with_one_line(capsys, ["text", "train", "--corpus", str(corpus), "--test", str(tmp_path / "missing.txt"),
                                 "--out", str(tmp_path / "m")], "missing.txt", "no such corpus")


@pytest.mark.parametrize("command", [
    ["text", "train", "--corpus", "lee"], ["jazz", "train", "--midi", "x.mid"], ["emojify", "train", "--data", "x.csv"],
])
def test_train_commands_refuse_an_out_that_is_a_file(command, tmp_path, capsys):
    out = tmp_path / "model.txt"
    out.write_text("not a model folder")
    fails_with_one_line(capsys, [*command, "--out", str(out)], str(out), "not a folder")
    assert out.read_text() == "not a model folder"


def test_a_fifo_in_a_corpus_folder_is_skipped_and_named(tmp_path, caplog):
    import os

    from nlp_rnn.textgen.corpus import read_text

    (tmp_path / "a.txt").write_text("real text\n")
    os.mkfifo(tmp_path / "b.txt")  # reading it would block forever
    with caplog.at_level("WARNING"):
        assert read_text(tmp_path) == "real text\n"
    assert "b.txt" in caplog.text and "not regular files" in caplog.text


# --- classify: a very long line is capped, flagged, and the run goes on ---------------------------------------------

@pytest.fixture(scope="module")
def tiny_emoji_model():
    import torch

    from nlp_rnn.emojify.model import EmojiModel
    from nlp_rnn.models.classifier import Classifier, ClassifierConfig
    from nlp_rnn.vocab import Vocabulary

    torch.manual_seed(0)
    vocabulary = Vocabulary(["word", "love", "food"])
    config = ClassifierConfig(vocab_size=len(vocabulary), embed_dim=4, num_classes=2, hidden_size=4, num_layers=1,
                              freeze_embeddings=False)
    return EmojiModel(Classifier(config), ["heart", "fork_and_knife"], "none", vocabulary)


def test_a_one_megabyte_line_is_classified_on_its_first_thousand_tokens(tiny_emoji_model, monkeypatch):
    from nlp_rnn.emojify.classify import LINE_BYTES, TRUNCATED, classify_stream, read_lines
    from nlp_rnn.emojify.model import EmojiModel

    widths = []
    batch = EmojiModel.batch
    monkeypatch.setattr(EmojiModel, "batch", lambda self, texts: widths.append(batch(self, texts)[0].shape) or
                        batch(self, texts))
    long = b"love " * 200_000  # 1 MB, 200,000 tokens
    data = b"i love food\n" + long + b"\n" + b"x" * 3_000_000 + b"\nfood\n"
    rows = list(classify_stream(tiny_emoji_model, read_lines(io.BytesIO(data)), batch_size=4))
    assert [r["line"] for r in rows] == [1, 2, 3, 4] and all(r["label"] for r in rows)
    assert [r.get("error") for r in rows] == [None, TRUNCATED, TRUNCATED, None] and "1,000 tokens" in TRUNCATED
    assert rows[1]["text"] == long[:LINE_BYTES].decode() + "…"  # the row shows the line's start
    assert widths == [(4, 1_000)]  # the batch is padded to the cap, not to 200,000


class EndlessLine(io.RawIOBase):
    """``size`` bytes of one line ("love love …"), made as they are read: the test holds no copy of it."""

    def __init__(self, size: int, then: bytes):
        self.left, self.then = size, then

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            count = min(len(buffer), len(self.then))
            buffer[:count], self.then = self.then[:count], self.then[count:]
            return count
        count = min(len(buffer), self.left) // 5 * 5 or min(len(buffer), self.left)
        buffer[:count] = (b"love " * (count // 5 + 1))[:count]
        self.left -= count
        return count


def test_a_line_of_many_megabytes_is_read_in_bounded_memory(tiny_emoji_model):
    import tracemalloc

    from nlp_rnn.emojify.classify import LINE_BYTES, TRUNCATED, classify_stream, read_lines

    stream = io.BufferedReader(EndlessLine(60_000_000, b"\nfood\n\xff\n"), buffer_size=1 << 16)
    tracemalloc.start()
    rows = list(classify_stream(tiny_emoji_model, read_lines(stream), batch_size=4))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 15_000_000  # the 400 kB read of the line and the 1 MB skips, not the 60 MB line
    assert [(r["line"], r.get("error")) for r in rows] == [(1, TRUNCATED), (2, None), (3, "not valid UTF-8")]
    assert rows[0]["text"] == ("love " * LINE_BYTES)[:LINE_BYTES] + "…" and rows[0]["label"]


def test_a_cut_line_ends_on_a_whole_character():
    from nlp_rnn.emojify.classify import LINE_BYTES, read_lines

    line = "€" * LINE_BYTES  # 3 bytes a character: the cut falls inside one unless it is put back
    assert LINE_BYTES % 3
    (number, text, shown), = read_lines(io.BytesIO(line.encode() + b"\n"))
    assert number == 1 and text == "€" * (LINE_BYTES // 3) and shown == text + "…"


# --- corpora: a capped, streamed read and compact ids --------------------------------------------------------------

def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory(tmp_path, capsys):
    import gzip
    import tracemalloc

    from nlp_rnn.textgen.corpus import read_text

    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        for _ in range(16):
            handle.write(b"a" * 1_000_000)  # 16 MB of text in about 16 KB
    assert bomb.stat().st_size < 100_000
    tracemalloc.start()
    with pytest.raises(DataError, match="over 2 MB of text once decompressed"):
        read_text(bomb, max_mb=2)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8_000_000  # the cap and a buffer, not the 16 MB
    fails_with_one_line(capsys, ["text", "train", "--corpus", str(bomb), "--max-corpus-mb", "2", "--out",
                                 str(tmp_path / "m")], str(bomb), "--max-corpus-mb")
    small = tmp_path / "small.txt.gz"
    small.write_bytes(gzip.compress("héllo\n".encode() * 1000))
    assert read_text(small, max_mb=2) == "héllo\n" * 1000


SAMPLE = "The <unk> fell 3 %.\n\nÉté — naïve CAFÉ ❤️ 👩‍💻\r\nthe the THE cat's\n" * 7 + "tail without newline"


@pytest.mark.parametrize(("level", "lower", "max_vocab", "min_freq"), [
    ("char", False, None, 1), ("char", True, None, 1), ("word", False, None, 1), ("word", True, 6, 1),
    ("word", False, None, 3),
])
def test_compact_ids_equal_the_token_list_encoding(level, lower, max_vocab, min_freq):
    from nlp_rnn.text import Tokenizer
    from nlp_rnn.textgen import data

    tokenizer = Tokenizer(level, lower=lower)
    tokens = data.tokenize_corpus(SAMPLE, tokenizer)
    train, valid = data.split_tail(tokens)
    vocabulary = data.build_vocabulary(train, level, max_vocab, min_freq)
    ids, distinct = data.corpus_ids(SAMPLE, tokenizer)
    assert ids.dtype.itemsize == 4 and [distinct[i] for i in ids.tolist()] == tokens
    compact_train, compact_valid = data.split_tail(ids)
    again = data.vocabulary_from_ids(compact_train, distinct, level, max_vocab, min_freq)
    assert again == vocabulary
    assert data.encode_ids(compact_train, distinct, again).equal(data.encode(train, vocabulary))
    assert data.encode_ids(compact_valid, distinct, again).equal(data.encode(valid, vocabulary))


@pytest.mark.parametrize(("level", "bytes_per_char"), [("char", 14), ("word", 6)])
def test_encoding_a_corpus_costs_a_few_bytes_per_character(level, bytes_per_char):
    """The token-list encoding peaks at 16 (char) and 13.7 (word) bytes per character of this corpus."""
    from bench.corpus_memory import compact, corpus, peak_bytes_per_char
    from nlp_rnn.text import Tokenizer

    assert peak_bytes_per_char(compact, corpus(lines=4_000), Tokenizer(level)) < bytes_per_char
