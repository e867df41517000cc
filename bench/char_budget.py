"""The ``char`` preset in its own budget on a held-out tenth of a 1 MB corpus (issue: ≤ 1.6 nats/char in 5 CPU-minutes).

The corpus is the first ``--mb`` MB (default 1) of a text we have: PTB's training text by default (``../shared/data``;
news, lower-cased, a Shakespeare-size stand-in), or any ``--corpus FILE``, e.g. gensim's bundled
``lee_background.cor`` (360 KB of news, original case and punctuation). Its last tenth is held out as the test
text; the first nine tenths are what ``nlp-rnn text train --preset char`` gets (which validates on their last 10%
itself). The number is the held-out tenth's cross-entropy in nats per character, as ``text evaluate`` prints it.

    python -m bench.char_budget [--corpus FILE] [--mb 1] [--minutes 5]

The result goes to bench/ptb_results.json under "char preset ..." (rewritten each run).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.ptb import PTB, ROOT


def held_out_split(text: str, folder: Path) -> tuple[Path, Path]:
    """The first nine tenths (cut at a line end) for training, the last tenth for the test."""
    cut = text.rfind("\n", 0, len(text) * 9 // 10) + 1 or len(text) * 9 // 10
    train, test = folder / "train.txt", folder / "test.txt"
    train.write_text(text[:cut], encoding="utf-8")
    test.write_text(text[cut:], encoding="utf-8")
    return train, test


def run(corpus: Path, megabytes: float, minutes: float | None) -> dict:
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    text = corpus.read_text(encoding="utf-8")[: int(megabytes * 1_000_000)]
    with tempfile.TemporaryDirectory() as tmp:
        train, test = held_out_split(text, Path(tmp))
        options = TextOptions(corpus=str(train), test=str(test), level="char", preset="char", max_minutes=minutes,
                              seed=0)
        started = time.perf_counter()
        _, history, result = train_text(options, Path(tmp) / "model", progress=False)
        seconds = time.perf_counter() - started
    best = min(history, key=lambda r: r["val_loss"])
    return {"name": f"char preset on {corpus.name} ({len(text):,} chars, last tenth held out)",
            "test_nats_per_char": result["cross_entropy"], "valid_nats_per_char": best["val_loss"],
            "epochs": len(history), "steps": history[-1].get("step"), "wall_seconds": seconds,
            "chars_per_second": best["items_per_second"], "budget_minutes": minutes}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.char_budget")
    parser.add_argument("--corpus", type=Path, default=PTB / "ptb.train.txt")
    parser.add_argument("--mb", type=float, default=1.0, help="MB of the corpus to use (default 1)")
    parser.add_argument("--minutes", type=float, help="another budget than the preset's 5 minutes")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"skipped: {args.corpus} not found (the PTB data lives in ../shared/data; or give --corpus)")
        return 0
    result = run(args.corpus, args.mb, args.minutes)
    path = ROOT / "bench" / "ptb_results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[result["name"] + (f", {args.minutes:g} min" if args.minutes else "")] = result
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
