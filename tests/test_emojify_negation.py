"""Negation in Emojify's V1: the words in a negation's scope are averaged in a block of their own."""

import json

import numpy as np
import pytest
import torch

from nlp_rnn.emojify import model as torch_model
from nlp_rnn.emojify import numpy_model
from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.encoding import TOKENIZER, negation_scope
from nlp_rnn.emojify.train import EmojifyOptions, build_model, train

SIF = EmojifyOptions(model="v1", frequency_weights=1e-3, weight_decay=0.003, epochs=100, patience=None)


@pytest.fixture(scope="module")
def bundled():
    return train_valid(read_examples("bundled"))


def test_a_negations_scope_runs_to_the_next_punctuation_mark_or_the_sentences_end():
    tokens = TOKENIZER.lines(["I am not happy, I am sad", "she did n't call me back . ok", "no", "never again"])
    inside = [t for t, flag in zip(tokens, negation_scope(tokens)) if flag]
    assert inside == ["happy", "call", "me", "back", "again"]
    assert not negation_scope([]).size


def test_only_the_negation_model_reads_a_word_after_not_apart(bundled):
    """A bag of words cannot tell "not happy" from "happy ... not"; V1 with negation can, and reads the words after
    a punctuation mark as outside the scope again."""
    torch.manual_seed(0)
    plain, negation = build_model(SIF, bundled[0]), build_model(EmojifyOptions(model="v1", frequency_weights=1e-3,
                                                                               negation=True), bundled[0])
    torch.nn.init.normal_(negation.classifier.output.weight)  # both blocks read something
    before, after = "I am not happy", "happy I am not"
    assert torch.allclose(plain.probabilities([before]), plain.probabilities([after]))
    assert not torch.allclose(negation.probabilities([before]), negation.probabilities([after]), atol=1e-3)
    assert torch.allclose(negation.probabilities(["I am not, happy"]), negation.probabilities(["happy, I am not"]))
    scope_row = negation.batch([before])[0][0, -1]
    assert scope_row == negation.batch(["happy"])[0][0, 0] + negation.classifier.config.vocab_size


def test_trained_with_negation_v1_reads_not_fun_as_disappointed(bundled):
    """Unseen negated sentences: V1-SIF reads their positive word ("fun", "great", "win"), V1-SIF with negation
    what the training sentences' "not ..." meant; a sentence without a negation keeps its class."""
    sentences = ["this is not fun", "it is not great", "we did not win the game", "I am happy"]
    torch.manual_seed(0)
    plain, _ = train(SIF, bundled[0], [], None, progress=False)
    negation, _ = train(EmojifyOptions(**{**SIF.__dict__, "negation": True}), bundled[0], [], None, progress=False)
    read = [[m.labels[i] for i in m.probabilities(sentences).argmax(1).tolist()] for m in (plain, negation)]
    assert read[1] == ["disappointed", "disappointed", "disappointed", "smile"]
    assert read[0][:3] != read[1][:3] and read[0][3] == "smile"


def test_a_checkpoint_from_before_negation_loads_in_both_engines(tmp_path, bundled):
    """A checkpoint written before the option existed has no "negation" in its config: it loads as a model without
    it, with the same probabilities on both engines."""
    out = tmp_path / "v1"
    train(EmojifyOptions(model="v1", frequency_weights=1e-3, max_steps=3), *bundled, out, progress=False)
    sentences = ["I am not happy", "I love pizza"]
    expected = torch_model.load(out, "cpu").probabilities(sentences).numpy()
    manifest = out / "checkpoint.json"
    meta = json.loads(manifest.read_text("utf-8"))
    del meta["config"]["negation"]
    manifest.write_text(json.dumps(meta), "utf-8")
    for old in (torch_model.load(out, "cpu"), numpy_model.load(out)):
        assert not old.classifier.config.negation and old.scope_offset is None
        np.testing.assert_allclose(np.asarray(old.probabilities(sentences)), expected, rtol=1e-5, atol=1e-6)
