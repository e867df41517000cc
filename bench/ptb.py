"""PTB word-level language models on ../shared/data/ptb (opt-in: ``make bench-ptb``; ptb-small about 55 minutes on 2 cores).

1. ``ptb-small`` exactly as Zaremba et al. 2014 (published 120.7 valid / 114.5 test perplexity).
2. The same 2×200 shape with tied weights (Press & Wolf 2017; Inan et al. 2017) and dropout 0.25, SGD in
   Zaremba's units with bptt 35, on a schedule sized to a 30-minute budget on 2 cores (about 4,200 tokens/s,
   so about 8 epochs: lr 1 for 4 epochs, then halved every epoch); training stops at 30 minutes whatever happens.
3. ``ptb-30min``: the same run as a named preset (``nlp-rnn text train --preset ptb-30min``).
4. ``cli-28min``: what ``nlp-rnn text train --level word --tied --dropout 0.25 --max-minutes 28`` does (no preset
   named: the ``word`` default, ptb-small's shape with bptt 35; its step decay becomes a cosine planned for the budget from the
   first steps' speed). ``--minutes M`` runs it with another budget (a short version, labelled as such).
5. ``adaptive-vs-full``: ``--softmax adaptive`` against full at PTB scale (2×200, 10,000 words, batch 20,
   bptt 35): training tokens/s interleaved in one run, then both trained the same epochs on a slice of PTB
   (``--slice`` tokens, default 200,000; valid: the first 20,000 tokens of ptb.valid) and compared.
Results go to bench/ptb_results.json (one entry per run name, rewritten as each run ends).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.shared_data import PTB
from nlp_rnn.textgen.presets import zaremba

ROOT = Path(__file__).resolve().parent.parent
RUNS = {
    "ptb-small": dict(overrides=()),
    "ptb-small tied + dropout 0.25, 30 min, 8 epochs": dict(
        overrides=(("dropout", 0.25), ("epochs", 8), ("lr_decay", 0.5), ("lr_decay_start", 4),
                   *zaremba(1.0, 5.0, 35).items()), tied=True, max_minutes=30.0),
    "ptb-30min": dict(preset="ptb-30min", overrides=()),
    "cli-28min": dict(preset=None, overrides=(("dropout", 0.25),), tied=True, max_minutes=28.0),
}


def run_one(name: str, minutes: float | None = None) -> dict:
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    spec = RUNS[name]
    options = TextOptions(corpus=str(PTB / "ptb.train.txt"), valid=str(PTB / "ptb.valid.txt"),
                          test=str(PTB / "ptb.test.txt"), level="word", preset=spec.get("preset", "ptb-small"),
                          overrides=spec["overrides"], tied=spec.get("tied", False),
                          max_minutes=minutes or spec.get("max_minutes"), seed=0)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        _, history, test = train_text(options, out, progress=False)
        seconds = time.perf_counter() - started
    best = min(history, key=lambda r: r["val_loss"])
    label = f"{name} run with --max-minutes {minutes:g} (a short version)" if minutes else name
    return {"name": f"PTB {label}: valid / test perplexity", "valid_perplexity": best["val_perplexity"],
            "test_perplexity": test["perplexity"], "epochs": len(history), "wall_seconds": seconds,
            "tokens_per_second": best["items_per_second"]}


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.ptb")
    parser.add_argument("names", nargs="*", help=f"runs (default all): {', '.join([*RUNS, 'adaptive-vs-full'])}")
    parser.add_argument("--minutes", type=float, help="another budget for the budgeted runs (a short version)")
    parser.add_argument("--slice", type=int, default=200_000, help="adaptive-vs-full: PTB training tokens")
    parser.add_argument("--epochs", type=int, default=1, help="adaptive-vs-full: epochs each")
    args = parser.parse_args(argv)
    if not PTB.is_dir():
        print(f"skipped: {PTB} not found (the PTB data lives in ../shared/data; or set NLP_RNN_SHARED_DATA)")
        return 0
    results_path = ROOT / "bench" / "ptb_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for name in args.names or [*RUNS, "adaptive-vs-full"]:
        print(f"running {name} ...", flush=True)
        if name == "adaptive-vs-full":
            from bench.adaptive_softmax import compare

            key, result = name, compare(PTB, args.slice, args.epochs)
        else:
            key = f"{name} --max-minutes {args.minutes:g}" if args.minutes else name
            result = run_one(name, args.minutes)
        results[key] = result
        results_path.write_text(json.dumps(results, indent=1) + "\n")
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
