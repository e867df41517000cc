"""Emojify models: training, determinism, checkpoints, classification, explanations, the CLI."""

import io
import itertools
import json
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
import torch

from nlp_rnn.cli.main import main
from nlp_rnn.emojify import model as emoji_model
from nlp_rnn.emojify.classify import RowWriter, classify_batches, classify_stream, read_lines
from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.explain import explain
from nlp_rnn.emojify.train import EmojifyOptions, train


@pytest.fixture(scope="module")
def bundled():
    return train_valid(read_examples("bundled"))


@pytest.fixture(scope="module")
def v2_dir(tmp_path_factory, bundled):
    out = tmp_path_factory.mktemp("emojify") / "v2"
    train(EmojifyOptions(model="v2", epochs=25, seed=0), *bundled, out, progress=False)
    return out


def test_v2_learns_the_bundled_task(v2_dir, bundled):
    from nlp_rnn.emojify.evaluate import evaluate

    report = evaluate(emoji_model.load(v2_dir), bundled[1])
    assert report["accuracy"] >= 0.7 and report["n"] == 60  # chance is 0.2


@pytest.mark.parametrize("options", [EmojifyOptions(model="v1", epochs=40),
                                     EmojifyOptions(model="v2", epochs=3, trainable_embeddings=True, cell="gru",
                                                    pooling="attention", bidirectional=True, layers=1, hidden=16)])
def test_same_seed_same_model_and_round_trip(tmp_path, bundled, options):
    a, _ = train(options, *bundled, tmp_path / "a", progress=False)
    b, _ = train(options, *bundled, tmp_path / "b", progress=False)
    for key, value in a.classifier.state_dict().items():
        assert torch.equal(value, b.classifier.state_dict()[key]), key
    texts = ["I love you", "let's eat"]
    torch.testing.assert_close(a.probabilities(texts), b.probabilities(texts))


def test_small_batches_run_on_one_torch_thread_and_big_ones_on_the_callers(v2_dir, monkeypatch):
    """Tiny ops split over threads wait for a busy core (explaining ran at 5-7 sentences/s on 2 threads)."""
    model, seen = emoji_model.load(v2_dir), []
    forward = type(model.classifier).forward
    monkeypatch.setattr(type(model.classifier), "forward",
                        lambda self, *args: seen.append(torch.get_num_threads()) or forward(self, *args))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model.probabilities(["I love you", "we won the game"])
        model.probabilities(["we ate pizza"] * (emoji_model.ONE_THREAD_TOKENS // 3 + 1))
        assert seen == [1, 1, 2] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_reading_sentences_grouped_by_length_gives_the_packed_batch_result(v2_dir):
    model = emoji_model.load(v2_dir)
    texts = ["I love you", "we ate pasta and pizza for dinner tonight", "zzqxqzz", "he hit a home run", "sad", "ok ok"]
    tokens, lengths = model.batch(texts)
    with torch.no_grad():
        packed = torch.softmax(model.classifier(tokens, lengths), dim=-1)  # one padded, packed batch
    torch.testing.assert_close(model.probabilities_of(tokens, lengths), packed)


@pytest.mark.parametrize("trainable", [False, True])
def test_batch_encodes_each_sentence_as_its_own_token_ids(tmp_path, bundled, v2_dir, trainable):
    """The one-pass batch encoder against a lookup per sentence: frozen vectors drop unknown words,
    a trained vocabulary maps them to <unk>; a sentence of no known word is one pad."""
    model = emoji_model.load(v2_dir) if not trainable else train(
        EmojifyOptions(model="v1", epochs=1, trainable_embeddings=True), *bundled, None, progress=False)[0]
    texts = ["I love you", "", "zzqxqzz qqq", "Héllo, WORLD!! 👩‍💻 ❤️", "don't stop\nme now", "pizza\tTIME 42"]
    tokens, lengths = model.batch(texts)
    for row, text, length in zip(tokens.tolist(), texts, lengths.tolist()):
        expected = model.token_ids(model.tokenizer(text)) or [0]
        assert length == len(expected) and row[:length] == expected and not any(row[length:])


def test_frozen_vectors_are_not_stored_in_the_checkpoint(v2_dir):
    named = json.loads((v2_dir / "checkpoint.json").read_text())["files"]["model"]["file"]
    size = (v2_dir / named).stat().st_size
    assert size < 2_000_000  # the 400,001 × 50 GloVe layer alone is 80 MB
    model = emoji_model.load(v2_dir)
    assert model.classifier.embedding.num_embeddings == 400_001
    assert model.token_ids(["the", "zzqxqzz"]) == [1]  # unknown words are dropped


def test_classify_gives_one_row_per_line_in_order_with_errors(v2_dir):
    model = emoji_model.load(v2_dir)
    data = b"\xef\xbb\xbfI love you\r\n\nlet's eat pizza\n\xff\xfe\n   \nhe hit a home run"
    rows = list(classify_stream(model, read_lines(io.BytesIO(data)), top_k=2, batch_size=2))
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r.get("error", "") for r in rows] == ["", "empty line", "", "not valid UTF-8", "empty line", ""]
    assert rows[0]["text"] == "I love you" and rows[0]["label"] == "heart" and rows[0]["emoji"] == "❤️"
    assert rows[2]["label"] == "fork_and_knife" and rows[5]["label"] == "baseball"
    assert len(rows[0]["top_k"]) == 2 and rows[0]["top_k"][0]["prob"] == rows[0]["prob"]


def test_workers_keep_input_order_and_give_the_same_rows(v2_dir):
    model = emoji_model.load(v2_dir)
    words = ["pizza", "love", "game", "sad", "happy", "bat", "dinner", "hug", "cry"]
    data = "\n".join(" ".join(words[(i * 7 + j) % 9] for j in range(1 + i % 5)) if i % 11 else "" for i in range(300))
    def run(workers):
        return list(classify_batches(model, read_lines(io.BytesIO(data.encode())), 3, 7, workers, RowWriter("jsonl").render))
    one, three = run(1), run(3)
    assert len(one) == 43 and three == one
    rows = [json.loads(line) for line in "".join(three).splitlines()]
    assert [r["line"] for r in rows] == list(range(1, 301))


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
def test_writers(v2_dir, fmt):
    model = emoji_model.load(v2_dir)
    writer = RowWriter(fmt)
    rows = list(classify_stream(model, read_lines(io.BytesIO(b"good food\n\n")), top_k=3))
    lines = (writer.header() + writer.render(rows)).splitlines()
    if fmt == "jsonl":
        first, second = (json.loads(line) for line in lines)
        assert set(first) == {"line", "text", "label", "emoji", "prob", "top_k"} and len(first["top_k"]) == 3
        assert second["error"] == "empty line"
    else:
        assert len(lines) == 3 and lines[0].startswith("line")


def test_explain_finds_the_word_that_matters(v2_dir):
    model = emoji_model.load(v2_dir)
    predicted, probs, scores, method = explain(model, "we ate the pizza, zzqxqzz")
    assert model.labels[predicted] == "fork_and_knife" and method == "leave-one-out"
    words = {s.word: s for s in scores}
    assert max(scores, key=lambda s: s.score).word == "pizza"
    assert words["zzqxqzz"].known is False and words["the"].known  # "the": GloVe's first word, row 1
    assert abs(sum(probs) - 1) < 1e-5


def test_cli_train_dry_run_evaluate_and_explain(tmp_path, capsys, v2_dir):
    data = tmp_path / "classic.csv"
    data.write_text("I love you,0\nlet's play ball,1\nwhat fun,2\nI am sad,3\ndinner time,4\n" * 4)
    assert main(["emojify", "train", "--data", str(data), "--model", "v1", "--max-steps", "1",
                 "--out", str(tmp_path / "m")]) == 0
    assert main(["emojify", "evaluate", "--model", str(tmp_path / "m"), "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"accuracy", "macro_f1", "n", "confusion"} <= set(report) and report["n"] == 20
    assert main(["emojify", "explain", "--model", str(v2_dir), "I love my dog", "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["label"] == "heart" and [w["word"] for w in explained["words"]] == ["i", "love", "my", "dog"]


def test_cli_classify_streams_stdin_and_files(tmp_path, v2_dir):
    (tmp_path / "a.txt").write_text("I love you\n")
    command = [sys.executable, "-m", "nlp_rnn", "emojify", "classify", "--model", str(v2_dir), "--format", "jsonl"]
    piped = subprocess.run(command, input=b"let's eat\n\xff\nplay ball\n", capture_output=True, timeout=120)
    rows = [json.loads(line) for line in piped.stdout.decode().splitlines()]
    assert piped.returncode == 0 and [r["line"] for r in rows] == [1, 2, 3] and "error" in rows[1]
    two = subprocess.run(command + [str(tmp_path / "a.txt"), "-"], input=b"yum\n", capture_output=True, timeout=120)
    rows = [json.loads(line) for line in two.stdout.decode().splitlines()]
    assert [(r["file"], r["line"]) for r in rows] == [(str(tmp_path / "a.txt"), 1), ("-", 1)]
    missing = subprocess.run(command + [str(tmp_path / "nope.txt")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such input file" in missing.stderr


@pytest.mark.parametrize("workers", [1, 3])
def test_classify_reads_the_input_lazily(v2_dir, workers):
    """Constant memory on any file: at most workers + 1 batches are read ahead of the output."""
    model, read = emoji_model.load(v2_dir), []

    def lines():  # a long input that records how far it was read
        for number in range(1, 100_001):
            read.append(number)
            yield number, "I love pizza", "I love pizza"

    batches = classify_batches(model, lines(), batch_size=50, workers=workers)
    for count, rows in enumerate(itertools.islice(batches, 20), start=1):
        assert rows[0]["line"] == (count - 1) * 50 + 1 and len(read) <= (count + workers + 1) * 50
    batches.close()


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_cli_classify_memory_does_not_grow_with_the_input(tmp_path, v2_dir, capsys, engine):
    """60 batches of new (sentences, length) shapes: no per-shape cache may pile up (oneDNN's did, 2 MB a batch, on the
    torch engine, in RSS), nor anything kept per batch (the numpy engine's packed steps, chunks and probabilities:
    20 batches, its arrays' traced allocations, 300 MB when each batch's states were kept)."""
    words = "i love my dog pizza is great we won the game so sad today what fun".split()
    rng = random.Random(0)

    def classify(lines: int) -> None:
        path = tmp_path / f"{lines}.txt"
        path.write_text("".join(" ".join(rng.choices(words, k=rng.randint(1, 30))) + "\n" for _ in range(lines)))
        assert main(["emojify", "classify", "--model", str(v2_dir), str(path), "--batch-size", "1000", "--engine", engine]) == 0
        assert len(capsys.readouterr().out.splitlines()) == lines + 1

    def resident_mb() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def held_mb() -> float:  # numpy's arrays are traced allocations: what is still held, not the heap's high water
        return tracemalloc.get_traced_memory()[0] / 2**20 if engine == "numpy" else resident_mb()

    classify(2_000)  # loads the model and the vectors
    if engine == "numpy":  # after a whole suite the heap's fragments alone moved RSS by 33 MB here
        tracemalloc.start()
    try:
        before = held_mb()
        classify(60_000 if engine == "torch" else 20_000)  # traced: 20 batches show what is kept per batch
        assert held_mb() - before < 30
    finally:
        tracemalloc.stop()


def test_cli_classify_stops_quietly_when_the_reader_goes_away(tmp_path, v2_dir):
    """`nlp-rnn emojify classify big.txt | head -1`: no error message, the shell's SIGPIPE status."""
    (tmp_path / "big.txt").write_text("I love you\n" * 50_000)
    command = [sys.executable, "-m", "nlp_rnn", "emojify", "classify", "--model", str(v2_dir), str(tmp_path / "big.txt"),
               "--batch-size", "1000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"line\t")
    process.stdout.close()
    assert process.wait(timeout=120) == 141 and process.stderr.read() == b""


def test_classifying_with_the_packaged_vectors_imports_neither_gensim_nor_pandas(tmp_path, bundled):
    """gensim's import costs about a second (scipy.stats), pandas another: a command that only classifies needs neither."""
    v1_dir = tmp_path / "v1"
    train(EmojifyOptions(model="v1", epochs=1), *bundled, v1_dir, progress=False)
    (tmp_path / "in.txt").write_text("I love you\nlet's eat\n")
    code = ("import sys; from nlp_rnn.cli.main import main; "
            f"code = main(['emojify', 'classify', {str(tmp_path / 'in.txt')!r}, '--model', {str(v1_dir)!r}]); "
            "assert code == 0; print(sorted(m for m in ('gensim', 'pandas', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "I love you" in result.stdout


def test_the_packaged_layer_read_without_gensim_holds_gensims_vectors():
    from embeddings import load_vectors

    kv = load_vectors("glove-6b-50d")
    words, layer = emoji_model.frozen_vectors("glove-6b-50d")
    rows = emoji_model.shared_rows("glove-6b-50d")
    assert words == kv.index_to_key and layer.num_embeddings == len(kv) + 1 and not layer.weight.requires_grad
    for word in ("love", "pizza", "baseball", ","):
        assert torch.equal(layer.weight[rows[word]], torch.from_numpy(kv[word].copy()))
    assert not layer.weight[0].any()  # padding


def test_frequency_weights_count_frequent_words_less(bundled):
    """Smooth inverse frequency: "the" (row 1 of GloVe, the most frequent word) weighs about 1%, the 1,000th word
    over 90%, padding nothing; a V1 trained with them stores the weight and reads "the" far less than plain V1."""
    from nlp_rnn.models.classifier import frequency_weight

    weights = frequency_weight(torch.tensor([0.0, 1.0, 10.0, 1_000.0, 100_000.0]), 1e-3, 400_001)
    assert weights[0] == 0 and bool((weights.diff() > 0).all()) and weights[1] < 0.02 and weights[3] > 0.9
    model, _ = train(EmojifyOptions(model="v1", frequency_weights=1e-3, epochs=1), *bundled, None, progress=False)
    assert model.classifier.config.frequency_weights == 1e-3
    the, pizza = model.batch(["the pizza"])[0][0].tolist()
    pooled, _ = model.classifier.pool(torch.tensor([[the, pizza]]), torch.tensor([2]))
    vectors = model.classifier.embedding.weight
    share = float(torch.linalg.lstsq(torch.stack([vectors[the], vectors[pizza]]).T, pooled[0].unsqueeze(1)).solution[0])
    assert share < 0.05  # plain V1: 0.5
    restricted, _ = train(EmojifyOptions(model="v1", frequency_weights=1e-3, trainable_embeddings=True, epochs=1),
                          *bundled, None, progress=False)
    assert restricted.classifier.config.frequency_weights == 0.0  # its rows are the training words', not ranks
