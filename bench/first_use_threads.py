"""The default text model's training speed on 1 torch thread against 2 (what its first use should run on).

``python -m bench.first_use_threads [--steps 60] [--repeats 2]`` trains the default text model's exact options
(char-small on the Lee corpus) for ``--steps`` optimizer steps into a temporary folder, alternating one thread and
two so the machine's load hits both alike, and prints tokens per second of each (best of ``--repeats``) with the
load average. Corpus reading and model building are inside the timing, as in a first use.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time

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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_use_threads")
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
