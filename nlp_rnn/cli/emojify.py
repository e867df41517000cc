"""``nlp-rnn emojify``: train, evaluate, classify, explain."""

from __future__ import annotations

import contextlib

from nlp_rnn.cli.parsing import EPOCHS, STEPS, add_device_options, add_group, bounded_float, bounded_int, count, seed
from nlp_rnn.engines import ENGINES

MODEL_HELP = "model directory (default: the bundled model, trained on first use)"
ENGINE_HELP = ("auto (default): numpy when the model runs on the CPU in fp32 (no torch import: a faster start), "
               "else torch; numpy or torch to choose")


def default_workers() -> int:
    """The cores this process may use, at most 4 (past that the Python around the model is the limit)."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cores))


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    train = commands.add_parser("train", help="train a sentence → emoji classifier")
    train.add_argument("--data", required=True, help="CSV: classic 'sentence,label_index' or headered 'text,label'; "
                       "'bundled' = the shipped dataset")
    train.add_argument("--valid", help="validation CSV (default: the file's split column, else 15%% carved off a file of 500+ "
                       "sentences; a smaller one trains on every sentence)")
    train.add_argument("--model", choices=["auto", "v1", "v2"], default="auto",
                       help="auto (default): chosen by cross-validation among V1 with frequency weights, V1 with attention "
                       "(both reading negation) and an attention BiLSTM, possibly an ensemble; v1: averaged vectors; "
                       "v2: LSTM stack")
    train.add_argument("--folds", type=bounded_int(2, 100), default=5, help="auto: stratified folds (default 5)")
    train.add_argument("--vectors", default="glove-6b-50d", help="word vectors spec (default glove-6b-50d)")
    train.add_argument("--cell", choices=["rnn", "lstm", "gru"], help="v2 cell (default lstm)")
    train.add_argument("--layers", type=count(16), help="v2 layers (default 2)")
    train.add_argument("--hidden", type=count(8_192), help="v2 units per layer (default 128)")
    train.add_argument("--bidirectional", action="store_true", default=None, help="v2 reads both ways")
    train.add_argument("--pooling", choices=["last", "mean", "max", "attention"],
                       help="v2 pooling (default last); v1: max or attention beside the average")
    train.add_argument("--frequency-weights", type=bounded_float(0.0, 1.0, open_low=True), metavar="A",
                       help="v1: weigh words by a / (a + their frequency), estimated from the vectors' order "
                       "(smooth inverse frequency; e.g. 1e-3)")
    train.add_argument("--negation", action="store_true", default=None,
                       help="v1: average the words after not/n't/never/no/... up to punctuation in a block of their own "
                       "(not with --pooling max)")
    train.add_argument("--trainable-embeddings", action="store_true", default=None, help="v1/v2: fine-tune the word vectors")
    train.add_argument("--unfreeze-after", type=count(EPOCHS), metavar="N",
                       help="fine-tune the word vectors after N epochs (off by default: it did not help; see README)")
    train.add_argument("--epochs", type=count(EPOCHS), help="v1/v2: at most this many epochs (default 300 v1, 80 v2)")
    train.add_argument("--batch-size", type=count(65_536), default=32, help="sentences per step, over all ranks (default 32)")
    train.add_argument("--max-steps", type=count(STEPS), help="stop every run after N optimizer steps (1 = dry run)")
    train.add_argument("--seed", type=seed, default=0, help="same seed → same model (0 to 2**63-1, default 0)")
    train.add_argument("--resume", action="store_true", help="continue the run saved in --out exactly where it stopped")
    train.add_argument("--out", required=True, help="model directory to write")
    train.add_argument("--force", action="store_true",
                       help="train into --out even if it holds another kind of model or other files")
    add_device_options(train, trains=True, ranks=True)
    train.set_defaults(handler=run_train)

    evaluate = commands.add_parser("evaluate", help="accuracy, macro-F1, per-class precision/recall, confusion")
    evaluate.add_argument("--model", help=MODEL_HELP)
    evaluate.add_argument("--data", required=True, help="labelled CSV (same formats as train)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    add_device_options(evaluate)
    evaluate.add_argument("--engine", choices=ENGINES, default="auto", help=ENGINE_HELP)
    evaluate.set_defaults(handler=run_evaluate)

    classify = commands.add_parser("classify", help="one output row per input line, streamed")
    classify.add_argument("inputs", nargs="*", metavar="INPUT", help="text files, one sentence a line; '-' or none = stdin")
    classify.add_argument("--model", help=MODEL_HELP)
    classify.add_argument("--format", choices=["tsv", "csv", "jsonl"], default="tsv", help="output (default tsv)")
    classify.add_argument("--top-k", type=count(1_000), default=3, help="candidates per row (default 3)")
    classify.add_argument("--batch-size", type=count(65_536), default=8192,
                          help="lines per model call, at most 65,536 (default 8192)")
    workers = default_workers()
    classify.add_argument("--workers", type=count(256), default=workers,
                          help=f"batches classified at once, one core each (default {workers}: the cores, at most 4)")
    add_device_options(classify)
    classify.add_argument("--engine", choices=ENGINES, default="auto", help=ENGINE_HELP)
    classify.set_defaults(handler=run_classify)

    explain = commands.add_parser("explain", help="each word's contribution to the prediction")
    explain.add_argument("sentence")
    explain.add_argument("--model", help=MODEL_HELP)
    explain.add_argument("--json", action="store_true", help="print one JSON object")
    add_device_options(explain)
    explain.add_argument("--engine", choices=ENGINES, default="auto", help=ENGINE_HELP)
    explain.set_defaults(handler=run_explain)


def _model(args):
    """The --model (or the default) for --engine: ``main`` has made it numpy or torch."""
    if args.engine == "numpy":
        from nlp_rnn.emojify.default import load_default_arrays
        from nlp_rnn.emojify.numpy_model import load as load_arrays

        return load_default_arrays() if args.model is None else load_arrays(args.model)
    if args.model is None:
        from nlp_rnn.emojify.default import load_default

        return load_default(device=args.device)
    from nlp_rnn.emojify.model import load

    return load(args.model, args.device)


SINGLE_MODEL_FLAGS = ("cell", "layers", "hidden", "bidirectional", "pooling", "frequency_weights", "negation",
                      "trainable_embeddings", "epochs")


def run_train(args) -> int:
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.inputs import require_out_dir
    from nlp_rnn.out_folder import check_out_folder

    require_out_dir(args.out)
    check_out_folder(args.out, "emojify", resume=getattr(args, "resume", False), force=args.force)
    examples = read_examples(args.data)
    train_set, valid_set = (examples, read_examples(args.valid)) if args.valid else \
        train_valid(examples, seed=args.seed, source=args.data)
    if args.model == "auto":
        return _train_auto(args, train_set, valid_set)
    from nlp_rnn.emojify.train import EmojifyOptions, train

    chosen = {name: getattr(args, name) for name in SINGLE_MODEL_FLAGS if getattr(args, name) is not None}
    options = EmojifyOptions(model=args.model, vectors=args.vectors, seed=args.seed, max_steps=args.max_steps,
                             unfreeze_after=args.unfreeze_after, batch_size=args.batch_size, device=args.device,
                             precision=args.precision, **chosen)
    model, history = train(options, train_set, valid_set, args.out, resume=args.resume)
    summary = f"trained {args.model} on {len(train_set)} sentences, {len(history)} epochs; "
    if valid_set and history:
        best = min(history, key=lambda r: r["val_loss"])
        summary += f"{len(valid_set)} validation sentences, best epoch {best['epoch']}: " \
                   f"val_accuracy {best['val_accuracy']:.3f}; "
    elif history:
        summary += f"no validation set (all sentences train), train loss {history[-1]['train_loss']:.3f}; "
    print(summary + f"saved to {args.out}")
    return 0


def _train_auto(args, train_set: list, valid_set: list) -> int:
    from tqdm.auto import tqdm

    from nlp_rnn.emojify.auto import AutoOptions, train_auto
    from nlp_rnn.errors import UserError

    given = [f"--{name.replace('_', '-')}" for name in SINGLE_MODEL_FLAGS if getattr(args, name) is not None]
    if given:
        raise UserError(f"{', '.join(given)} shape one model; --model auto chooses its own: add --model v1 or v2")
    options = AutoOptions(folds=args.folds, vectors=args.vectors, seed=args.seed, max_steps=args.max_steps,
                          unfreeze_after=args.unfreeze_after)
    with tqdm(desc="emojify auto", unit="run", disable=None, leave=False) as bar:  # None: a terminal only
        def progress(done: int, total: int, what: str) -> None:
            bar.total, bar.n = total, done
            bar.set_description(what)
            bar.refresh()

        model, _ = train_auto(options, train_set, args.out, progress=progress, resume=args.resume)
    print(f"trained auto on {len(train_set)} sentences")
    for line in describe(model):
        print(line)
    if valid_set:
        from nlp_rnn.emojify.evaluate import evaluate

        report = evaluate(model, valid_set)
        print(f"{len(valid_set)} validation sentences: accuracy {report['accuracy']:.3f}, ECE {report['ece']:.3f}")
    print(f"saved to {args.out}")
    return 0


def describe(model) -> list[str]:
    """What --model auto chose and why, as printed by train and evaluate (nothing for a v1/v2 model)."""
    from nlp_rnn.emojify.auto import summary_lines

    return summary_lines(model.auto) if model.auto else []


def run_evaluate(args) -> int:
    from nlp_rnn.cli.output import to_json
    from nlp_rnn.emojify.data import read_examples
    from nlp_rnn.emojify.evaluate import evaluate

    model = _model(args)
    report = evaluate(model, read_examples(args.data))
    if args.json:
        print(to_json({**report, "auto": model.auto} if model.auto else report, ensure_ascii=False))
        return 0
    for line in describe(model):
        print(line)
    print(f"n {report['n']}  accuracy {report['accuracy']:.3f}  macro-F1 {report['macro_f1']:.3f}  "
          f"ECE {report['ece']:.3f}")
    for label, row in report["per_class"].items():
        print(f"  {label:<16} precision {row['precision']:.3f}  recall {row['recall']:.3f}  support {row['support']}")
    print("confusion (rows = true, columns = predicted):")
    for label, counts in zip(report["labels"], report["confusion"]):
        print(f"  {label:<16} " + " ".join(f"{c:4d}" for c in counts))
    return 0


def run_classify(args) -> int:
    import functools
    import gc
    import sys

    from nlp_rnn.emojify.classify import RowWriter, classify_batches, read_lines
    from nlp_rnn.inputs import require_stream

    inputs = args.inputs or ["-"]
    paths = [None if name == "-" else require_stream(name) for name in inputs]  # all checked first; pipes too
    model = _model(args)
    # The vectors' 400,000-word index is long-lived: keep the cyclic garbage collector from walking it
    # again and again while millions of short-lived rows come and go (it cost a fifth of the run).
    gc.freeze()
    writer = RowWriter(args.format, with_file=len(inputs) > 1)
    sys.stdout.write(writer.header())
    with _torch_settings(args.workers) if args.engine == "torch" else _numpy_settings(args.workers):
        for name, path in zip(inputs, paths):
            render = functools.partial(writer.render, file=name if len(inputs) > 1 else None)
            with open(path, "rb") if path else contextlib.nullcontext(sys.stdin.buffer) as handle:
                batches = classify_batches(model, read_lines(handle), args.top_k, args.batch_size, args.workers, render)
                for text in batches:
                    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _numpy_settings(workers: int):
    """One BLAS thread per worker on the numpy engine, as ``_torch_settings`` gives torch (measured: 31,700 vs
    13,900-20,400 sentences/s with OpenBLAS on every core in each worker)."""
    if workers == 1:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


@contextlib.contextmanager
def _torch_settings(workers: int):
    """torch's threads and oneDNN while classifying on torch, restored after (for callers of main() in the same process)."""
    import torch

    from nlp_rnn.threads import one_thread

    onednn = torch.backends.mkldnn.enabled
    # A stream meets a new (sentences, length) shape in almost every batch, and oneDNN compiles an LSTM
    # for each: torch's own LSTM is faster on them (23,300 vs 22,200 sentences/s over a million lines).
    torch.backends.mkldnn.enabled = False
    try:
        # Batches side by side, one core each, beat one batch on every core: these matrices are too
        # small to split well (2 cores: 37,000 vs 30,000 sentences/s for the bare model).
        with one_thread() if workers > 1 else contextlib.nullcontext():
            yield
    finally:
        torch.backends.mkldnn.enabled = onednn


def run_explain(args) -> int:
    from nlp_rnn.cli.output import to_json
    from nlp_rnn.emojify.explain import explain

    model = _model(args)
    predicted, probs, scores, method = explain(model, args.sentence)
    if args.json:
        print(to_json({"label": model.labels[predicted], "emoji": model.emojis[predicted], "method": method,
                          "probabilities": dict(zip(model.labels, probs)),
                          "words": [vars(s) for s in scores]}, ensure_ascii=False))
        return 0
    print(f"{model.emojis[predicted]}  {model.labels[predicted]} ({probs[predicted]:.1%}), by {method}")
    for score in scores:
        mark = "" if score.known else "   (not in the vectors: ignored)"
        print(f"  {score.word:<20} {score.score:+.3f}{mark}")
    return 0
