"""Forecasting a series one step ahead: LSTM(80) → Dropout(0.2) → LSTM(100) → Dropout(0.2) → Dense, and its GRU twin.

The series is a CSV column the user gives, or a built-in synthetic one (trend + seasonality + noise).
The split is chronological (train, validation, test in that order); the min-max scaling is fitted
on the training part only, so nothing about the future leaks in. Errors are reported in the series'
own units against the naive forecast "tomorrow equals today".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nlp_rnn.csv_rows import QUOTE_FIX
from nlp_rnn.devices import to_model
from nlp_rnn.errors import DataError, UserError, require_file
from nlp_rnn.lab.sine import windows
from nlp_rnn.lab.task import TensorTask
from nlp_rnn.limits import MAX_WINDOW_VALUES
from nlp_rnn.models.forecaster import Forecaster, ForecasterConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.threads import one_thread
from nlp_rnn.training import Callback, TrainConfig, Trainer


@dataclass(frozen=True)
class SeriesOptions:
    cells: tuple[str, ...] = ("lstm", "gru")  # one model per cell, same stack
    window: int = 30  # past values per prediction
    test_share: float = 0.2  # the final part of the series
    valid_share: float = 0.1  # just before the test part; picks the best epoch
    epochs: int = 15
    lr: float = 0.003
    batch_size: int = 32
    seed: int = 0
    device: str | None = None  # where to train (see nlp_rnn.devices); None: $NLP_RNN_DEVICE, else auto
    precision: str = "fp32"  # fp32 | bf16 | fp16


def synthetic(points: int = 1_000, seed: int = 0) -> np.ndarray:
    """Trend + a 50-step season + noise: 0.02·t + 10·sin(2πt/50) + N(0, 1)."""
    t = np.arange(points)
    return 0.02 * t + 10 * np.sin(2 * np.pi * t / 50) + np.random.default_rng(seed).standard_normal(points)


def read_column(path: str | Path, column: str | None = None) -> np.ndarray:
    """The numeric ``column`` (name, or index from 0; default the last) of a CSV file, in file order.

    Raises DataError naming the line of the first value that is not a number.
    """
    import pandas as pd

    path = require_file(path, "CSV file")
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        row = re.search(r"string starting at row (\d+)", message)  # pandas counts rows from 0: an unclosed quote
        line = re.search(r"in line (\d+)", message)
        where = int(row.group(1)) + 1 if row else int(line.group(1)) if line else None
        fix = QUOTE_FIX if row else "save the series as CSV with a header"
        raise DataError(path, f"not a readable CSV ({message})", fix, line=where) from None
    if frame.empty:
        raise DataError(path, "has no rows", "give a CSV with one value per row")
    name = column if column is not None else frame.columns[-1]
    if name not in frame.columns and str(name).isdigit() and int(name) < len(frame.columns):
        name = frame.columns[int(name)]
    if name not in frame.columns:
        raise DataError(path, f"has no column {column!r} (columns: {', '.join(map(str, frame.columns))})", "pass --column")
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)
    bad = (~np.isfinite(values)).nonzero()[0]  # NaN, blanks, text, and 1e999 (read as infinity)
    if len(bad):
        kind = "a number" if math.isnan(values[bad[0]]) else "a finite number"
        raise DataError(path, f"column {name!r} value {frame[name].iloc[bad[0]]!r} is not {kind}",
                        "fix or remove the row", line=int(bad[0]) + 2)
    return values


@one_thread()
def run(values: np.ndarray, options: SeriesOptions = SeriesOptions(), callbacks: list[Callback] = ()) -> dict:
    """Train one model per cell; report RMSE/MAE on the test part for each and for the naive forecast."""
    n, size = len(values), options.window
    test_start = int(n * (1 - options.test_share))
    valid_start = int(n * (1 - options.test_share - options.valid_share))
    if valid_start - size < 2 * size or n - test_start < 2:
        raise UserError(f"a series of {n} values is too short for windows of {size}; give at least {5 * size} values")
    if n * size > MAX_WINDOW_VALUES:  # every window is materialised: (n - size, size) floats and their indices
        raise UserError(f"{n:,} values in windows of {size} make {n * size:,} inputs (over {MAX_WINDOW_VALUES:,}); "
                        "use a shorter series or a smaller --window")
    low, high = values[:valid_start].min(), values[:valid_start].max()  # fitted on the training part only
    scale = max(high - low, 1e-12)
    if not math.isfinite(scale):
        raise UserError(f"the series spans {low:g} to {high:g}, too wide to scale; rescale the values")
    scaled = torch.tensor((values - low) / scale, dtype=torch.float32)
    train = windows(scaled[:valid_start], size)
    valid = windows(scaled[valid_start - size : test_start], size)
    test_x, test_y = windows(scaled[test_start - size :], size)
    truth = values[test_start:]
    naive = values[test_start - 1 : -1]
    rows = [{"model": "naive (last value)", **_errors(naive, truth), "parameters": 0}]
    curves = {"truth": truth.round(4).tolist()}
    for cell in options.cells:
        seed_everything(options.seed)
        model = Forecaster(ForecasterConfig(cell=cell, hidden_sizes=(80, 100), dropout=0.2))
        task = TensorTask(*train, "mse", valid=valid, batch_size=options.batch_size, seed=options.seed)
        config = TrainConfig(epochs=options.epochs, lr=options.lr, seed=options.seed, progress=False,
                             device=options.device, precision=options.precision)
        history = Trainer(model, task, config, callbacks=callbacks).fit()
        model.eval()
        with torch.no_grad():
            predicted = model(to_model(model, test_x))[:, 0].double().cpu().numpy() * scale + low
        rows.append({"model": f"{cell.upper()}(80) → LSTM(100)".replace("LSTM(100)", f"{cell.upper()}(100)"),
                     **_errors(predicted, truth), "parameters": sum(p.numel() for p in model.parameters()),
                     "epochs": len(history)})
        curves[cell] = predicted.round(4).tolist()
    return {"points": n, "train": valid_start, "valid": test_start - valid_start, "test": n - test_start,
            "window": size, "rows": rows, "curves": curves}


def _errors(predicted: np.ndarray, truth: np.ndarray) -> dict:
    return {"rmse": math.sqrt(float(np.mean((predicted - truth) ** 2))), "mae": float(np.mean(np.abs(predicted - truth)))}
