"""--model auto: folds, the choice, calibration, the ensemble checkpoint, resume; the page's checks."""

import json
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
import torch

from nlp_rnn.cli.main import main
from nlp_rnn.emojify import auto
from nlp_rnn.emojify.calibration import ensemble_probabilities, expected_calibration_error, fit_temperature
from nlp_rnn.emojify.data import Example, read_examples
from nlp_rnn.emojify.model import load
from nlp_rnn.emojify.options import CANDIDATES


@pytest.fixture(scope="module")
def small():
    """Eight sentences of each classic class from the bundled file."""
    by_label = {}
    for example in read_examples("bundled"):
        by_label.setdefault(example.label, []).append(replace(example, split=""))
    return [e for group in by_label.values() for e in group[:8]]


DRY = auto.AutoOptions(max_steps=1, folds=3, seeds=1)


PAIR = (auto.Member("v1-sif-negation", 100), auto.Member("bilstm-attention-64", 20))


@pytest.fixture(scope="module")
def dry_dir(tmp_path_factory, small):
    """A dry run whose choice is forced to a two-member ensemble (one step of training scores nothing)."""
    out = tmp_path_factory.mktemp("auto") / "model"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auto, "choose", lambda *args: (PAIR, {}))
        model, summary = auto.train_auto(DRY, small, out)
    return out, model, summary


def test_stratified_folds_share_every_class_evenly(small):
    fold = auto.stratified_folds(small, 3, seed=0)
    assert fold == auto.stratified_folds(small, 3, seed=0) != auto.stratified_folds(small, 3, seed=1)
    for label in {e.label for e in small}:
        counts = Counter(f for f, e in zip(fold, small) if e.label == label)
        assert max(counts.values()) - min(counts.values()) <= 1 and len(counts) == 3
    assert max(Counter(fold).values()) - min(Counter(fold).values()) <= 1


def test_folds_never_outnumber_the_smallest_class(small):
    assert auto.fold_count(small, 5) == 5
    assert auto.fold_count(small[:10], 5) == 2  # eight hearts, two baseballs


@pytest.mark.parametrize("third", [1.0, 5.0])
def test_the_choice_is_the_largest_ensemble_the_folds_cannot_tell_from_the_best(third):
    """Two members each right on a different two thirds, confident when right: their average is right
    everywhere, so it wins over either alone. A third member leaning a little to a wrong class changes no
    answer, so the folds cannot tell the three from the best and the larger is taken; leaning hard, it costs
    a whole fold and is left out."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 90)
    fold = np.arange(90) % 3
    a, b, c = (np.zeros((90, 3)) for _ in range(3))
    rows = np.arange(90)
    a[rows, truth] = np.where(rows % 3 != 0, 4.0, -1.0)
    b[rows, truth] = np.where(rows % 3 != 1, 4.0, -1.0)
    c[rows, (truth + 1) % 3] = third
    options = replace(auto.AutoOptions(), candidates=tuple(
        auto.Candidate(name, CANDIDATES[0].options, (1,)) for name in "abc"))
    members, table = auto.choose(options, {"a@1": a, "b@1": b, "c@1": c}, truth, fold, 3)
    assert [m.name for m in members] == (["a@1", "b@1", "c@1"] if third == 1.0 else ["a@1", "b@1"])
    assert table["a@1 + b@1"] == 1.0 > table["a@1"]
    assert (table["a@1 + b@1 + c@1"] == 1.0) == (third == 1.0)


def test_every_ensemble_tried_holds_the_anchor_and_a_better_mixture_without_it_is_not_taken():
    """The choice cannot stray from V1 (with frequency weights): on 26-sentence folds LSTM-only mixtures won the
    folds and lost the test."""
    options = auto.AutoOptions()
    tried = auto._ensembles(options)
    assert tried and all(any(m.candidate == auto.ANCHOR for m in members) for members in tried)
    assert {m.candidate for members in tried for m in members} == {c.name for c in CANDIDATES}
    rng = np.random.default_rng(0)
    truth, fold = rng.integers(0, 3, 60), np.arange(60) % 3
    perfect = np.eye(3)[truth] * 5.0
    logits = {m.name: perfect if m.candidate != auto.ANCHOR else rng.normal(0, 1, (60, 3))
              for members in tried for m in members}
    members, _ = auto.choose(options, logits, truth, fold, 3)
    assert any(m.candidate == auto.ANCHOR for m in members)


def test_members_train_with_several_seeds_and_the_ensemble_averages_them(small):
    options = replace(DRY, seeds=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auto, "choose", lambda *args: (PAIR, {}))
        model, summary = auto.train_auto(options, small, None)
    assert [(m["candidate"], m["seed"]) for m in summary["members"]] == [
        ("v1-sif-negation", 0), ("v1-sif-negation", 1), ("bilstm-attention-64", 0), ("bilstm-attention-64", 1)]
    assert len(model.classifiers) == 4
    weights = [c.output.weight for c in model.classifiers]
    assert not torch.equal(weights[0], weights[1]) and not torch.equal(weights[2], weights[3])
    assert "v1-sif-negation (100 epochs, 2 seeds)" in auto.summary_lines(summary)[1]


def test_the_fitted_temperature_recovers_how_overconfident_logits_are():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (4000, 5))
    probs = ensemble_probabilities([logits], 2.5)  # the labels follow softmax(logits / 2.5)
    truth = np.array([rng.choice(5, p=p) for p in probs])
    temperature = fit_temperature([logits], truth)
    assert 2.2 < temperature < 2.8
    before = expected_calibration_error(ensemble_probabilities([logits]), truth)
    after = expected_calibration_error(ensemble_probabilities([logits], temperature), truth)
    assert after < 0.03 < before


def test_auto_checkpoint_holds_members_choice_and_cross_validation(dry_dir, small):
    out, model, summary = dry_dir
    manifest = json.loads((out / "checkpoint.json").read_text())
    stored = manifest["extra"]["auto"]
    assert stored["members"] == summary["members"] and stored["folds"] == 3
    assert {"accuracy", "spread", "fold_accuracy", "temperature", "ece", "ece_calibrated", "nll", "nll_calibrated",
            "brier", "brier_calibrated", "confusion"} <= set(stored)
    assert len(stored["fold_accuracy"]) == 3 and sum(map(sum, stored["confusion"])) == len(small)
    assert not list(out.rglob("*.pt")) and not list(out.rglob("*.pkl"))  # safetensors + JSON only
    loaded = load(out)
    assert len(loaded.classifiers) == len(summary["members"]) == 2 and loaded.temperature == summary["temperature"]
    assert loaded.classifier.encoder is None and loaded.members[0].attention is not None  # v1 + the BiLSTM
    assert (out / "members" / "1" / "checkpoint.json").is_file()
    texts = ["I love you", "let's have pizza", "we lost the game"]
    torch.testing.assert_close(loaded.probabilities(texts), model.probabilities(texts))


def test_an_ensemble_averages_its_members_tempered_probabilities(dry_dir):
    _, model, _ = dry_dir
    texts = ["I love you", "the game was great"]
    tokens, lengths = model.batch(texts)
    with torch.no_grad():
        expected = sum(torch.softmax(c.eval()(tokens, lengths) / model.temperature, -1) for c in model.classifiers)
    torch.testing.assert_close(model.probabilities(texts), expected / len(model.classifiers))


def test_a_damaged_member_is_a_clear_error(tmp_path, dry_dir):
    import shutil

    out, model, _ = dry_dir
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / "members" / "1")
    with pytest.raises(Exception, match="members/1"):
        load(copy)


def test_a_class_of_one_sentence_skips_cross_validation(small):
    few = small[:9]  # eight hearts and one baseball
    model, summary = auto.train_auto(DRY, few, None)
    assert summary["folds"] == 0 and [m["candidate"] for m in summary["members"]] == ["v1-sif-negation"]
    assert model.probabilities(["I love you"]).shape == (1, 2)


def test_resume_reuses_the_stored_choice_and_trains_the_rest(tmp_path, small):
    out = tmp_path / "model"
    _, first = auto.train_auto(DRY, small, out)
    for name in ("checkpoint.json", "resume.json"):
        (out / name).unlink()  # stopped before the last member (written last) began
    heard = []
    model, again = auto.train_auto(DRY, small, out, progress=lambda d, n, what: heard.append(what), resume=True)
    assert again == first and not any("cross-validation" in what for what in heard)
    assert load(out).auto == first


def test_cli_trains_auto_by_default_and_evaluate_prints_the_choice(tmp_path, capsys, small):
    data = tmp_path / "mine.csv"
    data.write_text("text,label\n" + "".join(f'"{e.text}",{e.label}\n' for e in small))
    assert main(["emojify", "train", "--data", str(data), "--max-steps", "1", "--folds", "3",
                 "--out", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "chosen by stratified 3-fold cross-validation on 40 sentences" in out and "members:" in out
    assert "temperature" in out and "log loss" in out and "ECE" in out
    assert main(["emojify", "evaluate", "--model", str(tmp_path / "m"), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "model: " in out and "ECE" in out
    assert main(["emojify", "train", "--data", str(data), "--hidden", "8", "--out", str(tmp_path / "x")]) == 2
    assert "--model auto chooses its own" in capsys.readouterr().err


def test_cli_resume_continues_a_v1_run_exactly(tmp_path, small):
    data = tmp_path / "mine.csv"
    data.write_text("text,label\n" + "".join(f'"{e.text}",{e.label}\n' for e in small))
    common = ["emojify", "train", "--data", str(data), "--model", "v1", "--epochs", "4"]
    assert main([*common, "--out", str(tmp_path / "whole")]) == 0
    assert main([*common, "--max-steps", "3", "--out", str(tmp_path / "cut")]) == 0  # stops inside epoch 2
    assert main([*common, "--resume", "--out", str(tmp_path / "cut")]) == 0
    whole, cut = load(tmp_path / "whole").classifier.state_dict(), load(tmp_path / "cut").classifier.state_dict()
    for name in ("output.weight", "output.bias"):
        assert torch.equal(whole[name], cut[name]), name
    assert main([*common, "--resume", "--out", str(tmp_path / "none")]) == 2


def test_words_the_model_cannot_read_are_flagged_and_marked(dry_dir):
    from nlp_rnn.emojify.explain import explain, knows_nothing, sentence_html

    _, model, _ = dry_dir
    assert knows_nothing(explain(model, "xqzt blorf")[2]) and knows_nothing(explain(model, "!!!")[2])
    scores = explain(model, "I love <b>pizza</b> xqzt")[2]
    assert not knows_nothing(scores)
    html = sentence_html(scores)
    assert "line-through\">xqzt</span>" in html and "<b>" not in html and "&lt;" in html


def test_binary_uploads_are_one_error_and_a_stray_bad_line_is_not():
    from nlp_rnn.emojify.uploads import require_text
    from nlp_rnn.errors import DataError

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
    with pytest.raises(DataError, match="picture.png: not a text file"):
        require_text("picture.png", png)
    require_text("mostly.txt", b"one\n\xff\ntwo\nthree\n")
    require_text("x.csv", b"text\n\xff\xfe\x00bad\nfine words\n")


def test_a_training_set_of_three_sentences_is_too_small():
    from nlp_rnn.emojify.uploads import too_small

    three = [Example("I love you", "heart", 1), Example("pizza", "fork_and_knife", 2), Example("sad", "disappointed", 3)]
    assert "only 3 sentences" in too_small(three)
    assert too_small([Example(f"s{i}", "ab"[i % 2], i) for i in range(40)]) is None


def test_a_stop_while_the_members_train_ends_the_whole_run(tmp_path, small):
    """Asked after the cross-validation, while the members train: TrainingStopped, naming where it stopped."""
    from nlp_rnn.training import TrainingStopped

    heard, out = [], tmp_path / "model"

    def stop():
        return "asked" if any(what.startswith("training member") for what in heard) else None

    with pytest.raises(TrainingStopped) as stopped:
        auto.train_auto(DRY, small, out, progress=lambda d, n, what: heard.append(what), stop=stop)
    assert stopped.value.during.startswith("training member 1 of") and stopped.value.reason == "asked"
