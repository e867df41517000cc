"""Predicting a sine wave: one step ahead from the previous values, then rolled out from its own predictions.

Two variants from the course material: a plain RNN with 16 units over windows of 20 values, and an
LSTM with 2 layers of 30 units over windows of 10. The wave is sampled every 0.1 rad; the last
stretch is held out, the one-step error is measured on it from true history, and the rollout
starts from the last training window and feeds each prediction back as the next input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

from nlp_rnn.lab.task import TensorTask
from nlp_rnn.models.forecaster import Forecaster, ForecasterConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.training import Callback, TrainConfig, Trainer

VARIANTS = {"rnn": ("rnn", (16,), 20), "lstm": ("lstm", (30, 30), 10)}  # cell, layers, window


@dataclass(frozen=True)
class SineOptions:
    variant: Literal["rnn", "lstm"] = "rnn"
    points: int = 600  # samples of sin(0.1 t)
    held_out: int = 100  # final samples kept for testing and the rollout
    epochs: int = 30
    lr: float = 0.005
    batch_size: int = 32
    seed: int = 0


def windows(values: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(n - size, size, 1) inputs and (n - size, 1) next values."""
    starts = torch.arange(len(values) - size)
    return values[starts[:, None] + torch.arange(size)].unsqueeze(-1), values[starts + size].unsqueeze(-1)


@torch.no_grad()
def rollout(model: Forecaster, history: torch.Tensor, steps: int) -> torch.Tensor:
    """Predict ``steps`` values, each from the last window of true-then-predicted values."""
    model.eval()
    window, out = history.clone(), []
    for _ in range(steps):
        value = model(window.view(1, -1, 1))[0, 0]
        out.append(value)
        window = torch.cat([window[1:], value.view(1)])
    return torch.stack(out)


def run(options: SineOptions = SineOptions(), callbacks: list[Callback] = ()) -> dict:
    """Train; report the held-out one-step RMSE, the rollout RMSE, and the curves to plot."""
    cell, sizes, size = VARIANTS[options.variant]
    wave = torch.sin(0.1 * torch.arange(options.points, dtype=torch.float32))
    split = options.points - options.held_out
    train_x, train_y = windows(wave[:split], size)
    test_x, test_y = windows(wave[split - size :], size)
    seed_everything(options.seed)
    model = Forecaster(ForecasterConfig(cell=cell, hidden_sizes=sizes, dropout=0.0))
    task = TensorTask(train_x, train_y, "mse", valid=(test_x, test_y), batch_size=options.batch_size, seed=options.seed)
    history = Trainer(model, task, TrainConfig(epochs=options.epochs, lr=options.lr, seed=options.seed, progress=False),
                      callbacks=callbacks).fit()
    model.eval()
    with torch.no_grad():
        one_step = model(test_x)[:, 0]
    rolled = rollout(model, wave[split - size : split], options.held_out)
    truth = wave[split:]
    return {
        "variant": options.variant, "cell": cell, "layers": list(sizes), "window": size,
        "one_step_rmse": _rmse(one_step, truth), "rollout_rmse": _rmse(rolled, truth),
        "parameters": sum(p.numel() for p in model.parameters()), "epochs": len(history),
        "loss": [round(r["train_loss"], 6) for r in history],
        "truth": [round(v, 4) for v in truth.tolist()], "one_step": [round(v, 4) for v in one_step.tolist()],
        "rollout": [round(v, 4) for v in rolled.tolist()],
    }


def _rmse(a: torch.Tensor, b: torch.Tensor) -> float:
    return math.sqrt(float(((a - b) ** 2).mean()))
