"""``nlp-rnn jazz``: train, generate (MIDI, WAV, --json), stats, and one-line errors for bad input."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nlp_rnn.jazz.export import write_midi
from tests.test_jazz import METHENY, needs_metheny, scale_piece


def run(*args):
    return subprocess.run([sys.executable, "-m", "nlp_rnn", "jazz", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return write_midi(scale_piece(8), tmp_path_factory.mktemp("src") / "scale.mid", tempo=120)


@pytest.fixture(scope="module")
def model(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "m"
    result = run("train", "--midi", str(source), "--epochs", "10", "--window", "12", "--seed", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 piece(s), 56 notes" in result.stdout
    return out


def test_train_holds_apart_music_stops_on_it_and_learns_in_other_keys(source, tmp_path):
    result = run("train", "--midi", str(source), "--epochs", "40", "--window", "12", "--validation", "0.25", "--keys", "2",
                 "--patience", "1", "--context-dropout", "0.5", "--dropout", "0.2", "--weight-decay", "0.001",
                 "--out", str(tmp_path / "m"))
    assert result.returncode == 0, result.stderr
    epochs = int(re.search(r"after (\d+) epoch", result.stdout).group(1))
    assert epochs < 40 and "best held-apart loss" in result.stdout
    options = json.loads((tmp_path / "m" / "checkpoint.json").read_text())["extra"]["options"]
    assert (options["validation"], options["keys"], options["dropout"], options["weight_decay"]) == (0.25, 2, 0.2, 0.001)
    assert options["patience"] == 1 and options["context_dropout"] == 0.5
    bad = run("train", "--midi", str(source), "--validation", "0.9", "--out", str(tmp_path / "n"))
    assert bad.returncode == 2 and "--validation" in bad.stderr


def test_pitch_tokens_train_with_the_chord_bias_by_default_and_without_on_request(source, tmp_path):
    for name, extra in (("gated", []), ("none", ["--chord-bias", "none"])):
        result = run("train", "--midi", str(source), "--tokens", "pitch", "--max-steps", "1", "--window", "12", *extra,
                     "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        manifest = json.loads((tmp_path / name / "checkpoint.json").read_text())
        assert manifest["extra"]["options"]["chord_bias"] == name
        config = manifest["config"]
        assert config["chord_bias"] == config["chord_bias_gate"] == (name == "gated")
        assert config["note_intervals"] and config["pitch_classes"]  # the LSTM's chord-relative input either way


def test_generate_writes_midi_and_wav_and_is_seeded(model, tmp_path):
    first = run("generate", "--model", str(model), "--out", str(tmp_path / "a.mid"), "--bars", "8", "--seed", "7",
                "--wav", str(tmp_path / "a.wav"), "--json")
    assert first.returncode == 0, first.stderr
    stats = json.loads(first.stdout)
    assert stats["bars"] == 8 and stats["duration_quarters"] == 32.0 and stats["notes"] > 8
    assert stats["renderer"] in ("tinysoundfont", "fluidsynth") and (tmp_path / "a.wav").stat().st_size > 100_000
    again = run("generate", "--model", str(model), "--out", str(tmp_path / "b.mid"), "--bars", "8", "--seed", "7",
                "--wav", str(tmp_path / "b.wav"))
    assert again.returncode == 0 and "wrote" in again.stdout and stats["renderer"] in again.stdout
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()  # the sequencer is deterministic


def test_generate_over_given_chords_and_stats_reads_them_back(model, tmp_path):
    out = tmp_path / "c.mid"
    result = run("generate", "--model", str(model), "--out", str(out), "--bars", "4", "--chords", "Dm7 G7 Cmaj7 Cmaj7",
                 "--tempo", "150")
    assert result.returncode == 0, result.stderr
    stats = json.loads(run("stats", str(out), "--json").stdout)
    assert stats["chords"] == ["Dm7", "G7", "Cmaj7"]  # the repeated bar is one chord change
    assert stats["duration_seconds"] == pytest.approx(stats["duration_quarters"] * 60 / 150, abs=0.01)
    assert [p["name"] for p in stats["parts"]] == ["Alto Saxophone", "Piano"]
    text = run("stats", str(out)).stdout
    assert "chord_tone_share" in text and "Piano" in text


@pytest.mark.parametrize(("content", "args", "message"), [
    (b"hello", (), "not a MIDI file"),
    (b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00", (), "has no pitched notes"),
    (None, ("--melody-part", "7"), "--melody-part 7 does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(source, tmp_path, content, args, message):
    path = source
    if content is not None:
        path = tmp_path / "bad.mid"
        path.write_bytes(content)
    for command in (("stats", str(path), *args), ("train", "--midi", str(path), *args, "--out", str(tmp_path / "m"))):
        result = run(*command)
        assert result.returncode == 2
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_bad_chords_and_bad_model_are_one_line(model, tmp_path):
    result = run("generate", "--model", str(model), "--out", str(tmp_path / "x.mid"), "--chords", "C Hm7")
    assert result.returncode == 2 and "Hm7" in result.stderr
    result = run("generate", "--model", str(tmp_path), "--out", str(tmp_path / "x.mid"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.mid").exists()


def test_dry_run_trains_one_step(source, tmp_path):
    result = run("train", "--midi", str(source), "--max-steps", "1", "--tokens", "pitch", "--conditioning", "none",
                 "--out", str(tmp_path / "m"))
    assert result.returncode == 0, result.stderr
    assert "(pitch)" in result.stdout


@needs_metheny
def test_the_classic_exercise_from_the_command_line(tmp_path):
    result = run("train", "--midi", str(METHENY), "--melody-part", "5", "--chord-part", "0", "--start", "476",
                 "--end", "548", "--max-steps", "3", "--out", str(tmp_path / "m"))
    assert result.returncode == 0, result.stderr
    assert "160 notes" in result.stdout
    result = run("generate", "--model", str(tmp_path / "m"), "--out", str(tmp_path / "s.mid"), "--bars", "32", "--json")
    assert json.loads(result.stdout)["bars"] == 32


def test_generate_json_uses_the_tempo_the_solo_is_written_at(model, tmp_path):
    result = run("generate", "--model", str(model), "--out", str(tmp_path / "t.mid"), "--bars", "4", "--tempo", "150",
                 "--json")
    stats = json.loads(result.stdout)
    assert stats["tempo"] == 150 and stats["duration_seconds"] == pytest.approx(16 * 60 / 150, abs=0.01)
    assert json.loads(run("stats", str(tmp_path / "t.mid"), "--json").stdout)["tempo"] == 150


def test_generate_with_primer_chord_rhythm_and_a_lead_sheet(model, source, tmp_path):
    sheet = tmp_path / "solo.musicxml"
    result = run("generate", "--model", str(model), "--out", str(tmp_path / "p.mid"), "--bars", "4", "--primer",
                 str(source), "--primer-bars", "1", "--chords", "Dm7:2 G7:2 Cmaj7", "--musicxml", str(sheet), "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["chords"][:4] == ["Dm7", "G7", "Cmaj7", "Dm7"] and stats["musicxml"] == str(sheet)
    back = json.loads(run("stats", str(sheet), "--json").stdout)
    assert back["chord_source"] == "symbols" and back["chords"] == stats["chords"]
    first_bar = json.loads(run("stats", str(source), "--end", "4", "--json").stdout)
    primed = json.loads(run("stats", str(sheet), "--end", "4", "--json").stdout)
    assert (primed["notes"], primed["pitch_low"], primed["pitch_high"]) == \
        (first_bar["notes"], first_bar["pitch_low"], first_bar["pitch_high"])


def test_evaluate_reports_held_out_scores_and_train_resumes(model, source, tmp_path):
    result = run("evaluate", "--model", str(model), "--midi", str(source), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["tokens"] == 56 + 8 - 1 and scores["unknown_tokens"] == 0 and scores["accuracy"] > 0.3
    assert "cross-entropy" in run("evaluate", "--model", str(model), "--midi", str(source)).stdout
    out = tmp_path / "r"
    common = ("train", "--midi", str(source), "--epochs", "2", "--window", "12", "--out", str(out))
    assert run(*common, "--max-steps", "1").returncode == 0
    resumed = run(*common, "--resume")
    assert resumed.returncode == 0 and "after 2 epoch(s)" in resumed.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--chords", "Dm7:0"), "--chords: 'Dm7:0' has no usable length"),
    (("--primer", "missing.mid"), "missing.mid: no such score file"),
])
def test_bad_generate_options_are_one_line(model, tmp_path, args, message):
    result = run("generate", "--model", str(model), "--out", str(tmp_path / "x.mid"), *args)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_bad_primer_is_refused_before_the_default_model_trains(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path / "cache"))  # no default model here: a first use would train it
    (tmp_path / "bad.mid").write_bytes(b"hello\x00\xff")
    result = run("generate", "--primer", str(tmp_path / "bad.mid"), "--out", str(tmp_path / "solo.mid"))
    assert result.returncode == 2 and "bad.mid: not a MIDI file" in result.stderr
    assert "training the default" not in result.stderr and not (tmp_path / "cache").exists()
