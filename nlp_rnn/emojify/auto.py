"""``--model auto``: the model chosen by stratified k-fold cross-validation inside the training file.

Every candidate (V1 with frequency weights, V1 with attention over the words, both reading negation, and a
bidirectional attention LSTM) trains once per fold on the other folds; its out-of-fold probabilities are recorded
at each of its epoch counts during that one run. Every ensemble of up to ``max_members`` candidates that holds the
anchor (V1 with frequency weights and negation; probabilities averaged) is then scored on the same out-of-fold
predictions at no extra training cost; the largest ensemble within one standard error of the best mean fold accuracy wins
(``choose``), a softmax temperature is fitted on those predictions, and each member is trained on the whole
file with ``seeds`` seeds (their average is the ensemble). The choice, the cross-validation accuracy ± its
spread over folds, the members, the temperature and the folds' confusion matrix go into the checkpoint.

Why V1 is in every ensemble: on 132-sentence files the folds hold 26 sentences each, and picking the
best of two dozen ensembles on them picked LSTM-only mixtures that scored below V1 on the test
sentences (bench/emojify_quality.py); V1 is the steadiest model, and averaging with it keeps the
choice from straying below it."""

from __future__ import annotations

import itertools
import json
import logging
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from nlp_rnn.emojify.calibration import calibrate, ensemble_probabilities, log_loss
from nlp_rnn.emojify.data import Example
from nlp_rnn.emojify.metrics import classification_report
from nlp_rnn.emojify.model import EmojiModel
from nlp_rnn.emojify.options import AutoOptions, Candidate, EmojifyOptions
from nlp_rnn.emojify.train import label_order, train
from nlp_rnn.errors import DataError, UserError
from nlp_rnn.threads import one_thread
from nlp_rnn.training import Callback, TrainingStopped

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]  # (jobs done, jobs in all, what runs now)


@dataclass(frozen=True)
class Steering:
    """What a caller hears and says while the many trainings of one auto run go on (a page's bar and Stop).

    ``callbacks`` go to every run's Trainer (a stop button asks it to stop within one step); ``stop()`` is asked
    before and after every run and answers why to stop, or None: a stop ends the whole auto run with
    ``TrainingStopped``, since an ensemble missing a fold or a member is no model to use."""

    progress: Progress
    callbacks: tuple[Callback, ...] = ()
    stop: Callable[[], str | None] | None = None

    def report(self, done: int, total: int, what: str) -> None:
        self.check(what)
        self.progress(done, total, what)

    def check(self, during: str) -> None:
        if self.stop is not None and (reason := self.stop()) is not None:
            raise TrainingStopped(reason, during)


ANCHOR = "v1-sif-negation"  # in every ensemble tried


@dataclass(frozen=True)
class Member:
    candidate: str
    epochs: int

    @property
    def name(self) -> str:
        return f"{self.candidate}@{self.epochs}"


def stratified_folds(examples: list[Example], folds: int, seed: int) -> list[int]:
    """The fold of every example: each label's sentences shuffled and dealt round the folds."""
    fold = [0] * len(examples)
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        by_label.setdefault(example.label, []).append(i)
    start = 0
    for label in sorted(by_label, key=label_order):
        members = by_label[label]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = (start + j) % folds  # carrying the offset on keeps the folds' sizes even
        start += len(members)
    return fold


def fold_count(examples: list[Example], wanted: int) -> int:
    """Folds that leave every class in every training part: at most the smallest class's size."""
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.label] = counts.get(example.label, 0) + 1
    return min(wanted, min(counts.values()))


class _HeldOut(Callback):
    """Logits of the held-out sentences at the chosen epochs of one run (the run's own encoding)."""

    def __init__(self, texts: list[str], epochs: tuple[int, ...]):
        self.texts, self.epochs, self.logits = texts, set(epochs), {}

    def on_epoch_end(self, trainer, record: dict) -> None:
        if record["complete"] and record["epoch"] in self.epochs:
            self.logits[record["epoch"]] = self.score(trainer.task.model)
            trainer.model.train()

    @torch.no_grad()
    def score(self, model: EmojiModel) -> np.ndarray:
        model.classifier.eval()
        return model.classifier(*model.batch(self.texts)).double().numpy()


def _run_options(options: AutoOptions, candidate: Candidate, epochs: int | None = None, seed: int = 0) -> EmojifyOptions:
    return replace(candidate.options, vectors=options.vectors, seed=options.seed + seed, patience=None,
                   epochs=epochs or max(candidate.epochs), max_steps=options.max_steps,
                   unfreeze_after=options.unfreeze_after)


def cross_validate(options: AutoOptions, examples: list[Example], labels: list[str], folds: int,
                   steer: Steering) -> tuple[dict[str, np.ndarray], list[int]]:
    """(member name → out-of-fold logits (sentences, classes) in ``examples`` order, each sentence's fold)."""
    fold = stratified_folds(examples, folds, options.seed)
    logits: dict[str, np.ndarray] = {}
    done, total = 0, folds * len(options.candidates) + options.max_members  # the members' count is not known yet
    for k in range(folds):
        fitted = [e for e, f in zip(examples, fold) if f != k]
        held = [i for i, f in enumerate(fold) if f == k]
        for candidate in options.candidates:
            what = f"cross-validation, fold {k + 1}/{folds}: {candidate.name}"
            steer.report(done, total, what)
            hook = _HeldOut([examples[i].text for i in held], candidate.epochs)
            model, _ = train(_run_options(options, candidate), fitted, [], None, callbacks=[hook, *steer.callbacks],
                             progress=False)
            steer.check(what)  # a stop inside the run ended it early: its scores are not the candidate's
            for epochs in candidate.epochs:  # a run cut short (--max-steps) is scored where it stopped
                out = logits.setdefault(Member(candidate.name, epochs).name, np.zeros((len(examples), len(labels))))
                out[held] = hook.logits[epochs] if epochs in hook.logits else hook.score(model)
            done += 1
    return logits, fold


def _ensembles(options: AutoOptions) -> list[tuple[Member, ...]]:
    """Every set of up to ``max_members`` candidates holding V1 (when it is a candidate), each at one of
    its epoch counts."""
    choices = [[Member(c.name, e) for e in c.epochs] for c in options.candidates]
    anchored = any(c.name == ANCHOR for c in options.candidates)
    found = []
    for size in range(1, options.max_members + 1):
        for group in itertools.combinations(choices, size):
            if not anchored or any(epochs[0].candidate == ANCHOR for epochs in group):
                found.extend(itertools.product(*group))
    return found


def fold_accuracy(probs: np.ndarray, truth: np.ndarray, fold: np.ndarray, folds: int) -> list[float]:
    right = probs.argmax(1) == truth
    return [float(right[fold == k].mean()) for k in range(folds)]


def choose(options: AutoOptions, logits: dict[str, np.ndarray], truth: np.ndarray, fold: np.ndarray,
           folds: int) -> tuple[tuple[Member, ...], dict]:
    """The ensemble to train, from the out-of-fold predictions, and how every ensemble scored.

    The best mean fold accuracy (ties: lower log loss) sets the bar; of the ensembles within one standard error
    of it (the folds cannot tell them apart), the one of most members wins (then accuracy, log loss): averaging
    more of the candidates is steadier than the best of a few scores on 26-sentence folds. Measured on the
    stand-in splits' training sentences, each choice made on four folds and scored on the fifth: 76.1% for
    this rule, 75.6% for the best score, on the same candidates."""
    scored, table = [], {}
    for members in _ensembles(options):
        probs = ensemble_probabilities([logits[m.name] for m in members])
        accuracy = fold_accuracy(probs, truth, fold, folds)
        mean, error = statistics.mean(accuracy), statistics.stdev(accuracy) / math.sqrt(folds)
        table[" + ".join(m.name for m in members)] = round(mean, 4)
        scored.append((round(mean, 6), -round(log_loss(probs, truth), 6), error, members))
    best = max(scored, key=lambda row: row[:2])
    near = [row for row in scored if row[0] >= best[0] - best[2] - 1e-9]
    return max(near, key=lambda row: (len(row[3]), *row[:2]))[3], table


def select(options: AutoOptions, examples: list[Example], labels: list[str], steer: Steering) -> dict:
    """Cross-validate, choose, calibrate: the JSON summary stored with the model (``members`` included)."""
    folds = fold_count(examples, options.folds)
    if folds < 2:
        log.warning("a class has a single sentence: no cross-validation, V1 trains on everything")
        anchor = next((c for c in options.candidates if c.name == ANCHOR), options.candidates[0])
        epochs = max(anchor.epochs)
        return {"method": "none (a class has a single sentence)", "folds": 0, "sentences": len(examples),
                "choice": f"{anchor.name}@{epochs}", "members": [{"candidate": anchor.name, "epochs": epochs}],
                "temperature": 1.0}
    logits, fold = cross_validate(options, examples, labels, folds, steer)
    truth, fold = np.array([labels.index(e.label) for e in examples]), np.array(fold)
    members, table = choose(options, logits, truth, fold, folds)
    chosen = [logits[m.name] for m in members]
    raw = ensemble_probabilities(chosen)
    accuracy = fold_accuracy(raw, truth, fold, folds)
    confusion = classification_report(truth.tolist(), raw.argmax(1).tolist(), labels)["confusion"]
    v1 = max((v for k, v in table.items() if k.startswith(f"{ANCHOR}@") and "+" not in k), default=None)
    return {"method": f"stratified {folds}-fold cross-validation", "folds": folds, "sentences": len(examples),
            "choice": " + ".join(m.name for m in members), "accuracy": statistics.mean(accuracy),
            "spread": statistics.pstdev(accuracy), "fold_accuracy": accuracy, "anchor": ANCHOR, "anchor_accuracy": v1,
            "members": [{"candidate": m.candidate, "epochs": m.epochs, "seed": seed}
                        for m in members for seed in range(options.seeds)],
            **calibrate(chosen, truth), "labels": labels,
            "confusion": confusion, "candidates": dict(sorted(table.items(), key=lambda kv: -kv[1]))}


def member_dir(out_dir: Path, index: int) -> Path:
    """Member 0 is the checkpoint itself; the others are sub-checkpoints beside it."""
    return out_dir if index == 0 else out_dir / "members" / str(index)


def train_auto(options: AutoOptions, examples: list[Example], out_dir: str | Path | None,
               progress: Progress | None = None, resume: bool = False, callbacks: tuple[Callback, ...] = (),
               stop: Callable[[], str | None] | None = None) -> tuple[EmojiModel, dict]:
    """Choose (or, resuming, reuse the stored choice), then train the members on every sentence.

    ``callbacks`` and ``stop``: see ``Steering``; a stop raises ``TrainingStopped``, and what ``out_dir`` then
    holds is no finished model (perhaps some members, or part of one): the caller must not use it."""
    from nlp_rnn import checkpoint
    from nlp_rnn.emojify.model import assemble, load
    from nlp_rnn.train_state import RESUME

    labels = sorted({e.label for e in examples}, key=label_order)
    if len(labels) < 2:
        raise UserError("training needs at least two different labels")
    steer = Steering(progress or (lambda done, total, what: log.info("%d/%d %s", done, total, what)),
                     tuple(callbacks), stop)
    out = Path(out_dir) if out_dir is not None else None
    with one_thread():
        summary = _stored_choice(options, out) if resume and out is not None else None
        summary = summary or select(options, examples, labels, steer)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            checkpoint.atomic_write_bytes(out / CHOICE, json.dumps(summary, indent=1).encode())
        candidates, models = {c.name: c for c in options.candidates}, []
        runs, count = summary["folds"] * len(options.candidates), len(summary["members"])
        # the others first: member 0's manifest, written last, is the commit point of the whole ensemble
        for index, member in reversed(list(enumerate(summary["members"]))):
            what = (f"training member {count - index} of {count}: {member['candidate']}, {member['epochs']} epochs, "
                    f"seed {options.seed + member.get('seed', 0)}")
            steer.report(runs + count - 1 - index, runs + count, what)
            where = member_dir(out, index) if out is not None else None
            run = _run_options(options, candidates[member["candidate"]], member["epochs"], member.get("seed", 0))
            again = resume and where is not None and checkpoint.exists(where, RESUME)
            extra = {"auto": summary} if index == 0 else None
            models.insert(0, train(run, examples, [], where, callbacks=steer.callbacks, progress=False, resume=again,
                                   extra=extra)[0])
            steer.check(what)
    return (load(out) if out is not None else assemble(models, summary)), summary


CHOICE = "auto.json"  # the stored choice, so that --resume trains the same members without cross-validating again


def _stored_choice(options: AutoOptions, out: Path) -> dict | None:
    path = out / CHOICE
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text("utf-8"))
        members = summary["members"]
        known = {c.name for c in options.candidates}
        if not members or not all(m["candidate"] in known and type(m["epochs"]) is int and m["epochs"] > 0
                                  and type(m.get("seed", 0)) is int and m.get("seed", 0) >= 0 for m in members):
            raise ValueError("members")
    except (ValueError, KeyError, TypeError):
        raise DataError(path, "damaged or from other options", "train afresh without --resume") from None
    return summary


def summary_lines(auto: dict) -> list[str]:
    """The stored choice in words (the CLI prints these after train and before evaluate)."""
    runs = Counter(f"{m['candidate']} ({m['epochs']} epochs" for m in auto["members"])
    members = ", ".join(f"{name}{f', {n} seeds' if n > 1 else ''})" for name, n in runs.items())
    if not auto.get("folds"):
        return [f"model: {members}; no cross-validation: {auto['method']}"]
    alone = auto.get("anchor_accuracy", auto.get("v1_accuracy"))  # v1_accuracy: checkpoints before the anchor's rename
    v1 = f"; {auto.get('anchor', 'v1')} alone {alone:.3f}" if alone is not None else ""
    return [f"model: {auto['choice']}, chosen by {auto['method']} on {auto['sentences']} sentences: "
            f"accuracy {auto['accuracy']:.3f} ± {auto['spread']:.3f}{v1}",
            f"members: {members}; temperature {auto['temperature']:.2f} (on the folds: "
            + (f"log loss {auto['nll']:.3f} → {auto['nll_calibrated']:.3f}, " if "nll" in auto else "")
            + f"ECE {auto['ece']:.3f} → {auto['ece_calibrated']:.3f})"]
