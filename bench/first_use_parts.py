"""Parts of a first use, measured to choose how it runs (``python -m bench.first_use`` times the whole).

``python -m bench.first_use_parts [--steps 60] [--repeats 2]``:
- the default text model's training on 1 torch thread against 2: its exact options (char-small on the Lee
  corpus) for ``--steps`` optimizer steps into a temporary folder, alternating the two so the machine's load hits
  both alike; tokens per second of each, best of ``--repeats`` (corpus reading and model building included);
- reading the default jazz model's corpus on an empty cache, from the parse shipped with the package against
  music21 (a fresh process each, as a first use: music21's import included), alternating, best of ``--repeats``.
Both print with the load average.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from nlp_rnn.textgen.default import OPTIONS
from nlp_rnn.textgen.pipeline import settings, train_text


def tokens_per_second(threads: int, steps: int) -> float:
    s = settings(OPTIONS)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory(prefix="nlp-rnn-threads-") as folder:
            started = time.perf_counter()
            train_text(dataclasses.replace(OPTIONS, max_steps=steps), folder, progress=False)
            return steps * s["batch_size"] * s["bptt"] / (time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)


# A fresh process reads the jazz corpus on an empty cache; argv[1] == "music21" hides the shipped parse.
JAZZ_CHILD = ("import sys, time; from pathlib import Path; from nlp_rnn.jazz import default, parse; t = time.perf_counter(); "
              "parse.PACKAGED = Path('/nonexistent') if sys.argv[1] == 'music21' else parse.PACKAGED; "
              "default.default_pieces(); print(time.perf_counter() - t)")


def jazz_corpus_seconds(source: str) -> float:
    with tempfile.TemporaryDirectory(prefix="nlp-rnn-corpus-") as cache:
        env = {**os.environ, "NLP_RNN_CACHE": cache, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        done = subprocess.run([sys.executable, "-c", JAZZ_CHILD, source], env=env, check=True, capture_output=True,
                              text=True, timeout=600)
        return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_use_parts")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    best = {1: 0.0, 2: 0.0}
    before = os.getloadavg()[0]
    for _ in range(args.repeats):
        for threads in best:
            best[threads] = max(best[threads], tokens_per_second(threads, args.steps))
    print(f"default text model, {args.steps} steps: 1 thread {best[1]:,.0f} tokens/s, 2 threads {best[2]:,.0f} "
          f"tokens/s ({best[1] / best[2]:.2f}×); load average {before:.1f} → {os.getloadavg()[0]:.1f}")
    before, read = os.getloadavg()[0], {"shipped": float("inf"), "music21": float("inf")}
    for _ in range(args.repeats):
        for source in read:
            read[source] = min(read[source], jazz_corpus_seconds(source))
    print(f"default jazz corpus on an empty cache: shipped parse {read['shipped']:.2f} s, music21 {read['music21']:.2f} s "
          f"(import and parse); load average {before:.1f} → {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
