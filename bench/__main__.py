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
MODULES = ["bench.training_loop", "bench.sampling_speed", "bench.precision_speed", "bench.distributed_speed",
           "bench.vector_cache", "bench.emojify_throughput", "bench.emojify_startup", "bench.emojify_quality",
           "bench.emojify_negation", "bench.emojify_calibration", "bench.jazz_speed", "bench.jazz_quality",
           "bench.lab_speed"]  # also the README table's order
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def table(rows: list[dict], machine: str) -> str:
    lines = [f"Measured by `make bench` on {machine}.", "",
             "| benchmark | ours | baseline | × faster | target | met |", "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['name']} | {_number(row['ours'])} {row['unit']} | {_number(row['baseline'])} {row['unit']} "
                     f"| {row['ratio']:.2f}× | {row['target']} | {'yes' if row['met'] else '**no**'} |")
    return "\n".join(lines)


def write_readme(rows: list[dict], machine: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START in text and END in text:
        block = f"{START}\n{table(rows, machine)}\n{END}"
        readme.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))


def merged(saved: list[dict], fresh: list[dict]) -> list[dict]:
    """``saved`` rows with those of the modules ``fresh`` ran replaced by ``fresh``, grouped in ``MODULES`` order
    (rows of a module no longer listed stay at the end)."""
    ran = {row["module"] for row in fresh}
    kept = [row for row in saved if row.get("module") not in ran] + fresh
    place = {name: index for index, name in enumerate(MODULES)}
    return sorted(kept, key=lambda row: place.get(row.get("module"), len(MODULES)))  # stable: order kept within one


def main(argv: list[str]) -> int:
    if argv == ["--table-only"]:  # re-render the README table from bench/results.json
        saved = json.loads((ROOT / "bench" / "results.json").read_text())
        write_readme(merged(saved["results"], []), saved["machine"])
        return 0
    only = set(argv)
    rows = []
    for name in MODULES:
        if only and name.split(".")[-1] not in only:
            continue
        print(f"running {name} ...", flush=True)
        rows.extend({**row, "module": name} for row in importlib.import_module(name).run())
        print(f"  {rows[-1]['name']}: ratio {rows[-1]['ratio']:.2f}", flush=True)
    machine = f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    if only:  # a partial run replaces the rows of the modules it ran and keeps the others, in MODULES order
        saved = json.loads((ROOT / "bench" / "results.json").read_text())["results"]
        rows = merged(saved, rows)
    (ROOT / "bench" / "results.json").write_text(json.dumps({"machine": machine, "results": rows}, indent=1) + "\n")
    write_readme(rows, machine)
    print(table(rows, machine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
