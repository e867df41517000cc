"""PTB word-level language models on ../shared/data/ptb (opt-in: ``make bench-ptb``; ptb-small about 55 minutes on 2 cores).

1. ``ptb-small`` exactly as Zaremba et al. 2014 (published 120.7 valid / 114.5 test perplexity).
2. The same 2×200 shape with tied weights (Press & Wolf 2017; Inan et al. 2017) and dropout 0.25, SGD in
   Zaremba's units with bptt 35, on a schedule sized to a 30-minute budget on 2 cores (about 4,200 tokens/s,
   so about 8 epochs: lr 1 for 4 epochs, then halved every epoch); training stops at 30 minutes whatever happens.
Results go to bench/ptb_results.json (one entry per run name, rewritten as each run ends).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from nlp_rnn.textgen.presets import zaremba

ROOT = Path(__file__).resolve().parent.parent
PTB = ROOT.parent / "shared" / "data" / "ptb"
RUNS = {
    "ptb-small": dict(overrides=()),
    "ptb-small tied + dropout 0.25, 30 min, 8 epochs": dict(
        overrides=(("dropout", 0.25), ("epochs", 8), ("lr_decay", 0.5), ("lr_decay_start", 4),
                   *zaremba(1.0, 5.0, 35).items()), tied=True, max_minutes=30.0),
}


def run_one(name: str) -> dict:
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    spec = RUNS[name]
    options = TextOptions(corpus=str(PTB / "ptb.train.txt"), valid=str(PTB / "ptb.valid.txt"),
                          test=str(PTB / "ptb.test.txt"), level="word", preset="ptb-small",
                          overrides=spec["overrides"], tied=spec.get("tied", False),
                          max_minutes=spec.get("max_minutes"), seed=0)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        _, history, test = train_text(options, out, progress=False)
        seconds = time.perf_counter() - started
    best = min(history, key=lambda r: r["val_loss"])
    return {"name": f"PTB {name}: valid / test perplexity", "valid_perplexity": best["val_perplexity"],
            "test_perplexity": test["perplexity"], "epochs": len(history), "wall_seconds": seconds,
            "tokens_per_second": best["items_per_second"]}


def main(names: list[str]) -> int:
    if not PTB.is_dir():
        print(f"skipped: {PTB} not found (the PTB data lives in ../shared/data)")
        return 0
    results_path = ROOT / "bench" / "ptb_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for name in names or list(RUNS):
        print(f"running {name} ...", flush=True)
        results[name] = run_one(name)
        results_path.write_text(json.dumps(results, indent=1) + "\n")
        print(json.dumps(results[name]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
