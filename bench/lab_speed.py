"""RNN Lab: what one torch thread saves, and the CPU time of each page default run.

CPU seconds of this process (``time.process_time``), not wall time: the machine is shared, and
wall time there measures the neighbours. The page runs the same library calls with the same
defaults (tests/test_lab.py asserts that), so these are the page's runs without the browser.
"""

from __future__ import annotations

import time

import torch


def _cpu(run) -> tuple[float, object]:
    started = time.process_time()
    value = run()
    return time.process_time() - started, value


def _sine_on(threads: int) -> float:
    """CPU s of the default RNN sine run on ``threads`` torch threads (``__wrapped__``: without one_thread)."""
    from nlp_rnn.lab import sine

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _cpu(lambda: sine.run.__wrapped__(sine.SineOptions(variant="rnn")))[0]
    finally:
        torch.set_num_threads(previous)


def run() -> list[dict]:
    from nlp_rnn.lab import compare, series, sine

    one, two = min(_sine_on(1) for _ in range(2)), min(_sine_on(2) for _ in range(2))
    rows = [{"name": "Lab: sine RNN, 30 epochs, CPU s on 1 torch thread (baseline: 2 threads)", "ours": one,
             "baseline": two, "unit": "s", "ratio": two / one, "target": "1 thread faster", "met": one < two}]
    compare_s, result = _cpu(lambda: compare.run(compare.CompareOptions()))
    score = {(r["cell"], r["delay"]): r["accuracy"] for r in result["rows"]}
    long = max(compare.CompareOptions().delays)
    rows.append({"name": f"Lab: compare page default, CPU s (T = {long}: LSTM {score['lstm', long]:.2f}, "
                 f"RNN {score['rnn', long]:.2f}, GRU {score['gru', long]:.2f})", "ours": compare_s, "baseline": 30.0,
                 "unit": "s", "ratio": 30.0 / compare_s, "target": "< 30 s", "met": compare_s < 30})
    series_s, result = _cpu(lambda: series.run(series.synthetic(), series.SeriesOptions()))
    naive, lstm, gru = (row["rmse"] for row in result["rows"])
    rows.append({"name": f"Lab: series page default, CPU s (RMSE naive {naive:.2f}, LSTM {lstm:.2f}, GRU {gru:.2f})",
                 "ours": series_s, "baseline": 30.0, "unit": "s", "ratio": 30.0 / series_s, "target": "< 30 s",
                 "met": series_s < 30})
    sine_s, result = _cpu(lambda: sine.run(sine.SineOptions()))
    rows.append({"name": f"Lab: sine page default, CPU s (test RMSE one-step {result['one_step_rmse']:.3f}, "
                 f"rollout {result['rollout_rmse']:.3f})", "ours": sine_s, "baseline": 30.0, "unit": "s",
                 "ratio": 30.0 / sine_s, "target": "< 30 s", "met": sine_s < 30})
    return rows
