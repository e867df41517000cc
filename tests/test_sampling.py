"""The one sampling function: filtering, determinism, and one token per step."""

import numpy as np
import pytest
import torch
from torch import nn

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.sampling import SampleConfig, generate, next_token_probabilities
from nlp_rnn.seeding import seed_everything


class FixedLogits(nn.Module):
    """Ignores its input; always predicts the same distribution. Records what it is fed."""

    def __init__(self, logits):
        super().__init__()
        self.logits = torch.tensor(logits)
        self.fed = []

    def init_hidden(self, batch):
        return torch.zeros(batch)

    def forward(self, tokens, hidden):
        self.fed.append(tuple(tokens.shape))
        return self.logits.expand(tokens.size(0), tokens.size(1), -1), hidden

    def step(self, tokens, hidden):
        self.fed.append(tuple(tokens.shape))
        return self.logits.expand(tokens.size(0), -1), hidden


LOGITS = torch.log(torch.tensor([[0.5, 0.25, 0.15, 0.1]]))


def test_temperature_zero_and_top_k_one_are_greedy():
    assert next_token_probabilities(LOGITS, temperature=0).tolist() == [[1.0, 0.0, 0.0, 0.0]]
    torch.testing.assert_close(next_token_probabilities(LOGITS, top_k=1), torch.tensor([[1.0, 0.0, 0.0, 0.0]]))


def test_top_k_and_top_p_renormalise_what_they_keep():
    torch.testing.assert_close(next_token_probabilities(LOGITS, top_k=2), torch.tensor([[2 / 3, 1 / 3, 0.0, 0.0]]))
    # nucleus 0.7: 0.5 is not enough, 0.5 + 0.25 reaches it; the rest is cut
    torch.testing.assert_close(next_token_probabilities(LOGITS, top_p=0.7), torch.tensor([[2 / 3, 1 / 3, 0.0, 0.0]]))
    torch.testing.assert_close(next_token_probabilities(LOGITS, top_p=1.0), torch.tensor([[0.5, 0.25, 0.15, 0.1]]))


def test_temperature_sharpens_and_flattens():
    cold, hot = next_token_probabilities(LOGITS, 0.5), next_token_probabilities(LOGITS, 2.0)
    assert cold[0, 0] > 0.5 > hot[0, 0]
    torch.testing.assert_close(cold.sum(), torch.tensor(1.0))


@pytest.mark.parametrize("bad", [{"temperature": -1}, {"top_k": 0}, {"top_p": 0.0}, {"top_p": 1.5}])
def test_bad_settings_are_rejected(bad):
    with pytest.raises(ValueError):
        next_token_probabilities(LOGITS, **bad)


def test_samples_follow_the_filtered_distribution():
    model = FixedLogits(LOGITS[0].tolist())
    (tokens,) = generate(model, [0], SampleConfig(max_new_tokens=5_000, top_k=3, seed=1))
    counts = torch.bincount(torch.tensor(tokens), minlength=4).float() / len(tokens)
    torch.testing.assert_close(counts, torch.tensor([0.5, 0.25, 0.15, 0.0]) / 0.9, atol=0.03, rtol=0)


def test_prime_is_fed_once_then_one_token_per_step():
    model = FixedLogits([0.0, 0.0, 0.0])
    generate(model, [1, 2, 0, 1], SampleConfig(max_new_tokens=5, num_samples=3, seed=0))
    assert model.fed == [(3, 4)] + [(3,)] * 4


def test_same_seed_same_sample_and_the_global_rng_is_untouched():
    seed_everything(0)
    model = LanguageModel(LanguageModelConfig(vocab_size=30, embed_dim=8, hidden_size=8))
    config = SampleConfig(max_new_tokens=40, num_samples=2, seed=7)
    state = torch.get_rng_state()
    first, second = generate(model, [3, 4], config), generate(model, [3, 4], config)
    assert torch.equal(state, torch.get_rng_state())
    assert first == second and first[0] != first[1]
    assert generate(model, [3, 4], SampleConfig(max_new_tokens=40, seed=8))[0] != first[0]
    unseeded = [generate(model, [3], SampleConfig(max_new_tokens=40))[0] for _ in range(2)]
    assert unseeded[0] != unseeded[1]


def test_stop_token_ends_each_stream():
    model = FixedLogits([0.0, 5.0])  # almost always token 1
    rows = generate(model, [0], SampleConfig(max_new_tokens=50, num_samples=4, seed=0, stop_token=1))
    assert all(row[-1] == 1 and 1 not in row[:-1] for row in rows)


def test_empty_prime_is_an_error():
    with pytest.raises(ValueError, match="prime"):
        generate(FixedLogits([0.0]), [])


def test_sampling_restores_training_mode():
    model = LanguageModel(LanguageModelConfig(vocab_size=5, embed_dim=4, hidden_size=4, dropout=0.5)).train()
    generate(model, [1], SampleConfig(max_new_tokens=3, seed=0))
    assert model.training


def test_draw_follows_the_distribution_and_never_picks_a_removed_token():
    from nlp_rnn.sampling import draw

    probs = np.array([[0.0, 0.2, 0.0, 0.5, 0.3, 0.0]], dtype=np.float32)
    uniform = np.random.default_rng(0).random(20_000)
    counts = np.bincount(draw(np.repeat(probs, len(uniform), axis=0), uniform), minlength=6)
    assert counts[[0, 2, 5]].sum() == 0
    np.testing.assert_allclose(counts / counts.sum(), probs[0], atol=0.01)
    assert draw(np.array([[1.0, 0.0]]), np.array([0.999999])).tolist() == [0]


def test_zero_new_tokens_gives_empty_streams():
    model = LanguageModel(LanguageModelConfig(vocab_size=5, embed_dim=4, hidden_size=4))
    assert generate(model, [1, 2], SampleConfig(max_new_tokens=0, num_samples=2, seed=0)) == [[], []]


@pytest.mark.parametrize("temperature", [1e-300, 1e-7, 0.0])
def test_tiny_temperatures_are_greedy(temperature):
    """logits / 1e-300 overflows to inf (then NaN): every token became the last entry, not the argmax."""
    logits = torch.tensor([[0.1, 3.0, 2.9, -1.0, 0.0]])
    assert next_token_probabilities(logits, temperature).tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0]]
    (tokens,) = generate(FixedLogits(logits[0].tolist()), [0], SampleConfig(max_new_tokens=20, temperature=temperature))
    assert tokens == [1] * 20


def test_stream_yields_as_it_samples_and_a_longer_run_begins_the_same():
    from nlp_rnn.sampling import CHUNK, stream

    seed_everything(0)
    model = LanguageModel(LanguageModelConfig(vocab_size=30, embed_dim=8, hidden_size=8))
    endless = stream(model, [3], SampleConfig(max_new_tokens=10**12, num_samples=2, seed=4))  # nothing drawn up front
    first = [next(endless) for _ in range(CHUNK + 10)]  # across a chunk of random numbers
    endless.close()
    short = generate(model, [3], SampleConfig(max_new_tokens=CHUNK + 10, num_samples=2, seed=4))
    assert [[int(step[i]) for step in first] for i in range(2)] == short
