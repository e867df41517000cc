"""The numpy step that sampling uses must compute what LanguageModel.step computes, for every cell."""

import numpy as np
import pytest
import torch

from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.numpy_step import NumpyStep


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("table", [True, False])  # first layer looked up, or multiplied (large vocabularies)
def test_the_numpy_step_matches_the_torch_step(cell, layers, table, monkeypatch):
    if not table:
        monkeypatch.setattr("nlp_rnn.numpy_step.TABLE_LIMIT", 0)
    torch.manual_seed(0)
    config = LanguageModelConfig(vocab_size=30, embed_dim=12, hidden_size=16, num_layers=layers, cell=cell, dropout=0.3)
    model = LanguageModel(config).eval()
    with torch.no_grad():
        _, hidden = model(torch.randint(0, 30, (3, 5)))  # a state that is not zero
        step = NumpyStep.of(model, hidden)
        tokens = torch.tensor([4, 0, 29])
        for _ in range(6):  # the state carries across steps
            expected, hidden = model.step(tokens, hidden)
            got = step(tokens.numpy())
            np.testing.assert_allclose(got, expected.numpy(), rtol=1e-4, atol=1e-5)
            tokens = expected.argmax(-1)


def test_only_language_models_in_eval_mode_are_stepped_in_numpy():
    model = LanguageModel(LanguageModelConfig(vocab_size=10, embed_dim=4, hidden_size=4))
    assert NumpyStep.of(model.train(), model.init_hidden(1)) is None  # dropout would be skipped
    assert NumpyStep.of(torch.nn.Linear(2, 2).eval(), None) is None
    assert NumpyStep.of(model.eval(), model.init_hidden(1)) is not None
