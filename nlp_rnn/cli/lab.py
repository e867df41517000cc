"""``nlp-rnn lab``: the classic exercises — abcde, sine, series, compare, gradcheck."""

from __future__ import annotations

import argparse

from nlp_rnn.cli.output import to_json
from nlp_rnn.cli.parsing import EPOCHS, add_device_options, add_group, count, learning_rate, seed
from nlp_rnn.limits import MAX_DELAY, MAX_WINDOW


def int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from None
    if not values or min(values) < 1 or max(values) > MAX_DELAY or len(values) > 20:
        raise argparse.ArgumentTypeError(f"give 1-20 numbers from 1 to {MAX_DELAY:,}, e.g. 5,20,50, not {text[:40]!r}")
    return values


def cell_list(text: str) -> tuple[str, ...]:
    cells = tuple(c.strip() for c in text.split(",") if c.strip())
    if not cells or set(cells) - {"rnn", "lstm", "gru"}:
        raise argparse.ArgumentTypeError(f"cells are rnn, lstm, gru separated by commas, not {text!r}")
    return cells


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    abcde = commands.add_parser("abcde", help="next letter of a→b→c→d→e→a with a 3-unit SimpleRNN")
    abcde.add_argument("--variant", choices=["onehot-1", "onehot-4", "embedding", "all"], default="all")
    abcde.add_argument("--epochs", type=count(EPOCHS), default=200)
    abcde.add_argument("--seed", type=seed, default=0)
    abcde.add_argument("--json", action="store_true", help="print one JSON object")
    add_device_options(abcde, trains=True)
    abcde.set_defaults(handler=run_abcde)

    sine = commands.add_parser("sine", help="predict a sine wave, then roll it out from the model's own predictions")
    sine.add_argument("--variant", choices=["rnn", "lstm", "both"], default="both",
                      help="rnn: 16 units, windows of 20; lstm: 2×30 units, windows of 10")
    sine.add_argument("--epochs", type=count(EPOCHS), default=30)
    sine.add_argument("--seed", type=seed, default=0)
    sine.add_argument("--json", action="store_true")
    add_device_options(sine, trains=True)
    sine.set_defaults(handler=run_sine)

    series = commands.add_parser("series", help="forecast a series with LSTM(80)→LSTM(100) and its GRU twin")
    series.add_argument("--csv", help="a CSV file with a header (default: a built-in synthetic series)")
    series.add_argument("--column", help="column name or index from 0 (default: the last column)")
    series.add_argument("--window", type=count(MAX_WINDOW), default=30, help="past values per prediction (default 30)")
    series.add_argument("--cells", type=cell_list, default=("lstm", "gru"), help="default lstm,gru")
    series.add_argument("--epochs", type=count(EPOCHS), default=15)
    series.add_argument("--seed", type=seed, default=0)
    series.add_argument("--json", action="store_true")
    add_device_options(series, trains=True)
    series.set_defaults(handler=run_series)

    compare = commands.add_parser("compare", help="RNN vs LSTM vs GRU on a task that needs memory, same budget")
    compare.add_argument("--task", choices=["copy", "adding"], default="copy")
    compare.add_argument("--delays", type=int_list, default=(5, 20, 50), help=f"T values, each 1-{MAX_DELAY:,}, e.g. 5,20,50")
    compare.add_argument("--cells", type=cell_list, default=("rnn", "lstm", "gru"))
    compare.add_argument("--hidden", type=count(1_024), default=16)
    compare.add_argument("--epochs", type=count(EPOCHS), default=8)
    compare.add_argument("--lr", type=learning_rate, default=0.01)
    compare.add_argument("--seed", type=seed, default=0)
    compare.add_argument("--json", action="store_true")
    add_device_options(compare, trains=True)
    compare.set_defaults(handler=run_compare)

    gradcheck = commands.add_parser(
        "gradcheck",
        help="numpy reference cells vs torch, and a numerical gradient check",
        description="For rnn, lstm and gru: the largest forward and gradient difference between the numpy "
        "reference cells and torch's modules (same weights, float64), and the largest relative error of the "
        "numpy backward pass against central differences. Exits 1 if any exceeds 1e-5.",
    )
    gradcheck.add_argument("--seed", type=seed, default=0, help="random problem to check (default 0)")
    gradcheck.add_argument("--json", action="store_true", help="print one JSON object")
    gradcheck.set_defaults(handler=run_gradcheck)


def _placement(args) -> dict:
    return {"device": args.device, "precision": args.precision}


def run_abcde(args) -> int:
    from nlp_rnn.lab.abcde import VARIANTS, AbcdeOptions, run

    variants = list(VARIANTS) if args.variant == "all" else [args.variant]
    results = [run(AbcdeOptions(variant=v, epochs=args.epochs, seed=args.seed, **_placement(args))) for v in variants]
    for result in results:
        result.pop("model")
    if args.json:
        print(to_json({"variants": results, "accuracy": min(r["accuracy"] for r in results)}))
        return 0
    for r in results:
        shown = " ".join(f"{p['input']}→{p['next']}" for p in r["predictions"])
        print(f"{r['variant']:<10} accuracy {r['accuracy']:.0%}  final loss {r['loss'][-1]:.4f}  {shown}")
    return 0


def run_sine(args) -> int:
    from nlp_rnn.lab.sine import SineOptions, run

    variants = ["rnn", "lstm"] if args.variant == "both" else [args.variant]
    results = [run(SineOptions(variant=v, epochs=args.epochs, seed=args.seed, **_placement(args))) for v in variants]
    if args.json:
        print(to_json({"variants": results}))
        return 0
    for r in results:
        print(f"{r['variant']:<5} {r['cell']} {r['layers']} window {r['window']}: one-step RMSE {r['one_step_rmse']:.4f}, "
              f"rollout RMSE over {len(r['truth'])} steps {r['rollout_rmse']:.4f} ({r['parameters']} parameters)")
    return 0


def run_series(args) -> int:
    from nlp_rnn.lab.series import SeriesOptions, read_column, run, synthetic

    values = read_column(args.csv, args.column) if args.csv else synthetic(seed=args.seed)
    result = run(values, SeriesOptions(cells=args.cells, window=args.window, epochs=args.epochs, seed=args.seed,
                                                 **_placement(args)))
    if args.json:
        print(to_json(result))
        return 0
    print(f"{result['points']} values: train {result['train']}, validation {result['valid']}, test {result['test']} "
          f"(chronological; scaling fitted on train)")
    for row in result["rows"]:
        print(f"  {row['model']:<24} RMSE {row['rmse']:8.4f}  MAE {row['mae']:8.4f}  {row['parameters']:>7} parameters")
    return 0


def run_compare(args) -> int:
    from nlp_rnn.lab.compare import CompareOptions, run

    options = CompareOptions(task=args.task, delays=args.delays, cells=args.cells, hidden=args.hidden, epochs=args.epochs,
                             lr=args.lr, seed=args.seed, **_placement(args))
    result = run(options)
    if args.json:
        print(to_json(result))
        return 0
    score = "accuracy" if args.task == "copy" else "mse"
    print(f"{args.task} task, hidden {args.hidden}, up to {args.epochs} epochs each (a solved copy run stops; "
          f"chance {result['chance']:.3f})")
    print(f"  {'cell':<5}{'T':>5}{score:>10}{'params':>9}{'epochs':>8}{'s/epoch':>9}")
    for row in result["rows"]:
        print(f"  {row['cell']:<5}{row['delay']:>5}{row[score]:>10.3f}{row['parameters']:>9}{row['epochs']:>8}"
              f"{row['seconds_per_epoch']:>9.2f}")
    return 0


def run_gradcheck(args) -> int:
    from nlp_rnn.lab.gradcheck import report

    result = report(seed=args.seed)
    if args.json:
        print(to_json(result))
    else:
        print(f"{'cell':<6}{'forward diff':>15}{'gradient diff':>15}{'gradcheck rel':>15}  ok")
        for cell, row in result["cells"].items():
            print(f"{cell:<6}{row['forward_max_abs_diff']:>15.2e}{row['gradient_max_abs_diff']:>15.2e}"
                  f"{row['gradcheck_max_relative_error']:>15.2e}  {'yes' if row['ok'] else 'NO'}")
        print(f"tolerance {result['tolerance']:.0e}: {'all within' if result['ok'] else 'EXCEEDED'}")
    return 0 if result["ok"] else 1
