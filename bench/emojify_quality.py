"""Emojify accuracy on a stand-in for the classic exercise's split, against the course's own recipe.

The classic data (132 training / 56 test sentences) is not ours to ship, so this bench draws
splits of the same sizes from the bundled sentences (stratified, ``SPLITS`` seeds) and trains two
ways on each, with GloVe 6B 50d:
- ours: what ``nlp-rnn emojify train --data train.csv --model v1|v2`` does with its defaults (a file
  this small trains on every sentence: V1 Adam lr 0.005 for 300 epochs, V2 Adam lr 0.002 for 80);
- the course's recipe: V1 with plain SGD (lr 0.01, batch 1, 400 epochs), V2 with Adam (batch 32,
  50 epochs), both on all 132 sentences, no validation, the last epoch kept.
The figure is the mean test accuracy over the splits (``python -m bench emojify_quality``).
"""

from __future__ import annotations

import logging
import random
import statistics

SPLITS, TRAIN, TEST = 8, 132, 56


def splits(examples: list, count: int = SPLITS) -> list[tuple[list, list]]:
    """``count`` stratified draws of TRAIN + TEST examples, the file's own split column ignored."""
    from dataclasses import replace

    by_label: dict[str, list] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(replace(example, split=""))
    draws = []
    for seed in range(count):
        rng, train, test = random.Random(seed), [], []
        for _, group in sorted(by_label.items()):
            group = rng.sample(group, len(group))
            n_train, n_test = round(TRAIN / len(examples) * len(group)), round(TEST / len(examples) * len(group))
            train += group[:n_train]
            test += group[n_train : n_train + n_test]
        draws.append((train, test))
    return draws


def accuracy(model, test: list) -> float:
    from nlp_rnn.emojify.evaluate import evaluate

    return evaluate(model, test)["accuracy"]


def ours(version: str, train: list, test: list) -> float:
    from nlp_rnn.emojify.data import train_valid
    from nlp_rnn.emojify.train import EmojifyOptions
    from nlp_rnn.emojify.train import train as fit

    fitted, valid = train_valid(train)
    model, _ = fit(EmojifyOptions(model=version), fitted, valid, None, progress=False)
    return accuracy(model, test)


def course(version: str, train: list, test: list) -> float:
    from nlp_rnn.emojify.train import EmojifyOptions
    from nlp_rnn.emojify.train import train as fit

    recipe = dict(epochs=400, lr=0.01, batch_size=1, optimizer="sgd", weight_decay=0.0) if version == "v1" else \
        dict(epochs=50, lr=0.001, batch_size=32, optimizer="adam", weight_decay=0.0)
    model, _ = fit(EmojifyOptions(model=version, patience=None, **recipe), train, [], None, progress=False)
    return accuracy(model, test)


def run() -> list[dict]:
    from nlp_rnn.emojify.data import read_examples

    logging.getLogger("nlp_rnn").setLevel(logging.WARNING)
    draws = splits(read_examples("bundled"))
    rows = []
    for version, course_figure in (("v1", "85.7%"), ("v2", "about 82%")):
        mine = [ours(version, train, test) for train, test in draws]
        theirs = [course(version, train, test) for train, test in draws]
        rows.append({
            "name": f"Emojify {version.upper()} test accuracy, {SPLITS} splits of {TRAIN}/{TEST} bundled sentences: "
                    f"our defaults vs the course's recipe (± {statistics.stdev(mine):.1%} across splits)",
            "ours": 100 * statistics.mean(mine), "baseline": 100 * statistics.mean(theirs), "unit": "%",
            "ratio": statistics.mean(mine) / statistics.mean(theirs),
            "target": f"beat the recipe clearly (it scores {course_figure} on the classic split)",
            "met": statistics.mean(mine) >= statistics.mean(theirs) + 0.03,
        })
    return rows
