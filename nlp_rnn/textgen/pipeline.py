"""Text generation end to end: corpus → vocabulary → language model → checkpoint → text."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from nlp_rnn import checkpoint, distributed
from nlp_rnn.errors import UserError
from nlp_rnn.models.language_model import LanguageModel
from nlp_rnn.models.store import load_model
from nlp_rnn.seeding import seed_everything
from nlp_rnn.text import Tokenizer
from nlp_rnn.textgen.corpus import MAX_CORPUS_MB, corpus_files, read_text
from nlp_rnn.textgen.data import corpus_ids, encode_ids, split_tail, vocabulary_from_ids
from nlp_rnn.textgen.presets import DEFAULT_PRESET, PRESETS
from nlp_rnn.textgen.recipe import build_model, epochs_of, training_config
from nlp_rnn.textgen.task import LanguageModelTask, cross_entropy
from nlp_rnn.training import Callback, Trainer
from nlp_rnn.vocab import Vocabulary


@dataclass(frozen=True)
class TextOptions:
    corpus: str = "lee"  # file, folder of .txt, or "lee" (built in)
    valid: str | None = None  # validation corpus; None = the last 10% of the corpus
    test: str | None = None  # test corpus, evaluated at the end
    level: str = "char"  # "char" or "word"
    preset: str | None = None  # a name in textgen.presets.PRESETS; None = the level's default
    lower: bool = False  # lower-case the text
    max_vocab: int | None = None  # word level: keep the most frequent (rest → <unk>)
    min_freq: int = 1  # word level: rarer words → <unk>
    overrides: tuple = ()  # (name, value) pairs over the preset: cell, layers, hidden, embed, dropout, clip,
    # lr_decay, lr_decay_start, warmup, schedule, lr_floor, softmax, cutoffs, ... (the keys of a preset)
    tied: bool = False  # tie embedding and output weights (needs embed == hidden)
    max_minutes: float | None = None
    max_steps: int | None = None
    seed: int = 0
    device: str | None = None  # where to train (see nlp_rnn.devices); None: $NLP_RNN_DEVICE, else auto
    precision: str = "auto"  # fp32 | bf16 | fp16 | auto: bf16 for a word model where the device computes it natively
    max_corpus_mb: float = MAX_CORPUS_MB  # each corpus's text, after decompression, at most (a gzip bomb stops here)


@dataclass
class TextModel:
    model: LanguageModel
    vocabulary: Vocabulary
    tokenizer: Tokenizer


def settings(options: TextOptions) -> dict:
    """The preset for the level, with the user's overrides."""
    name = options.preset or DEFAULT_PRESET[options.level]
    if name not in PRESETS:
        raise UserError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    chosen = {**PRESETS[name], **dict(options.overrides)}
    if chosen["level"] != options.level:
        chosen["level"] = options.level  # a preset's shape at the other level is still a valid model
    chosen["epochs"] = epochs_of(chosen, "epochs" in dict(options.overrides), options.max_minutes)
    return chosen


def precision_of(options: TextOptions) -> str:
    """The run's precision: ``auto`` is bf16 for a word model (its time goes to the softmax's matrix products)
    on a device with native bf16, fp32 otherwise (a character model's small matrices gain nothing)."""
    from nlp_rnn.devices import resolve, resolve_precision

    return resolve_precision(options.precision, resolve(options.device), matmul_bound=options.level == "word")


def prepare(options: TextOptions, split_punctuation: bool, vocabulary: Vocabulary | None = None):
    """Tokenize the corpora; build (or reuse) the vocabulary; return ids and the tokenizer."""
    tokenizer = Tokenizer(options.level, lower=options.lower, split_punctuation=split_punctuation)
    ids, distinct = corpus_ids(read_text(options.corpus, options.max_corpus_mb), tokenizer)  # int32, first-seen
    if options.valid:
        train_ids, (valid_ids, valid_distinct) = ids, corpus_ids(read_text(options.valid, options.max_corpus_mb), tokenizer)
    else:
        (train_ids, valid_ids), valid_distinct = split_tail(ids, 0.1), distinct
    vocabulary = vocabulary or vocabulary_from_ids(train_ids, distinct, options.level, options.max_vocab,
                                                   options.min_freq)
    return tokenizer, vocabulary, encode_ids(train_ids, distinct, vocabulary), \
        encode_ids(valid_ids, valid_distinct, vocabulary)


def train_text(options: TextOptions, out_dir: str | Path, resume: bool = False, callbacks: list[Callback] = (),
               progress: bool = True) -> tuple[TextModel, list[dict], dict]:
    """Train (or resume) a language model into ``out_dir``; returns the best model, the history and,
    with ``options.test``, the test metrics."""
    s = settings(options)
    resume = distributed.resuming(resume, out_dir)
    for spec in (options.corpus, options.valid, options.test):  # every input, before the first step
        if spec:
            corpus_files(spec)
    vocabulary = load_text_model(out_dir).vocabulary if resume and checkpoint.exists(out_dir) else None
    tokenizer, vocabulary, train_ids, valid_ids = prepare(options, s.get("split_punctuation", True), vocabulary)
    if train_ids.numel() < 2 * s["batch_size"] or valid_ids.numel() < 20:
        raise UserError("the corpus is too small for these batch settings; give more text or a smaller --batch-size")
    seed_everything(options.seed)
    model = build_model(s, len(vocabulary), options.tied)
    task = LanguageModelTask(train_ids, valid_ids, batch_size=s["batch_size"], bptt=s["bptt"],
                             eval_batch_size=min(10, s["batch_size"]))
    train_config = training_config(s, options.max_minutes, options.max_steps, options.seed, progress)
    train_config = dataclasses.replace(train_config, device=options.device, precision=precision_of(options))
    info = {"vocabulary": vocabulary, "extra": {"tokenizer": dataclasses.asdict(tokenizer), "app": "textgen",
                                                "options": dataclasses.asdict(options)}}
    trainer = Trainer(model, task, train_config, out_dir=out_dir, model_info=info, callbacks=callbacks)
    if resume:
        trainer.resume()
    history = trainer.fit()
    best = load_text_model(out_dir, options.device)
    test = evaluate_text(best, read_text(options.test, options.max_corpus_mb)) if options.test else {}
    return best, history, test


def load_text_model(directory: str | Path, device: str | None = None) -> TextModel:
    """The language model saved in ``directory``, on ``device`` (see ``devices.resolve``)."""
    loaded = load_model(directory, kind="language_model", device=device)
    if loaded.vocabulary is None:
        raise UserError(f"{directory}: the model has no vocabulary; train it with nlp-rnn text train")
    return TextModel(loaded.model, loaded.vocabulary, Tokenizer(**loaded.extra.get("tokenizer", {"level": "char"})))


def evaluate_text(model: TextModel, text: str, bptt: int = 50) -> dict:
    """Perplexity, cross-entropy (nats/token), bits per character (char models) and tokens on ``text``."""
    ids = encode_ids(*corpus_ids(text, model.tokenizer), model.vocabulary)
    if ids.numel() < 2:
        raise UserError("the evaluation text needs at least two tokens")
    loss = cross_entropy(model.model, ids.view(1, -1), bptt)
    result = {"perplexity": math.exp(min(loss, 50.0)), "cross_entropy": loss, "tokens": int(ids.numel() - 1)}
    if model.tokenizer.level == "char":
        result["bits_per_char"] = loss / math.log(2)
    return result
