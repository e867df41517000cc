"""What reading negation (``--negation``, in both V1 candidates of ``--model auto``) does to the default, on the
test sentences of the 8 stand-in splits (``bench/emojify_quality.py``), seed 0: the default against the same
candidates with negation off, on the test sentences that hold a negation word ("not", "n't", "never", "nobody", ...)
and on the rest. The choice itself was made by cross-validation inside the training sentences (README, Emojify);
this is the check of what it does to sentences it was not chosen on (``python -m bench emojify_negation``)."""

from __future__ import annotations

from dataclasses import replace

SPLITS = 8


def negated(text: str) -> bool:
    from nlp_rnn.emojify.encoding import NEGATIONS, TOKENIZER

    return any(token in NEGATIONS for token in TOKENIZER(text))


def scores(job: tuple[int, bool]) -> tuple[int, int, int, int]:
    """(right with a negation, sentences with one, right without, sentences without) of one split's default."""
    from bench.emojify_quality import quiet_worker, splits
    from nlp_rnn.emojify.auto import AutoOptions, train_auto
    from nlp_rnn.emojify.data import read_examples
    from nlp_rnn.emojify.evaluate import evaluate
    from nlp_rnn.emojify.options import CANDIDATES, Candidate

    draw, negation = job
    quiet_worker()
    train, test = splits(read_examples("bundled"), SPLITS)[draw]
    candidates = CANDIDATES if negation else tuple(
        Candidate(c.name, replace(c.options, negation=False), c.epochs) for c in CANDIDATES)  # names kept: the anchor
    model, _ = train_auto(AutoOptions(seed=0, candidates=candidates), train, None)
    parts = [[e for e in test if negated(e.text)], [e for e in test if not negated(e.text)]]
    counts = []
    for part in parts:
        counts += [round(evaluate(model, part)["accuracy"] * len(part)) if part else 0, len(part)]
    return tuple(counts)


def run() -> list[dict]:
    from bench.emojify_quality import in_workers

    jobs = [(draw, negation) for draw in range(SPLITS) for negation in (True, False)]
    got = dict(zip(jobs, in_workers(scores, jobs)))
    ours, theirs = ([sum(got[(d, n)][i] for d in range(SPLITS)) for i in range(4)] for n in (True, False))
    rows = []
    for name, right, count in (("holding a negation word", 0, 1), ("without one", 2, 3)):
        rows.append({"name": f"Emojify default (auto) with --negation in its V1s vs without, test sentences {name} "
                             f"({ours[count]} of the {ours[1] + ours[3]} of {SPLITS} splits, seed 0): right "
                             f"{ours[right]} vs {theirs[right]}",
                     "ours": 100 * ours[right] / ours[count], "baseline": 100 * theirs[right] / theirs[count], "unit": "%",
                     "ratio": ours[right] / max(theirs[right], 1), "target": "higher" if count == 1 else "-",
                     "met": ours[right] > theirs[right] if count == 1 else True})
    return rows
