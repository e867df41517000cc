"""How long each page's first use takes: the default model trained on an empty model cache.

``python -m bench.first_use [emojify textgen jazz]`` runs each in a fresh process (imports, word vectors and
training included, as a page's first visit pays them) with NLP_RNN_CACHE set to an empty temporary folder,
and writes bench/first_use.json. The pages' and README's first-use times come from this file.
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


def first_use(kind: str) -> float:
    """Seconds for ``load_default()`` of ``kind`` in a new process on an empty cache."""
    with tempfile.TemporaryDirectory(prefix="nlp-rnn-first-use-") as cache:
        env = {**os.environ, "NLP_RNN_CACHE": cache, "PYTHONPATH": str(ROOT)}
        code = f"from {MODULES[kind]} import load_default; load_default(progress=False)"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=1800)
        return time.perf_counter() - started


def load_average() -> float:
    return os.getloadavg()[0]


def main(argv: list[str]) -> int:
    for kind in argv or list(MODULES):
        before = load_average()
        seconds = first_use(kind)
        save({"page": kind, "seconds": round(seconds, 1), "load_average_before": round(before, 2),
              "load_average_after": round(load_average(), 2)})
        print(f"{kind}: first use {seconds:.0f} s (load average {before:.1f} → {load_average():.1f})", flush=True)
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
