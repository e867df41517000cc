"""The numpy engine: the same probabilities as torch from the same checkpoint, and commands that only classify
start without importing torch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from nlp_rnn import engines
from nlp_rnn.cli.main import main
from nlp_rnn.emojify import model as torch_model
from nlp_rnn.emojify import numpy_model
from nlp_rnn.emojify.auto import AutoOptions, Candidate, train_auto
from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.explain import explain
from nlp_rnn.emojify.numpy_classifier import NumpyClassifier, Tokens, classifier_shapes
from nlp_rnn.emojify.numpy_steps import Steps
from nlp_rnn.emojify.train import EmojifyOptions, train
from nlp_rnn.errors import DataError, UserError
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.models.shapes import expected_shapes

ROOT = Path(__file__).resolve().parents[1]
KINDS = [dict(cell="none"), dict(cell="none", pooling="attention"), dict(cell="none", pooling="max", frequency_weights=0.3),
         dict(cell="none", pooling="attention", frequency_weights=0.05), dict(cell="lstm", num_layers=2),
         dict(cell="gru", num_layers=1, pooling="max"),
         dict(cell="lstm", num_layers=1, bidirectional=True, pooling="attention"),
         dict(cell="lstm", num_layers=2, bidirectional=True), dict(cell="gru", num_layers=2, bidirectional=True, pooling="mean"),
         dict(cell="rnn", num_layers=3, pooling="attention"), dict(cell="none", negation=True),
         dict(cell="none", frequency_weights=0.05, negation=True),
         dict(cell="none", pooling="attention", frequency_weights=0.05, negation=True)]
# every kind the CLI's --model auto, v1 and v2 can make, in one ensemble (trained one step each: parity needs no skill)
CANDIDATES = (
    Candidate("v1", EmojifyOptions(model="v1", epochs=1), (1,)),
    Candidate("v1-sif", EmojifyOptions(model="v1", frequency_weights=1e-3, epochs=1), (1,)),
    Candidate("v1-sif-negation", EmojifyOptions(model="v1", frequency_weights=1e-3, negation=True, epochs=1), (1,)),
    Candidate("v1-attention", EmojifyOptions(model="v1", pooling="attention", epochs=1), (1,)),
    Candidate("v1-attention-negation", EmojifyOptions(model="v1", pooling="attention", negation=True, epochs=1), (1,)),
    Candidate("bilstm", EmojifyOptions(model="v2", layers=1, hidden=6, bidirectional=True, pooling="attention", epochs=1), (1,)),
    Candidate("v2", EmojifyOptions(model="v2", layers=2, hidden=6, epochs=1), (1,)),
)
TEMPERATURE = 1.7
SENTENCES = ["I love you", "let's eat", "zzqx qqxj", "", "!!", "the food was great but the game was awful " * 4,
             "Pizza.", "I am so sad today", "what a home run", "I am not happy, I am hungry", "never again no"]


@pytest.fixture(scope="module")
def bundled():
    return train_valid(read_examples("bundled"))


@pytest.fixture(scope="module")
def ensemble_dir(tmp_path_factory, bundled):
    """An --model auto folder holding all five candidates and a fitted-looking temperature (the stored choice that
    --resume reuses, so no cross-validation runs)."""
    out = tmp_path_factory.mktemp("numpy") / "ensemble"
    out.mkdir()
    members = [{"candidate": c.name, "epochs": 1, "seed": 0} for c in CANDIDATES]
    (out / "auto.json").write_text(json.dumps({"method": "given", "folds": 0, "sentences": 1, "choice": "all",
                                               "members": members, "temperature": TEMPERATURE}))
    options = AutoOptions(seeds=1, max_steps=2, candidates=CANDIDATES)
    train_auto(options, bundled[0], out, resume=True)
    return out


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: "-".join(map(str, kind.values())))
def test_the_numpy_classifier_gives_torch_logits_for_every_kind(kind):
    torch.manual_seed(0)
    config = ClassifierConfig(vocab_size=30, embed_dim=6, num_classes=4, hidden_size=5, **kind)
    assert classifier_shapes(config) == expected_shapes(lambda: Classifier(config))
    model = Classifier(config).eval()
    lengths = torch.tensor([3, 1, 7, 2, 7, 4, 1])
    tokens = torch.randint(1, 30, (7, 7)) * (torch.arange(7) < lengths[:, None])
    tokens[1, 0] = 0  # a sentence of no known word is one padding token
    tokens[[0, 2, 2, 4], [2, 3, 6, 0]] += 30  # words in a negation's scope: every kind reads their rows
    with torch.no_grad():  # one sentence at a time: no padding for torch to skip
        expected = torch.cat([model(tokens[i : i + 1, : lengths[i]], lengths[i : i + 1]) for i in range(7)]).numpy()
    weights = {name: tensor.numpy() for name, tensor in model.state_dict().items()}
    got, _ = NumpyClassifier(config, weights, weights["embedding.weight"], 0).forward(Tokens.of(tokens.numpy(), lengths.numpy()))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)



# lengths across numpy's pairwise-sum boundaries (8 running sums from 9 tokens, halves past 129): Steps sums them
LONG_LENGTHS = [9, 1, 17, 131, 8, 25, 2, 140, 16]


@pytest.mark.parametrize("kind", [dict(cell="lstm", bidirectional=True, pooling="attention"),
                                  dict(cell="gru", num_layers=2, bidirectional=True, pooling="mean"),
                                  dict(cell="rnn", pooling="max"), dict(cell="lstm", num_layers=2, bidirectional=True)],
                         ids=lambda kind: "-".join(map(str, kind.values())))
def test_long_sentences_pool_as_torch_pools_them(kind):
    torch.manual_seed(0)
    config = ClassifierConfig(vocab_size=30, embed_dim=6, num_classes=4, hidden_size=5, **kind)
    model = Classifier(config).eval()
    lengths = torch.tensor(LONG_LENGTHS)
    tokens = torch.randint(1, 30, (len(LONG_LENGTHS), max(LONG_LENGTHS))) * (torch.arange(max(LONG_LENGTHS)) < lengths[:, None])
    with torch.no_grad():
        expected = torch.cat([model(tokens[i : i + 1, : n], lengths[i : i + 1]) for i, n in enumerate(LONG_LENGTHS)]).numpy()
    weights = {name: tensor.numpy() for name, tensor in model.state_dict().items()}
    got, _ = NumpyClassifier(config, weights, weights["embedding.weight"], 0).forward(Tokens.of(tokens.numpy(), lengths.numpy()))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_step_order_reductions_are_those_over_each_sentences_tokens():
    """Sums and maxima over the step-after-step rows the classifier keeps its states in, as over each sentence's
    tokens (sums within float32 rounding: the order of the additions differs)."""
    rng = np.random.default_rng(0)
    for lengths in ([3, 1, 7], LONG_LENGTHS, [1], [8] * 5, [129, 130, 9, 9, 10], list(rng.integers(1, 300, 40))):
        lengths = np.asarray(lengths)
        starts = np.cumsum(lengths) - lengths
        steps = Steps.of(lengths, starts)
        for shape in ((), (7,)):
            values = rng.standard_normal((lengths.sum(), *shape)).astype(np.float32)
            rows = values[steps.forwards]
            np.testing.assert_allclose(steps.sum(rows), np.add.reduceat(values.astype(np.float64), starts, axis=0),
                                       rtol=1e-5, atol=1e-4)
            assert np.array_equal(steps.max(rows), np.maximum.reduceat(values, starts, axis=0))


def test_an_ensemble_with_its_temperature_gives_torch_probabilities(ensemble_dir, bundled):
    expected_model, got_model = torch_model.load(ensemble_dir, "cpu"), numpy_model.load(ensemble_dir)
    assert got_model.temperature == TEMPERATURE and len(got_model.classifiers) == len(CANDIDATES)
    assert [c.config.cell for c in got_model.classifiers] == ["none", "none", "none", "none", "none", "lstm", "lstm"]
    assert got_model.classifiers[1].config.frequency_weights == 1e-3 and got_model.classifiers[2].config.negation
    assert got_model.scope_offset == expected_model.scope_offset == got_model.classifier.config.vocab_size
    texts = SENTENCES + [e.text for e in bundled[1]]
    expected = expected_model.probabilities(texts).numpy()
    got = got_model.probabilities(texts)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    got_model.temperature = 1.0  # the temperature is applied: without it the numbers differ
    assert np.abs(got_model.probabilities(texts) - expected).max() > 1e-3


def test_a_model_with_its_own_fine_tuned_rows_gives_torch_probabilities(tmp_path, bundled):
    out = tmp_path / "trainable"
    options = EmojifyOptions(model="v2", layers=1, hidden=6, pooling="mean", trainable_embeddings=True, max_steps=3)
    train(options, *bundled, out, progress=False)
    expected_model, got_model = torch_model.load(out, "cpu"), numpy_model.load(out)
    assert got_model.vocabulary is not None and got_model.classifier.offset == 0
    np.testing.assert_allclose(got_model.probabilities(SENTENCES), expected_model.probabilities(SENTENCES).numpy(),
                               rtol=1e-5, atol=1e-6)


def test_explain_gives_the_same_scores_on_both_engines(ensemble_dir, tmp_path, bundled):
    single = tmp_path / "attention"
    train(EmojifyOptions(model="v1", pooling="attention", max_steps=3), *bundled, single, progress=False)
    for folder, method in ((ensemble_dir, "leave-one-out"), (single, "attention")):
        expected = explain(torch_model.load(folder, "cpu"), "I love this pizza zzqx")
        got = explain(numpy_model.load(folder), "I love this pizza zzqx")
        assert got[0] == expected[0] and got[3] == expected[3] == method
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-5, atol=1e-6)
        assert [(s.word, s.known) for s in got[2]] == [(s.word, s.known) for s in expected[2]]
        np.testing.assert_allclose([s.score for s in got[2]], [s.score for s in expected[2]], rtol=1e-4, atol=1e-6)


def _without_torch(commands: list[list[str]]) -> list[str]:
    """Each command through main() in one fresh process: its stdout, then whether torch was imported."""
    code = ("import io, sys, contextlib; from nlp_rnn.cli.main import main\n"
            f"for argv in {commands!r}:\n"
            "    out = io.StringIO()\n"
            "    with contextlib.redirect_stdout(out): assert main(argv) == 0, argv\n"
            "    print(repr(out.getvalue()))\n"
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_commands_that_only_classify_do_not_import_torch_and_print_what_torch_prints(ensemble_dir, tmp_path, capsys):
    sentences = tmp_path / "in.txt"
    sentences.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("I love you,0\nlet's eat,4\nwhat a game,1\n", encoding="utf-8")
    model = ["--model", str(ensemble_dir)]
    commands = [["emojify", "classify", str(sentences), *model, "--format", "jsonl"],
                ["emojify", "evaluate", "--data", str(labelled), *model, "--json"],
                ["emojify", "explain", "I love this pizza", *model]]
    *outputs, imported = _without_torch(commands)
    assert imported == "False"
    for argv, output in zip(commands, outputs):
        assert main([*argv, "--engine", "torch"]) == 0
        assert eval(output) == capsys.readouterr().out, argv  # noqa: S307 (our own repr of a string)


def test_the_engine_is_numpy_only_on_the_cpu_in_fp32(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("NLP_RNN_DEVICE", raising=False)
    monkeypatch.setattr(engines, "torch_may_see_accelerator", lambda: False)
    assert engines.choose("auto", None, "fp32") == engines.choose("auto", "cpu", "fp32") == "numpy"
    assert engines.choose("auto", None, "bf16") == engines.choose("auto", "cuda", "fp32") == "torch"
    assert engines.choose("torch", "cpu", "fp32") == "torch"
    monkeypatch.setenv("NLP_RNN_DEVICE", "cuda:1")
    assert engines.choose("auto", None, "fp32") == "torch"
    with pytest.raises(UserError, match="--engine numpy runs in fp32 on the CPU only"):
        engines.choose("numpy", None, "fp32")
    monkeypatch.setattr(engines, "torch_may_see_accelerator", lambda: True)  # a CUDA build: torch decides
    monkeypatch.delenv("NLP_RNN_DEVICE")
    assert engines.choose("auto", None, "fp32") == "torch" and engines.choose("auto", "cpu", "fp32") == "numpy"
    assert main(["emojify", "classify", "--engine", "numpy", "--device", "cuda", str(tmp_path / "x.txt")]) == 2
    assert "--engine numpy runs in fp32 on the CPU only" in capsys.readouterr().err


def test_the_installed_torch_is_told_apart_by_its_version_file(monkeypatch, tmp_path):
    import importlib.util

    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("")
    spec = importlib.util.spec_from_file_location("torch", tmp_path / "torch" / "__init__.py")
    monkeypatch.setattr(engines.importlib.util, "find_spec", lambda name: spec)
    monkeypatch.setattr(engines.sys, "platform", "linux")
    for text, accelerator in (("cuda: Optional[str] = None\nhip: Optional[str] = None\n", False),
                              ("cuda: Optional[str] = '12.4'\nhip: Optional[str] = None\n", True),
                              ("cuda = None\nhip = '6.1'\n", True)):
        (tmp_path / "torch" / "version.py").write_text(text)
        assert engines.torch_may_see_accelerator() is accelerator


def test_the_numpy_loader_refuses_what_the_torch_loader_refuses(ensemble_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(ensemble_dir / "members" / "5", broken)  # the bilstm
    meta = json.loads((broken / "checkpoint.json").read_text())
    meta["config"]["hidden_size"] = 7
    (broken / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="weights do not fit the config"):
        numpy_model.load(broken)
    meta["config"]["hidden_size"], meta["kind"] = 6, "language_model"
    (broken / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="not a classifier"):
        numpy_model.load(broken)
    weights = broken / meta["files"]["model"]["file"]
    weights.write_bytes(weights.read_bytes()[:-4] + b"\x00\x00\xc0\x7f")  # the last float becomes NaN
    with pytest.raises(DataError, match="checksum mismatch"):
        numpy_model.load(broken)
    (tmp_path / "pickled").mkdir()
    (tmp_path / "pickled" / "model.pt").write_bytes(b"\x80\x04")
    with pytest.raises(DataError, match="never loads"):
        numpy_model.load(tmp_path / "pickled")
