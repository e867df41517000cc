"""Start-up of a command that does not train: ``nlp-rnn emojify classify`` on two lines with the default model,
in fresh processes, from process start to exit (wall and CPU seconds, best of ``RUNS``), on the numpy engine
(the default on a CPU) and on ``--engine torch``, with ``import torch`` alone for reference, all in one run.

The default model is trained first if this machine has none, so no run below includes training.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.emojify_throughput import _child

RUNS = 5
TARGET = 2.0  # seconds (issue 16)


def _best(args: list[str]) -> tuple[float, float]:
    """(best wall, best CPU) seconds over RUNS fresh processes."""
    runs = [_child(args) for _ in range(RUNS)]
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


def run() -> list[dict]:
    from nlp_rnn.emojify.default import default_model_dir, load_default_arrays

    load_default_arrays()  # trains on first use: not part of any start-up measured here
    with tempfile.TemporaryDirectory() as folder:
        two = Path(folder) / "two.txt"
        two.write_text("I love you\nlet's eat\n", encoding="utf-8")
        command = [sys.executable, "-m", "nlp_rnn", "emojify", "classify", str(two)]
        numpy_wall, numpy_cpu = _best(command)  # the default model, as a user runs it
        torch_wall, torch_cpu = _best([*command, "--engine", "torch"])
        explicit_wall, _ = _best([*command, "--model", str(default_model_dir())])
    import_wall, import_cpu = _best([sys.executable, "-c", "import torch"])
    return [
        {"name": "Emojify classify start-up (2 lines, default model), CPU seconds: numpy engine (default) vs "
                 f"--engine torch (`import torch` alone: {import_cpu:.2f} s CPU)",
         "ours": numpy_cpu, "baseline": torch_cpu, "unit": "s CPU", "ratio": torch_cpu / numpy_cpu,
         "target": f"< {TARGET:g} s", "met": numpy_cpu < TARGET},
        {"name": "Emojify classify start-up (2 lines, default model), wall seconds: numpy engine vs --engine torch "
                 f"(`import torch` alone: {import_wall:.2f} s; with --model DIR: {explicit_wall:.2f} s)",
         "ours": numpy_wall, "baseline": torch_wall, "unit": "s", "ratio": torch_wall / numpy_wall,
         "target": f"< {TARGET:g} s", "met": numpy_wall < TARGET},
    ]
