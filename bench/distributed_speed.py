"""Two CPU layouts of the same training run: one process × 2 threads against 2 ranks × 1 thread.

For the char-small (2×128 LSTM, vocabulary 96, batch 50, bptt 50) and ptb-small (2×200 LSTM,
vocabulary 10,000, batch 20, bptt 20) shapes, the shared Trainer trains on a synthetic token
stream for the same steps at the same global batch; each layout runs in fresh processes (the
2 ranks under torch's elastic launcher, gloo), and tokens/s is the trainer's own count over its
training time (start-up excluded). The layouts alternate, best of ``REPEATS``, so both see the
same load. ``--nproc auto`` on a CPU takes the winner (``distributed.CPU_AUTO_NPROC``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

SHAPES = {  # name → (vocab, hidden, batch, bptt, steps)
    "char-small": (96, 128, 50, 50, 24),
    "ptb-small": (10_000, 200, 20, 20, 40),
}
REPEATS = 2
ROOT = Path(__file__).resolve().parent.parent


def worker(shape: str, out: str) -> None:
    """One training run of ``shape``; rank 0 writes its tokens/s to ``out``."""
    from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
    from nlp_rnn.textgen.task import LanguageModelTask
    from nlp_rnn.training import TrainConfig, Trainer

    vocab, hidden, batch, bptt, steps = SHAPES[shape]
    torch.manual_seed(0)
    tokens = torch.randint(0, vocab, (batch * bptt * (steps + 1) + 1,), generator=torch.Generator().manual_seed(0))
    model = LanguageModel(LanguageModelConfig(vocab_size=vocab, embed_dim=hidden, hidden_size=hidden, num_layers=2))
    task = LanguageModelTask(tokens, None, batch_size=batch, bptt=bptt)
    config = TrainConfig(epochs=1, max_steps=steps, optimizer="sgd", lr=1.0, progress=False, device="cpu")
    trainer = Trainer(model, task, config)
    history = trainer.fit()
    if trainer.world.main:
        Path(out).write_text(json.dumps({"tokens_per_s": history[-1]["items_per_second"],
                                         "threads": torch.get_num_threads(), "ranks": trainer.world.size}))


def _measure(shape: str, ranks: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rate.json"
        worker_args = ["-m", "bench.distributed_speed", "worker", shape, str(out)]
        if ranks == 1:
            command = [sys.executable, *worker_args]
        else:
            command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(ranks),
                       *worker_args]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("OMP_NUM_THREADS", None)  # each layout sets its own threads (distributed.setup for ranks)
        subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=600, capture_output=True)
        result = json.loads(out.read_text())
        assert result["ranks"] == ranks
        return result["tokens_per_s"]


def run() -> list[dict]:
    from nlp_rnn.distributed import CPU_AUTO_NPROC

    rows = []
    for shape in SHAPES:
        rates = {1: 0.0, 2: 0.0}
        for _ in range(REPEATS):
            for ranks in rates:
                rates[ranks] = max(rates[ranks], _measure(shape, ranks))
        ratio = rates[2] / rates[1]
        rows.append({
            "name": f"2 ranks × 1 thread vs 1 process × 2 threads ({shape} shape, gloo)",
            "ours": rates[2], "baseline": rates[1], "unit": "tokens/s", "ratio": ratio,
            "target": f"--nproc auto picks the faster ({CPU_AUTO_NPROC} on a CPU)",
            "met": (ratio > 1) == (CPU_AUTO_NPROC == 2),  # auto took the faster layout
        })
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker(sys.argv[2], sys.argv[3])
    else:
        for row in run():
            print(row)
