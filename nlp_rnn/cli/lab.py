"""``nlp-rnn lab``: the classic exercises."""

from __future__ import annotations

from nlp_rnn.cli.parsing import add_group


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    gradcheck = commands.add_parser(
        "gradcheck",
        help="numpy reference cells vs torch, and a numerical gradient check",
        description="For rnn, lstm and gru: the largest forward and gradient difference between the numpy "
        "reference cells and torch's modules (same weights, float64), and the largest relative error of the "
        "numpy backward pass against central differences. Exits 1 if any exceeds 1e-5.",
    )
    gradcheck.add_argument("--seed", type=int, default=0, help="random problem to check (default 0)")
    gradcheck.add_argument("--json", action="store_true", help="print one JSON object")
    gradcheck.set_defaults(handler=run_gradcheck)


def run_gradcheck(args) -> int:
    import json

    from nlp_rnn.lab.gradcheck import report

    result = report(seed=args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{'cell':<6}{'forward diff':>15}{'gradient diff':>15}{'gradcheck rel':>15}  ok")
        for cell, row in result["cells"].items():
            print(f"{cell:<6}{row['forward_max_abs_diff']:>15.2e}{row['gradient_max_abs_diff']:>15.2e}"
                  f"{row['gradcheck_max_relative_error']:>15.2e}  {'yes' if row['ok'] else 'NO'}")
        print(f"tolerance {result['tolerance']:.0e}: {'all within' if result['ok'] else 'EXCEEDED'}")
    return 0 if result["ok"] else 1
