"""The numpy reference cells against torch's fused modules, and against numerical gradients."""

import numpy as np
import pytest
import torch

from nlp_rnn.lab.gradcheck import TOLERANCE, parity, report, torch_twin
from nlp_rnn.models import reference
from nlp_rnn.models.gradcheck import gradient_check, numerical_gradient, relative_error
from nlp_rnn.models.recurrent import RecurrentConfig, RecurrentEncoder

CELLS = ["rnn", "lstm", "gru"]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_matches_torch_forward_and_gradients(cell, seed):
    result = parity(cell, input_size=4, hidden_size=6, seq_len=9, batch=3, seed=seed)
    assert result["forward_max_abs_diff"] <= TOLERANCE
    assert result["gradient_max_abs_diff"] <= TOLERANCE


@pytest.mark.parametrize("cell", CELLS)
def test_backward_passes_numerical_gradient_check(cell):
    errors = gradient_check(cell, seed=3)
    assert errors["max"] <= TOLERANCE
    assert set(errors) == {"x", "weight_ih", "weight_hh", "bias_ih", "bias_hh", "max"}


def test_gradient_check_catches_a_wrong_backward(monkeypatch):
    """The check is not vacuous: a backward pass with a dropped term fails it."""
    real = reference.STEPS["rnn"]

    def wrong_back(dstate, cache, p, grads):
        dx, (dh_prev,) = real[1](dstate, cache, p, grads)
        return dx, (0.5 * dh_prev,)

    monkeypatch.setitem(reference.STEPS, "rnn", (real[0], wrong_back))
    assert gradient_check("rnn")["max"] > 1e-3


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert relative_error(grad, 3 * np.array([1.0, 4.0, 9.0])) < 1e-8
    assert np.array_equal(x, [1.0, -2.0, 3.0])  # restored


@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_encoder_runs_the_reference_cell(cell):
    """The project's encoder (batch-first wrapper) computes what the reference cell computes."""
    rng = np.random.default_rng(7)
    params = reference.init_params(cell, 3, 4, rng)
    x = rng.standard_normal((5, 2, 3))
    h_np, _, _ = reference.forward(cell, x, reference.zero_state(cell, 2, 4), params)
    encoder = RecurrentEncoder(RecurrentConfig(cell, 3, 4)).double()
    encoder.rnn.load_state_dict(torch_twin(cell, params).state_dict())
    outputs, _ = encoder(torch.from_numpy(x).transpose(0, 1))
    assert np.max(np.abs(outputs.detach().transpose(0, 1).numpy() - h_np)) <= TOLERANCE


def test_report_covers_every_cell():
    result = report()
    assert result["ok"] is True
    assert set(result["cells"]) == set(CELLS)
