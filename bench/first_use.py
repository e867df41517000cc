"""How long each page's first use takes: the default model trained on an empty model cache.

``python -m bench.first_use [emojify textgen jazz]`` runs each in a fresh process (imports, word vectors and
training included, as a page's first visit pays them) with NLP_RNN_CACHE set to an empty temporary folder,
and writes bench/first_use.json: the seconds, how many of them the training epochs took (the rest is imports,
reading data or vectors, evaluating and saving) and the last epoch's losses. The pages' and README's first-use
times come from this file.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = {"emojify": "nlp_rnn.emojify.default", "textgen": "nlp_rnn.textgen.default", "jazz": "nlp_rnn.jazz.default"}


# The child prints the published model's per-epoch history (the Trainer's records: seconds, losses) as its last line.
CHILD = ("import json; from {module} import default_model_dir, load_default; load_default(progress=False); "
         "print(json.dumps(json.loads((default_model_dir() / 'checkpoint.json').read_text())['history']))")


def first_use(kind: str) -> tuple[float, list[dict]]:
    """Seconds for ``load_default()`` of ``kind`` in a new process on an empty cache, and the model's history."""
    with tempfile.TemporaryDirectory(prefix="nlp-rnn-first-use-") as cache:
        env = {**os.environ, "NLP_RNN_CACHE": cache, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD.format(module=MODULES[kind])], env=env, check=True,
                              timeout=1800, stdout=subprocess.PIPE, text=True)
        return time.perf_counter() - started, json.loads(done.stdout.strip().splitlines()[-1])


def where_the_time_went(seconds: float, history: list[dict]) -> dict:
    """Training epochs' own seconds against the rest (imports, reading the data or vectors, saving)."""
    training = sum(r.get("seconds", 0.0) for r in history)
    last = history[-1] if history else {}
    return {"training_seconds": round(training, 1), "other_seconds": round(seconds - training, 1),
            "epochs": last.get("epoch"), "last_epoch": {k: round(v, 4) for k, v in last.items()
                                                        if k.endswith("loss") and isinstance(v, float)}}


def load_average() -> float:
    return os.getloadavg()[0]


def main(argv: list[str]) -> int:
    for kind in argv or list(MODULES):
        before = load_average()
        seconds, history = first_use(kind)
        split = where_the_time_went(seconds, history)
        save({"page": kind, "seconds": round(seconds, 1), **split, "load_average_before": round(before, 2),
              "load_average_after": round(load_average(), 2)})
        print(f"{kind}: first use {seconds:.0f} s, of which training {split['training_seconds']:.0f} s over "
              f"{split['epochs']} epochs (load average {before:.1f} → {load_average():.1f})", flush=True)
    return 0


def save(row: dict) -> None:
    """Replace ``row``'s page in bench/first_use.json at once: a long run keeps what it measured so far."""
    out = ROOT / "bench" / "first_use.json"
    rows = json.loads(out.read_text())["results"] if out.exists() else []
    rows = [r for r in rows if r["page"] != row["page"]] + [row]
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    out.write_text(json.dumps({"machine": machine, "results": rows}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
