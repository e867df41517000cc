"""Emojify batch classification: the CLI end to end against one sentence at a time, same model, same run.

The input is 100,000 lines shuffled from the bundled sentences; the model is the default
(``--model auto`` on the bundled data: an ensemble, GloVe 6B 50d), on the engine the CLI chooses
here (numpy: the CPU, fp32). Also reported: the bare batched model on pre-encoded batches (8,192
sentences a call; the CLI can pass it: its worker threads run one batch per core and overlap one
batch's Python with another's model call); the CLI on ``--engine torch``, with the default and with
a V2 model (the 2×128 LSTM stack of ``--model v2``, untrained: speed does not depend on the weights);
and a million lines through ``nlp-rnn emojify classify`` as a user runs it and on ``--engine torch``,
start-up included (wall and CPU). Start-up alone is ``bench/emojify_startup.py``.
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES, ONE_BY_ONE, MILLION = 100_000, 2_000, 1_000_000


def _child(args: list[str], stdin=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _user_runs(folder: Path, lines: list[str]) -> list[dict]:
    """A million lines through the real command in a fresh process: as a user runs it (numpy, the engine ``auto``
    takes on a CPU) and on ``--engine torch``."""
    from nlp_rnn.emojify.default import default_model_dir

    command = [sys.executable, "-m", "nlp_rnn", "emojify", "classify", "--model", str(default_model_dir())]
    big = folder / "million.txt"
    big.write_text("\n".join(lines[i % len(lines)] for i in range(MILLION)) + "\n", encoding="utf-8")
    rows = []
    for flags, what in (([], "as run (numpy engine)"), (["--engine", "torch"], "--engine torch")):
        wall, cpu = _child([*command, str(big), *flags])
        rows.append({"name": f"Emojify classify, a million lines end to end, {what} (start-up included; {cpu:.0f} s "
                             "of CPU): wall rate vs the 25,000/s target", "ours": MILLION / wall, "baseline": 25_000,
                     "unit": "sentences/s", "ratio": MILLION / wall / 25_000, "target": "≥ 25,000/s",
                     "met": MILLION / wall >= 25_000})
    return rows


def _cli_rate(path: Path, *flags: str) -> float:
    """Sentences/s of ``nlp-rnn emojify classify`` in this process (caches warmed by a first run)."""
    from nlp_rnn.cli.main import main

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        main(["emojify", "classify", str(path), "--format", "jsonl", *flags])
        started = time.perf_counter()
        main(["emojify", "classify", str(path), "--format", "jsonl", *flags])
        return LINES / (time.perf_counter() - started)


def _v2_dir(folder: Path) -> Path:
    from nlp_rnn.emojify.data import read_examples
    from nlp_rnn.emojify.train import EmojifyOptions, train

    train(EmojifyOptions(model="v2", max_steps=1), read_examples("bundled"), [], folder / "v2", progress=False)
    return folder / "v2"


def _sentences(n: int) -> list[str]:
    from nlp_rnn.emojify.data import read_examples

    rng = random.Random(0)
    texts = [e.text.split() for e in read_examples("bundled")]
    return [" ".join(rng.sample(words, len(words))) for words in (rng.choice(texts) for _ in range(n))]


def run() -> list[dict]:
    from nlp_rnn.emojify.default import load_default_arrays

    model = load_default_arrays()
    lines = _sentences(LINES)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sentences.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cli_rate, torch_rate = _cli_rate(path), _cli_rate(path, "--engine", "torch")
        v2 = ["--model", str(_v2_dir(Path(folder)))]
        v2_rate, v2_torch_rate = _cli_rate(path, *v2), _cli_rate(path, *v2, "--engine", "torch")
        user_rows = _user_runs(Path(folder), lines)
    started = time.perf_counter()
    for text in lines[:ONE_BY_ONE]:
        model.probabilities([text])
    single_rate = ONE_BY_ONE / (time.perf_counter() - started)
    encoded = [model.encode(lines[start : start + 8192]) for start in range(0, 32_768, 8192)]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):  # as the CLI's workers run (on every core: 7,000/s at load 3)
        started = time.perf_counter()
        for tokens, lengths in encoded:  # the model calls the CLI makes, nothing around them
            model.probabilities_of(tokens, lengths)
        bare_rate = 32_768 / (time.perf_counter() - started)
    return [
        {"name": "Emojify classify (CLI, default model, jsonl) vs one sentence at a time", "ours": cli_rate,
         "baseline": single_rate, "unit": "sentences/s", "ratio": cli_rate / single_rate,
         "target": "≥ 20,000/s and ≥ 10×", "met": cli_rate >= 20_000 and cli_rate / single_rate >= 10},
        {"name": "Emojify classify (CLI) vs the bare batched model alone", "ours": cli_rate, "baseline": bare_rate,
         "unit": "sentences/s", "ratio": cli_rate / bare_rate, "target": "the pipeline should not dominate",
         "met": cli_rate / bare_rate >= 0.5},
        {"name": "Emojify classify (CLI, default model): numpy engine (the default here) vs --engine torch",
         "ours": cli_rate, "baseline": torch_rate, "unit": "sentences/s", "ratio": cli_rate / torch_rate,
         "target": "numpy not slower", "met": cli_rate >= torch_rate},
        {"name": "Emojify classify (CLI, a V2 model: 2×128 LSTM): numpy engine vs --engine torch",
         "ours": v2_rate, "baseline": v2_torch_rate, "unit": "sentences/s", "ratio": v2_rate / v2_torch_rate,
         "target": "measured (README: which engine when)", "met": True},
        *user_rows,
    ]
