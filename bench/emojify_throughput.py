"""Emojify batch classification: the CLI end to end against one sentence at a time, same model, same run.

The input is 100,000 lines shuffled from the bundled sentences; the model is the default V2
(GloVe 6B 50d, 2×LSTM(128)). Also reported: the bare batched model on pre-encoded tensors (8,192
sentences a call, on all cores). The CLI can pass it: its worker threads run one batch per core
and overlap one batch's Python (reading, tokenizing, writing) with another's model call.
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import time
from pathlib import Path

LINES, ONE_BY_ONE = 100_000, 2_000


def _sentences(n: int) -> list[str]:
    from nlp_rnn.emojify.data import read_examples

    rng = random.Random(0)
    texts = [e.text.split() for e in read_examples("bundled")]
    return [" ".join(rng.sample(words, len(words))) for words in (rng.choice(texts) for _ in range(n))]


def run() -> list[dict]:
    from nlp_rnn.cli.main import main
    from nlp_rnn.emojify.default import load_default

    model = load_default(progress=False)
    lines = _sentences(LINES)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sentences.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            main(["emojify", "classify", str(path), "--format", "jsonl"])  # warm caches
            started = time.perf_counter()
            main(["emojify", "classify", str(path), "--format", "jsonl"])
            cli_rate = LINES / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in lines[:ONE_BY_ONE]:
        model.probabilities([text])
    single_rate = ONE_BY_ONE / (time.perf_counter() - started)
    encoded = [model.batch(lines[start : start + 8192]) for start in range(0, 32_768, 8192)]
    started = time.perf_counter()
    for tokens, lengths in encoded:  # the model calls the CLI makes, on every core, nothing around them
        model.probabilities_of(tokens, lengths)
    bare_rate = 32_768 / (time.perf_counter() - started)
    return [
        {"name": "Emojify classify (CLI, V2, jsonl) vs one sentence at a time", "ours": cli_rate,
         "baseline": single_rate, "unit": "sentences/s", "ratio": cli_rate / single_rate,
         "target": "≥ 20,000/s and ≥ 10×", "met": cli_rate >= 20_000 and cli_rate / single_rate >= 10},
        {"name": "Emojify classify (CLI) vs the bare batched model alone", "ours": cli_rate, "baseline": bare_rate,
         "unit": "sentences/s", "ratio": cli_rate / bare_rate, "target": "the pipeline should not dominate",
         "met": cli_rate / bare_rate >= 0.5},
    ]
