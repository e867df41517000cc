"""``nlp-rnn text``: train, evaluate, generate."""

from __future__ import annotations

from nlp_rnn.cli.parsing import (
    EPOCHS,
    STEPS,
    add_device_options,
    add_group,
    bounded_float,
    count,
    fraction,
    learning_rate,
    minutes,
    non_negative_float,
    positive_int,
    probability,
    seed,
    temperature,
)
from nlp_rnn.limits import MAX_CORPUS_MB
from nlp_rnn.textgen.presets import PRESETS

CORPUS_MB = bounded_float(0.001, 1_000_000)
MODEL_HELP = "model directory (default: a char model of the built-in corpus, trained on first use)"


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    _add_train(commands)
    _add_evaluate(commands)
    _add_generate(commands)


def _add_train(commands) -> None:
    train = commands.add_parser("train", help="train a character or word language model")
    train.add_argument("--corpus", required=True, help="a .txt/.txt.gz file, a folder of .txt, or 'lee' (built in)")
    train.add_argument("--valid", help="validation text (default: the last 10%% of the corpus)")
    train.add_argument("--test", help="test text, evaluated at the end")
    train.add_argument("--level", choices=["char", "word"], default="char", help="tokens (default char)")
    train.add_argument("--preset", choices=list(PRESETS),
                       help="named settings (default: char-small for char, word for word: ptb-small with bptt 35); "
                            "ptb-30min and char are the best measured here; any flag below overrides a preset's value")
    train.add_argument("--cell", choices=["rnn", "lstm", "gru"])
    train.add_argument("--layers", type=count(64))
    train.add_argument("--hidden", type=count(16_384))
    train.add_argument("--embed", type=count(16_384))
    train.add_argument("--dropout", type=fraction)
    train.add_argument("--tied", action="store_true", help="tie input and output embeddings (embed = hidden)")
    train.add_argument("--epochs", type=count(EPOCHS))
    train.add_argument("--lr", type=learning_rate, help="learning rate")
    train.add_argument("--clip", type=non_negative_float, help="max gradient norm (0 = no clipping)")
    train.add_argument("--schedule", choices=["constant", "step", "plateau", "cosine", "linear"],
                       help="learning-rate schedule (default: the preset's; with --max-minutes a step decay "
                            "becomes a cosine planned for the budget)")
    train.add_argument("--lr-decay", type=non_negative_float, help="step/plateau: factor per decay")
    train.add_argument("--lr-decay-start", type=non_negative_int, help="step: epochs at the full rate before decaying")
    train.add_argument("--lr-floor", type=non_negative_float, help="cosine/linear: the last rate, as a share of --lr")
    train.add_argument("--warmup", type=non_negative_int, help="steps of linear warm-up")
    train.add_argument("--softmax", choices=["full", "adaptive"], help="adaptive: faster for large vocabularies")
    train.add_argument("--cutoffs", type=cutoff_list, help="adaptive softmax clusters, e.g. 2000,6000 "
                                                           "(default: a tenth and a half of the vocabulary)")
    train.add_argument("--batch-size", type=count(65_536))
    train.add_argument("--bptt", type=count(100_000), help="steps of backpropagation through time")
    train.add_argument("--max-vocab", type=count(10**8), help="word level: keep the most frequent words")
    train.add_argument("--min-freq", type=positive_int, default=1, help="word level: rarer words become <unk>")
    train.add_argument("--lower", action="store_true", help="lower-case the text")
    train.add_argument("--max-minutes", type=minutes, help="stop after this much training time")
    train.add_argument("--max-steps", type=count(STEPS), help="stop after N steps (1 = dry run)")
    train.add_argument("--max-corpus-mb", type=CORPUS_MB, default=MAX_CORPUS_MB,
                       help=f"read at most this many MB of text per corpus, after decompression (default {MAX_CORPUS_MB})")
    train.add_argument("--seed", type=seed, default=0, help="0 to 2**63-1 (default 0)")
    train.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    train.add_argument("--out", required=True, help="model directory")
    train.add_argument("--force", action="store_true",
                       help="train into --out even if it holds another kind of model or other files")
    add_device_options(train, trains=True, ranks=True, precision="auto",
                       precision_help="auto (default): bf16 autocast for a word model on a device that computes bf16 "
                                      "natively (a GPU from Ampere on, a CPU with AMX), else fp32; or fp32, bf16, "
                                      "fp16 (GPUs only)")
    train.set_defaults(handler=run_train)


def _add_evaluate(commands) -> None:
    evaluate = commands.add_parser("evaluate", help="perplexity, cross-entropy, bits per char")
    evaluate.add_argument("--model", required=True, help="model directory")
    evaluate.add_argument("--corpus", required=True, help="text to evaluate on")
    evaluate.add_argument("--max-corpus-mb", type=CORPUS_MB, default=MAX_CORPUS_MB,
                          help=f"read at most this many MB of text (default {MAX_CORPUS_MB})")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    add_device_options(evaluate)
    evaluate.set_defaults(handler=run_evaluate)


def _add_generate(commands) -> None:
    generate = commands.add_parser("generate", help="sample text from a model")
    generate.add_argument("--model", help=MODEL_HELP)
    generate.add_argument("--prime", default="", help="text to continue")
    generate.add_argument("--length", type=positive_int, default=300, help="tokens to generate (default 300)")
    generate.add_argument("--temperature", type=temperature, default=0.8, help="0 (or under 1e-6) = greedy (default 0.8)")
    generate.add_argument("--top-k", type=count(10**7), help="sample among the k most likely tokens")
    generate.add_argument("--top-p", type=probability, help="nucleus sampling")
    generate.add_argument("--num", type=count(1_000), default=1, help="how many samples")
    generate.add_argument("--seed", type=seed, help="same seed → same text (0 to 2**63-1)")
    add_device_options(generate)
    generate.set_defaults(handler=run_generate)


OVERRIDES = ["cell", "layers", "hidden", "embed", "dropout", "epochs", "lr", "batch_size", "bptt", "clip", "schedule",
             "lr_decay", "lr_decay_start", "lr_floor", "warmup", "softmax", "cutoffs"]


def non_negative_int(text: str) -> int:
    return 0 if text.strip() == "0" else positive_int(text)


def cutoff_list(text: str) -> tuple[int, ...]:
    import argparse

    try:
        cutoffs = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give rising whole numbers separated by commas, e.g. 2000,6000") from None
    if any(not 1 <= c <= 10**8 for c in cutoffs) or list(cutoffs) != sorted(set(cutoffs)):
        raise argparse.ArgumentTypeError(f"{text!r}: cutoffs must be positive and rising, e.g. 2000,6000")
    return cutoffs


class SchedulePrinter:
    """Prints the learning-rate schedule once it is planned (a budget's plan comes after its first steps), and
    again after an epoch in which a budget's plan moved its end (planned again from the measured speed)."""

    def __init__(self):
        self.printed: str | None = None

    def on_step(self, trainer, loss: float) -> None:
        if self.printed is None and (trainer.schedule.plan is not None
                                     or trainer.config.lr_schedule not in ("cosine", "linear")):
            self._print(trainer)

    def on_epoch_end(self, trainer, record: dict) -> None:
        if self.printed is not None:  # _print says nothing when the plan has not moved
            self._print(trainer)

    def _print(self, trainer) -> None:
        words = trainer.schedule.describe()
        if words != self.printed and trainer.world.main:
            print(f"learning rate: {words}", flush=True)
        self.printed = words


def run_train(args) -> int:
    from nlp_rnn.inputs import require_out_dir
    from nlp_rnn.out_folder import check_out_folder
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    require_out_dir(args.out)
    check_out_folder(args.out, "textgen", resume=getattr(args, "resume", False), force=args.force)
    overrides = tuple((k, getattr(args, k)) for k in OVERRIDES if getattr(args, k) is not None)
    options = TextOptions(corpus=args.corpus, valid=args.valid, test=args.test, level=args.level, preset=args.preset,
                          lower=args.lower, max_vocab=args.max_vocab, min_freq=args.min_freq, overrides=overrides,
                          tied=args.tied, max_minutes=args.max_minutes, max_steps=args.max_steps, seed=args.seed,
                          max_corpus_mb=args.max_corpus_mb, device=args.device, precision=args.precision)
    _, history, test = train_text(options, args.out, resume=args.resume, callbacks=[SchedulePrinter()])
    best = min(history, key=lambda r: r.get("val_loss", r["train_loss"]))
    print(f"{len(history)} epochs; best epoch {best['epoch']}: valid perplexity {best.get('val_perplexity', float('nan')):.2f}"
          f" ({best['items_per_second']:,.0f} tokens/s); saved to {args.out}")
    if test:
        print(f"test perplexity {test['perplexity']:.2f}")
    return 0


def run_evaluate(args) -> int:
    from nlp_rnn.cli.output import to_json
    from nlp_rnn.textgen.corpus import read_text
    from nlp_rnn.textgen.pipeline import evaluate_text, load_text_model

    result = evaluate_text(load_text_model(args.model, args.device), read_text(args.corpus, args.max_corpus_mb))
    print(to_json(result) if args.json else "\n".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}"
                                                           for k, v in result.items()))
    return 0


def run_generate(args) -> int:
    """Print each sample as it is sampled (a --length of a billion starts printing at once)."""
    import sys

    from nlp_rnn.textgen.generation import stream_text
    from nlp_rnn.textgen.pipeline import load_text_model

    if args.model is None:
        from nlp_rnn.textgen.default import load_default

        model = load_default(device=args.device)
    else:
        model = load_text_model(args.model, args.device)
    for i in range(args.num):
        seed = None if args.seed is None else args.seed + i
        for piece in stream_text(model, args.prime, args.length, args.temperature, args.top_k, args.top_p, seed):
            sys.stdout.write(piece)
        sys.stdout.write("\n\n" if i + 1 < args.num else "\n")
        sys.stdout.flush()
    return 0
