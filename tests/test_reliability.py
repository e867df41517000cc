"""Reliability: killed training runs lose nothing, seeds hold across processes, readers survive any bytes."""

import io
import random
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embeddings import VectorsError
from nlp_rnn.emojify.classify import read_lines
from nlp_rnn.emojify.data import read_examples
from nlp_rnn.errors import DataError
from nlp_rnn.models.store import load_model
from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.corpus import read_text
from nlp_rnn.vocab import Vocabulary

FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


def train_command(out, corpus, *extra):
    return [sys.executable, "-m", "nlp_rnn", "text", "train", "--corpus", str(corpus), "--level", "char",
            "--layers", "1", "--hidden", "16", "--embed", "16", "--batch-size", "4", "--bptt", "8",
            "--epochs", "400", "--out", str(out), *extra]


def test_sigkill_at_random_moments_never_loses_the_last_checkpoint(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a small corpus, repeated to make a few batches per epoch.\n" * 8)
    out, rng = tmp_path / "run", random.Random(0)
    for attempt in range(4):
        extra = ["--resume"] if attempt and (out / "resume.json").exists() else []
        process = subprocess.Popen(train_command(out, corpus, *extra), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not (out / "checkpoint.json").exists() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(rng.uniform(0.2, 2.0))  # kill it somewhere in the middle of training and saving
        process.send_signal(signal.SIGKILL)
        process.wait()
        loaded = load_model(out, kind="language_model")  # whatever the moment, the last checkpoint loads
        assert loaded.vocabulary is not None
    steps = load_model(out).metrics["step"]
    resumed = subprocess.run(train_command(out, corpus, "--resume", "--max-steps", str(steps + 5)),
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr


def test_same_seed_same_weights_and_samples_across_processes(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("the same seed gives the same model in another process.\n" * 10)
    names, samples = [], []
    for run in ("a", "b"):
        out = tmp_path / run
        subprocess.run(train_command(out, corpus, "--max-steps", "15"), check=True, capture_output=True, timeout=120)
        names.append(sorted(p.name for p in out.glob("model-*.safetensors")))  # named by content hash
        generate = [sys.executable, "-m", "nlp_rnn", "text", "generate", "--model", str(out), "--seed", "4",
                    "--length", "60"]
        samples.append(subprocess.run(generate, check=True, capture_output=True, text=True, timeout=120).stdout)
    assert names[0] == names[1] and samples[0] == samples[1]


@FUZZ
@given(st.text())
def test_tokenizers_take_any_text(text):
    for tokenizer in (Tokenizer("word"), Tokenizer("word", lower=True), Tokenizer("char")):
        tokens = tokenizer(text)
        assert all(isinstance(t, str) and t for t in tokens)
    assert Tokenizer("char").detokenize(Tokenizer("char")(text)) == text


@FUZZ
@given(st.lists(st.text(min_size=1), max_size=30))
def test_vocabulary_round_trips_any_tokens(tokens):
    vocab = Vocabulary.build([tokens], eos=True)
    again = Vocabulary.from_dict(vocab.to_dict())
    assert again == vocab
    known = [t for t in tokens if t not in ("<pad>", "<unk>")]
    assert again.decode(again.encode(known)) == known


@FUZZ
@given(st.binary(max_size=400))
def test_emojify_csv_reader_works_or_says_why(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        examples = read_examples(path)
    except DataError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:
        assert all(e.text and e.label for e in examples)


@FUZZ
@given(st.binary(max_size=400))
def test_classify_reader_gives_one_row_per_line(data):
    rows = list(read_lines(io.BytesIO(data)))
    assert len(rows) == len(io.BytesIO(data).readlines())
    assert [number for number, _, _ in rows] == list(range(1, len(rows) + 1))


@FUZZ
@given(st.binary(max_size=300))
def test_corpus_and_vector_readers_work_or_say_why(tmp_path, data):
    from embeddings.files import parse_vectors

    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        assert isinstance(read_text(path), str)
    except DataError as error:
        assert "\n" not in str(error)
    try:
        parse_vectors(path)
    except VectorsError as error:
        assert str(path) in str(error)


@pytest.mark.parametrize("content", [b"\x00" * 50 + b"\n", b"x" * 10_000_000, b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_classify_survives_nul_bytes_huge_lines_crlf_and_bom(content):
    rows = list(read_lines(io.BytesIO(content)))
    assert len(rows) == len(io.BytesIO(content).readlines())
