"""Predicting a sine wave: one step ahead from the previous values, then rolled out from its own predictions.

Two variants from the course material: a plain RNN with 16 units over windows of 20 values, and an
LSTM with 2 layers of 30 units over windows of 10. The wave is sampled every 0.1 rad and cut in
time order into training, validation and test stretches: the validation stretch picks the epoch
whose weights are kept, the test stretch (never used for a choice) gives the reported errors. The
one-step error is measured on the test stretch from true history; the rollout starts from the last
window before it and feeds each prediction back as the next input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

from nlp_rnn.devices import to_model
from nlp_rnn.lab.task import TensorTask
from nlp_rnn.models.forecaster import Forecaster, ForecasterConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.threads import one_thread
from nlp_rnn.training import Callback, TrainConfig, Trainer

VARIANTS = {"rnn": ("rnn", (16,), 20), "lstm": ("lstm", (30, 30), 10)}  # cell, layers, window


@dataclass(frozen=True)
class SineOptions:
    variant: Literal["rnn", "lstm"] = "rnn"
    points: int = 700  # samples of sin(0.1 t)
    valid: int = 100  # samples after the training stretch: pick the epoch
    test: int = 100  # the final samples: the reported errors and the rollout
    epochs: int = 30
    lr: float = 0.005
    batch_size: int = 32
    seed: int = 0
    device: str | None = None  # where to train (see nlp_rnn.devices); None: $NLP_RNN_DEVICE, else auto
    precision: str = "fp32"  # fp32 | bf16 | fp16


def windows(values: torch.Tensor, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(n - size, size, 1) inputs and (n - size, 1) next values."""
    starts = torch.arange(len(values) - size)
    return values[starts[:, None] + torch.arange(size)].unsqueeze(-1), values[starts + size].unsqueeze(-1)


@torch.no_grad()
def rollout(model: Forecaster, history: torch.Tensor, steps: int) -> torch.Tensor:
    """Predict ``steps`` values, each from the last window of true-then-predicted values."""
    model.eval()
    window, out = to_model(model, history.clone()), []
    for _ in range(steps):
        value = model(window.view(1, -1, 1))[0, 0]
        out.append(value)
        window = torch.cat([window[1:], value.view(1)])
    return torch.stack(out).cpu()


def wave(points: int) -> torch.Tensor:
    return torch.sin(0.1 * torch.arange(points, dtype=torch.float32))


@one_thread()
def run(options: SineOptions = SineOptions(), callbacks: list[Callback] = (), values: torch.Tensor | None = None) -> dict:
    """Train (``values``: the series, default sin(0.1 t)); report the test stretch's one-step and rollout
    RMSE, the validation RMSE of the kept epoch, and the curves to plot."""
    cell, sizes, size = VARIANTS[options.variant]
    values = wave(options.points) if values is None else values
    test_start = len(values) - options.test
    valid_start = test_start - options.valid
    train_x, train_y = windows(values[:valid_start], size)
    valid_x, valid_y = windows(values[valid_start - size : test_start], size)
    test_x, test_y = windows(values[test_start - size :], size)
    seed_everything(options.seed)
    model = Forecaster(ForecasterConfig(cell=cell, hidden_sizes=sizes, dropout=0.0))
    task = TensorTask(train_x, train_y, "mse", valid=(valid_x, valid_y), batch_size=options.batch_size, seed=options.seed)
    config = TrainConfig(epochs=options.epochs, lr=options.lr, seed=options.seed, progress=False, device=options.device,
                         precision=options.precision)
    history = Trainer(model, task, config, callbacks=callbacks).fit()  # keeps the epoch with the lowest validation loss
    model.eval()
    with torch.no_grad():
        valid_x, test_x = to_model(model, (valid_x, test_x))
        valid_rmse, one_step = _rmse(model(valid_x)[:, 0].cpu(), valid_y[:, 0]), model(test_x)[:, 0].cpu()
    rolled = rollout(model, values[test_start - size : test_start], options.test)
    truth = values[test_start:]
    best = min(range(len(history)), key=lambda i: history[i]["val_loss"])
    return {
        "variant": options.variant, "cell": cell, "layers": list(sizes), "window": size,
        "stretches": {"train": [0, valid_start], "valid": [valid_start, test_start], "test": [test_start, len(values)]},
        "best_epoch": history[best]["epoch"], "valid_rmse": valid_rmse,
        "one_step_rmse": _rmse(one_step, truth), "rollout_rmse": _rmse(rolled, truth),
        "parameters": sum(p.numel() for p in model.parameters()), "epochs": len(history),
        "loss": [round(r["train_loss"], 6) for r in history], "valid_loss": [r["val_loss"] for r in history],
        "truth": [round(v, 4) for v in truth.tolist()], "one_step": [round(v, 4) for v in one_step.tolist()],
        "rollout": [round(v, 4) for v in rolled.tolist()],
    }


def _rmse(a: torch.Tensor, b: torch.Tensor) -> float:
    return math.sqrt(float(((a - b) ** 2).mean()))
