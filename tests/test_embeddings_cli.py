"""``nlp-rnn embeddings`` from the command line, as a user runs it."""

import json
import os
import subprocess
import sys

import pytest


def run(tmp_path, *args):
    env = {**os.environ, "NLP_RNN_CACHE": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "nlp_rnn", "embeddings", *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def glove(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("king 0.9 0.1 0.5\nqueen 0.9 0.9 0.5\nman 0.1 0.1 0.1\nwoman 0.1 0.9 0.1\napple -0.5 0.2 0.9\n")
    return path


def test_info_json(tmp_path, glove):
    result = run(tmp_path, "info", str(glove), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["source"] == "file" and info["vocab_size"] == 5 and info["dim"] == 3
    assert info["spec"] == str(glove) and info["load_seconds"] >= 0


def test_neighbors_analogy_and_convert_round_trip(tmp_path, glove):
    neighbors = json.loads(run(tmp_path, "neighbors", str(glove), "King", "-k", "2", "--json").stdout)
    assert neighbors["word"] == "king" and len(neighbors["neighbors"]) == 2
    answers = json.loads(run(tmp_path, "analogy", str(glove), "king", "man", "woman", "--json").stdout)
    assert answers["answers"][0]["word"] == "queen"
    out = tmp_path / "out" / "tiny.kv"
    assert run(tmp_path, "convert", str(glove), str(out)).returncode == 0
    info = json.loads(run(tmp_path, "info", str(out), "--json").stdout)
    assert info["vocab_size"] == 5


def test_packaged_analogy_king_man_woman_is_queen(tmp_path):
    result = run(tmp_path, "analogy", "glove-6b-50d", "king", "man", "woman", "-k", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "queen"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["info", "missing/vectors.txt"], "no such file"),
        (["neighbors", "GLOVE", "zzqxq"], "not in the vectors"),
        (["convert", "GLOVE", "out.txt"], "must end in .kv"),
        (["info", "no-such-vectors"], "glove-6b-50d"),
    ],
)
def test_errors_are_one_line_exit_2(tmp_path, glove, args, message):
    args = [str(glove) if a == "GLOVE" else a for a in args]
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
