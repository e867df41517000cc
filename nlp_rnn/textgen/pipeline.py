"""Text generation end to end: corpus → vocabulary → language model → checkpoint → text."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from nlp_rnn import checkpoint
from nlp_rnn.errors import UserError
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.models.store import load_model
from nlp_rnn.sampling import SampleConfig, generate
from nlp_rnn.seeding import seed_everything
from nlp_rnn.text import EOS, Tokenizer
from nlp_rnn.textgen.corpus import read_text
from nlp_rnn.textgen.data import build_vocabulary, encode, split_tail, tokenize_corpus
from nlp_rnn.textgen.presets import DEFAULT_PRESET, PRESETS
from nlp_rnn.textgen.task import LanguageModelTask, cross_entropy
from nlp_rnn.training import Callback, TrainConfig, Trainer
from nlp_rnn.vocab import Vocabulary


@dataclass(frozen=True)
class TextOptions:
    corpus: str = "lee"  # file, folder of .txt, or "lee" (built in)
    valid: str | None = None  # validation corpus; None = the last 10% of the corpus
    test: str | None = None  # test corpus, evaluated at the end
    level: str = "char"  # "char" or "word"
    preset: str | None = None  # ptb-small | ptb-medium | char-small; None = the level's default
    lower: bool = False  # lower-case the text
    max_vocab: int | None = None  # word level: keep the most frequent (rest → <unk>)
    min_freq: int = 1  # word level: rarer words → <unk>
    overrides: tuple = ()  # (name, value) pairs over the preset: cell, layers, hidden, embed, dropout, ...
    tied: bool = False  # tie embedding and output weights (needs embed == hidden)
    max_minutes: float | None = None
    max_steps: int | None = None
    seed: int = 0


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
    return chosen


def prepare(options: TextOptions, split_punctuation: bool, vocabulary: Vocabulary | None = None):
    """Tokenize the corpora; build (or reuse) the vocabulary; return ids and the tokenizer."""
    tokenizer = Tokenizer(options.level, lower=options.lower, split_punctuation=split_punctuation)
    tokens = tokenize_corpus(read_text(options.corpus), tokenizer)
    if options.valid:
        train_tokens, valid_tokens = tokens, tokenize_corpus(read_text(options.valid), tokenizer)
    else:
        train_tokens, valid_tokens = split_tail(tokens, 0.1)
    vocabulary = vocabulary or build_vocabulary(train_tokens, options.level, options.max_vocab, options.min_freq)
    return tokenizer, vocabulary, encode(train_tokens, vocabulary), encode(valid_tokens, vocabulary)


def train_text(options: TextOptions, out_dir: str | Path, resume: bool = False, callbacks: list[Callback] = (),
               progress: bool = True) -> tuple[TextModel, list[dict], dict]:
    """Train (or resume) a language model into ``out_dir``; returns the best model, the history and,
    with ``options.test``, the test metrics."""
    s = settings(options)
    vocabulary = load_text_model(out_dir).vocabulary if resume and checkpoint.exists(out_dir) else None
    tokenizer, vocabulary, train_ids, valid_ids = prepare(options, s.get("split_punctuation", True), vocabulary)
    if train_ids.numel() < 2 * s["batch_size"] or valid_ids.numel() < 20:
        raise UserError("the corpus is too small for these batch settings; give more text or a smaller --batch-size")
    seed_everything(options.seed)
    config = LanguageModelConfig(vocab_size=len(vocabulary), embed_dim=s["embed"], hidden_size=s["hidden"],
                                 num_layers=s["layers"], cell=s["cell"], dropout=s["dropout"],
                                 tie_weights=options.tied, init_range=s["init_range"])
    try:
        model = LanguageModel(config)
    except ValueError as error:
        raise UserError(f"{error} (use --embed equal to --hidden with --tied)") from None
    task = LanguageModelTask(train_ids, valid_ids, batch_size=s["batch_size"], bptt=s["bptt"],
                             eval_batch_size=min(10, s["batch_size"]))
    train_config = TrainConfig(epochs=s["epochs"], max_minutes=options.max_minutes, max_steps=options.max_steps,
                               optimizer=s["optimizer"], lr=s["lr"], clip_grad_norm=s["clip"],
                               lr_schedule="step" if s["lr_decay"] < 1 else "constant", lr_decay=s["lr_decay"],
                               lr_decay_start=s["lr_decay_start"], seed=options.seed, progress=progress)
    info = {"vocabulary": vocabulary, "extra": {"tokenizer": dataclasses.asdict(tokenizer), "app": "textgen",
                                                "options": dataclasses.asdict(options)}}
    trainer = Trainer(model, task, train_config, out_dir=out_dir, model_info=info, callbacks=callbacks)
    if resume:
        trainer.resume()
    history = trainer.fit()
    best = load_text_model(out_dir)
    test = evaluate_text(best, read_text(options.test)) if options.test else {}
    return best, history, test


def load_text_model(directory: str | Path) -> TextModel:
    loaded = load_model(directory, kind="language_model")
    if loaded.vocabulary is None:
        raise UserError(f"{directory}: the model has no vocabulary; train it with nlp-rnn text train")
    return TextModel(loaded.model, loaded.vocabulary, Tokenizer(**loaded.extra.get("tokenizer", {"level": "char"})))


def evaluate_text(model: TextModel, text: str, bptt: int = 50) -> dict:
    """Perplexity, cross-entropy (nats/token), bits per character (char models) and tokens on ``text``."""
    ids = encode(tokenize_corpus(text, model.tokenizer), model.vocabulary)
    if ids.numel() < 2:
        raise UserError("the evaluation text needs at least two tokens")
    loss = cross_entropy(model.model, ids.view(1, -1), bptt)
    result = {"perplexity": math.exp(min(loss, 50.0)), "cross_entropy": loss, "tokens": int(ids.numel() - 1)}
    if model.tokenizer.level == "char":
        result["bits_per_char"] = loss / math.log(2)
    return result


def generate_text(model: TextModel, prime: str = "", length: int = 200, temperature: float = 0.8,
                  top_k: int | None = None, top_p: float | None = None, num: int = 1, seed: int | None = None) -> list[str]:
    """``num`` continuations of ``prime`` (the prime included in each). Unknown characters or words
    in the prime are read as <unk>; an empty prime starts a new line."""
    vocab, tokenizer = model.vocabulary, model.tokenizer
    tokens = tokenizer(prime) if prime else []
    start = vocab.encode(tokens) or [vocab.eos_index if vocab.eos_index is not None else _newline(vocab)]
    config = SampleConfig(max_new_tokens=length, temperature=temperature, top_k=top_k, top_p=top_p,
                          num_samples=num, seed=seed)
    rows = generate(model.model, start, config)
    return [prime + _join(tokenizer, vocab.decode(row, skip_specials=False), bool(prime)) for row in rows]


def _newline(vocab: Vocabulary) -> int:
    return vocab.token_to_index.get("\n", vocab.token_to_index.get(" ", len(vocab) - 1))


def _join(tokenizer: Tokenizer, tokens: list[str], after_prime: bool) -> str:
    text = tokenizer.detokenize([t for t in tokens if t != "<pad>"])
    if tokenizer.level == "word" and after_prime and text and not text.startswith(("\n", ",", ".", "!", "?", ";", ":")):
        text = " " + text
    return text.replace(EOS, "\n")


def next_token_candidates(model: TextModel, text: str, k: int = 10, temperature: float = 1.0) -> list[tuple[str, float]]:
    """The ``k`` most likely next tokens after ``text`` with their probabilities (textgenrnn's interactive mode)."""
    import torch

    from nlp_rnn.sampling import next_token_probabilities

    vocab = model.vocabulary
    ids = vocab.encode(model.tokenizer(text)) if text else []
    ids = ids or [vocab.eos_index if vocab.eos_index is not None else _newline(vocab)]
    with torch.no_grad():
        model.model.eval()
        logits, _ = model.model(torch.tensor([ids]))
    probs = next_token_probabilities(logits[:, -1], temperature=max(temperature, 1e-6))[0]
    probs[vocab.pad_index] = 0.0
    values, indices = probs.topk(min(k, len(vocab)))
    return [(vocab.index_to_token[i], float(p)) for p, i in zip(values.tolist(), indices.tolist())]


def append_token(model: TextModel, text: str, token: str) -> str:
    """``text`` with ``token`` added the way generation would join it."""
    if model.tokenizer.level == "char":
        return text + token
    return text + _join(model.tokenizer, [token], bool(text))
