"""The adaptive softmax: the same distribution interface as the full one, trained, saved, sampled."""

import pytest
import torch

from nlp_rnn.cli.main import main
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig, default_cutoffs
from nlp_rnn.numpy_step import NumpyStep
from nlp_rnn.seeding import seed_everything
from nlp_rnn.textgen.generation import NextTokenPicker, generate_text
from nlp_rnn.textgen.pipeline import TextOptions, evaluate_text, load_text_model, train_text

WORDS = [f"w{i % 30}" for i in range(1200)]  # a cycle of 30 words: learnt within two epochs
TEXT = "\n".join(" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 12))


def test_scores_are_log_probabilities_and_the_loss_is_their_mean():
    seed_everything(0)
    model = LanguageModel(LanguageModelConfig(vocab_size=50, embed_dim=8, hidden_size=8, softmax="adaptive",
                                              cutoffs=(10, 30))).eval()
    tokens, targets = torch.randint(0, 50, (3, 5)), torch.randint(0, 50, (3, 5))
    scores, _ = model(tokens)
    torch.testing.assert_close(scores.logsumexp(-1), torch.zeros(3, 5), atol=1e-5, rtol=0)
    loss, _ = model.loss(tokens, targets)
    torch.testing.assert_close(loss, -scores.gather(-1, targets[..., None]).mean())
    assert NumpyStep.of(model, model.init_hidden(1)) is None  # sampling steps on torch
    assert default_cutoffs(10_001) == (1000, 5000) and default_cutoffs(40) == (10, 20) and default_cutoffs(15) == (10,)


@pytest.mark.parametrize("bad", [dict(cutoffs=(30, 10)), dict(cutoffs=(10, 50)), dict(tie_weights=True)])
def test_bad_adaptive_settings_are_refused(bad):
    with pytest.raises(ValueError):
        LanguageModel(LanguageModelConfig(vocab_size=50, embed_dim=8, hidden_size=8, softmax="adaptive", **bad))


SMALL = (("hidden", 16), ("embed", 16), ("batch_size", 4), ("bptt", 10), ("optimizer", "adam"), ("lr", 0.01))


@pytest.fixture(scope="module")
def adaptive_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("adaptive") / "model"
    corpus = out.parent / "corpus.txt"
    corpus.write_text(TEXT)
    options = TextOptions(corpus=str(corpus), level="word",
                          overrides=(("softmax", "adaptive"), ("cutoffs", (8, 20)), ("epochs", 4), *SMALL))
    train_text(options, out, progress=False)
    return out, corpus


def test_text_train_takes_softmax_and_cutoffs(adaptive_model, tmp_path):
    _, corpus = adaptive_model
    main(["text", "train", "--corpus", str(corpus), "--level", "word", "--softmax", "adaptive", "--cutoffs", "5,12",
          "--hidden", "16", "--embed", "16", "--max-steps", "2", "--out", str(tmp_path)])
    assert list(load_text_model(tmp_path).model.config.cutoffs) == [5, 12]


def test_adaptive_model_trains_saves_evaluates_samples_and_picks(adaptive_model):
    out, corpus = adaptive_model
    model = load_text_model(out)
    assert model.model.config.softmax == "adaptive" and list(model.model.config.cutoffs) == [8, 20]
    result = evaluate_text(model, corpus.read_text())
    assert result["perplexity"] < 30  # uniform over the 34 tokens would be 34
    samples = generate_text(model, "w1", 20, temperature=0.7, top_k=5, top_p=0.9, num=2, seed=3)
    assert samples == generate_text(model, "w1", 20, temperature=0.7, top_k=5, top_p=0.9, num=2, seed=3)
    assert all(s.startswith("w1") for s in samples) and samples[0] != samples[1]
    picker = NextTokenPicker(model, "w1")
    (token, probability), *_ = picker.candidates(k=3)
    assert 0 < probability <= 1 and picker.pick(token).startswith("w1") and len(picker.text) > 2


def test_resume_keeps_the_adaptive_softmax(adaptive_model, tmp_path):
    _, corpus = adaptive_model
    options = TextOptions(corpus=str(corpus), level="word", max_steps=3,
                          overrides=(("softmax", "adaptive"), ("epochs", 2), *SMALL))
    train_text(options, tmp_path, progress=False)
    resumed, history, _ = train_text(TextOptions(**{**options.__dict__, "max_steps": None}), tmp_path, resume=True,
                                     progress=False)
    assert resumed.model.config.softmax == "adaptive" and history[-1]["epoch"] == 2
