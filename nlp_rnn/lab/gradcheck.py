"""numpy reference cells against torch's fused modules, and the numerical gradient check.

Behind ``nlp-rnn lab gradcheck``: for each cell, the largest absolute difference between the
numpy and torch forward passes and gradients (same weights, float64), and the largest
relative error of the numpy backward pass against central differences.
"""

from __future__ import annotations

import numpy as np
import torch

from nlp_rnn.models import reference
from nlp_rnn.models.gradcheck import gradient_check, random_problem
from nlp_rnn.models.recurrent import CELLS

TOLERANCE = 1e-5


def torch_twin(cell: str, params: dict) -> torch.nn.Module:
    """A one-layer torch module (float64, time-major) holding the numpy ``params``."""
    hidden_size, input_size = params["weight_hh"].shape[1], params["weight_ih"].shape[1]
    module = CELLS[cell](input_size, hidden_size).double()
    with torch.no_grad():
        for name in reference.PARAM_NAMES:
            getattr(module, f"{name}_l0").copy_(torch.from_numpy(params[name]))
    return module


def parity(cell: str, input_size: int = 3, hidden_size: int = 5, seq_len: int = 7, batch: int = 4, seed: int = 0) -> dict:
    """Max |numpy − torch| over outputs, final state, dx and every parameter gradient."""
    params, x, state, upstream = random_problem(cell, input_size, hidden_size, seq_len, batch, seed)
    h_np, final_np, caches = reference.forward(cell, x, state, params)
    dx_np, _, grads_np = reference.backward(cell, upstream, caches, params)

    module = torch_twin(cell, params)
    x_t = torch.from_numpy(x).requires_grad_(True)
    state_t = tuple(torch.from_numpy(s).unsqueeze(0) for s in state)
    h_t, final_t = module(x_t, state_t if cell == "lstm" else state_t[0])
    (h_t * torch.from_numpy(upstream)).sum().backward()
    final_t = final_t if isinstance(final_t, tuple) else (final_t,)

    forward = max(_diff(h_np, h_t), *(_diff(a, b[0]) for a, b in zip(final_np, final_t)))
    gradients = {"x": _diff(dx_np, x_t.grad)}
    gradients.update({name: _diff(grads_np[name], getattr(module, f"{name}_l0").grad) for name in reference.PARAM_NAMES})
    return {"forward_max_abs_diff": forward, "gradient_max_abs_diff": max(gradients.values())}


def _diff(a: np.ndarray, b: torch.Tensor) -> float:
    return float(np.max(np.abs(a - b.detach().numpy())))


def report(seed: int = 0) -> dict:
    """Per cell: parity with torch and the numerical gradient check; ``ok`` when all are within 1e-5."""
    cells = {}
    for cell in ("rnn", "lstm", "gru"):
        row = parity(cell, seed=seed)
        row["gradcheck_max_relative_error"] = gradient_check(cell, seed=seed)["max"]
        row["ok"] = all(value <= TOLERANCE for value in row.values())
        cells[cell] = row
    return {"tolerance": TOLERANCE, "cells": cells, "ok": all(row["ok"] for row in cells.values())}
