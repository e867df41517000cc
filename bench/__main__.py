"""Run every benchmark; write bench/results.json and the table between the README's bench markers."""

from __future__ import annotations

import importlib
import json
import platform
import re
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["bench.training_loop", "bench.sampling_speed", "bench.vector_cache", "bench.emojify_throughput"]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def table(rows: list[dict], machine: str) -> str:
    lines = [f"Measured by `make bench` on {machine}.", "",
             "| benchmark | ours | baseline | × faster | target | met |", "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['name']} | {row['ours']:,.4g} {row['unit']} | {row['baseline']:,.4g} {row['unit']} "
                     f"| {row['ratio']:.2f}× | {row['target']} | {'yes' if row['met'] else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    only = set(argv)
    rows = []
    for name in MODULES:
        if only and name.split(".")[-1] not in only:
            continue
        print(f"running {name} ...", flush=True)
        rows.extend(importlib.import_module(name).run())
        print(f"  {rows[-1]['name']}: ratio {rows[-1]['ratio']:.2f}", flush=True)
    machine = f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    (ROOT / "bench" / "results.json").write_text(json.dumps({"machine": machine, "results": rows}, indent=1) + "\n")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START in text and END in text and not only:
        block = f"{START}\n{table(rows, machine)}\n{END}"
        readme.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))
    print(table(rows, machine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
