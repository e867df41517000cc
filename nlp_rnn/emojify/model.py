"""An Emojify model: tokenizer + word indices + classifier + labels, saved as one checkpoint.

Two embedding layouts (see ``embeddings.torch_layer``):
- frozen vectors (default): the full vector vocabulary, shared across models and *not* stored in
  the checkpoint (the checkpoint names the vectors spec instead); words the vectors lack are dropped;
- trainable vectors: a layer restricted to the training words, stored with the model; words
  outside it map to <unk>.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from nlp_rnn.devices import to_model
from nlp_rnn.emojify.labels import emoji_for
from nlp_rnn.errors import DataError
from nlp_rnn.models.classifier import Classifier
from nlp_rnn.models.store import load_model
from nlp_rnn.text import Tokenizer
from nlp_rnn.threads import one_thread
from nlp_rnn.vocab import Vocabulary

TOKENIZER = Tokenizer("word", lower=True, split_punctuation=True)
_lock = threading.Lock()
# Batches up to this many (sentences × length) run on one torch thread. Every op of these small models
# is a few microseconds of arithmetic, and splitting it over intra-op threads makes it wait for a core:
# with the other core busy (a second job, a browser), explaining ran at 5-7 sentences/s on 2 threads and
# 180 on one (measured on the shared 2-core machine; README, Emojify throughput). Bigger batches keep
# the caller's threads (the CLI's workers already run one thread each).
ONE_THREAD_TOKENS = 16_384


@functools.lru_cache(maxsize=2)
def frozen_vectors(spec: str) -> tuple[list[str], torch.nn.Embedding]:
    """(the vectors' words, their full frozen embedding layer: row 0 padding, row i + 1 word i), built once
    per process (read-only). The packaged default is read from its files without gensim, so that
    commands which only classify skip gensim's import (about a second)."""
    from embeddings import packaged

    if spec == packaged.NAME:
        words, vectors = packaged.arrays()
    else:
        from embeddings import load_vectors

        kv = load_vectors(spec)
        words, vectors = kv.index_to_key, kv.vectors
    matrix = np.zeros((len(words) + 1, vectors.shape[1]), dtype=np.float32)  # (words + 1, dim)
    matrix[1:] = vectors
    return words, torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=True, padding_idx=0)


def shared_vectors_layer(spec: str):
    """The vectors (gensim, for training) and the shared frozen layer of ``spec``."""
    from embeddings import load_vectors

    return load_vectors(spec), frozen_vectors(spec)[1]


@functools.lru_cache(maxsize=2)
def shared_rows(spec: str) -> dict[str, int]:
    """word → its row in ``frozen_vectors(spec)``'s layer (the vectors' index + 1: row 0 is padding)."""
    return {word: i + 1 for i, word in enumerate(frozen_vectors(spec)[0])}


@dataclass
class EmojiModel:
    classifier: Classifier
    labels: list[str]  # class names, in output order
    vectors: str  # vectors spec the model was trained with
    vocabulary: Vocabulary | None = None  # restricted layout only
    tokenizer: Tokenizer = TOKENIZER
    members: list[Classifier] = field(default_factory=list)  # an ensemble's other classifiers (same inputs)
    temperature: float = 1.0  # logits are divided by it before the softmax (fitted on cross-validation folds)
    auto: dict | None = None  # --model auto: the choice, its cross-validation result and the members

    @property
    def classifiers(self) -> list[Classifier]:
        return [self.classifier, *self.members]

    @functools.cached_property
    def emojis(self) -> list[str]:
        return [emoji_for(label) for label in self.labels]

    def _index(self) -> dict[str, int]:
        """token → embedding row: the vocabulary's, or the shared vectors' rows."""
        if self.vocabulary is not None:
            return self.vocabulary.token_to_index
        with _lock:
            return shared_rows(self.vectors)

    def token_ids(self, tokens: list[str], index: dict[str, int] | None = None) -> list[int]:
        """Indices of the tokens the model sees (frozen layout: known words only)."""
        get = (index or self._index()).get
        if self.vocabulary is not None:
            return [get(t, 1) for t in tokens]
        return [i for i in map(get, tokens) if i]  # rows start at 1; None = not in the vectors

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Texts → padded indices (batch, longest) and lengths (a sentence of no known word is one pad).

        The whole batch is tokenized and looked up in one pass (``Tokenizer.lines``) and split back
        into sentences with numpy: 3 µs a sentence, against 9 for a tokenizer call and lookup each.
        """
        tokens, unknown = self.tokenizer.lines(texts), 0 if self.vocabulary is None else 1
        ids = np.fromiter(map(self._index().get, tokens, itertools.repeat(unknown)), dtype=np.int64, count=len(tokens))
        ends = np.fromiter(map("\n".__eq__, tokens), dtype=bool, count=len(tokens))
        seen = ~ends & (ids > 0)  # frozen layout: words the vectors lack are dropped
        sentence = (np.cumsum(ends) - ends)[seen]  # the sentence of each token seen
        counts = np.bincount(sentence, minlength=len(texts))
        lengths = np.maximum(counts, 1)
        padded = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
        padded[sentence, np.arange(sentence.size) - (np.cumsum(counts) - counts)[sentence]] = ids[seen]
        return torch.from_numpy(padded), torch.from_numpy(lengths)

    @torch.no_grad()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        """(len(texts), classes) softmax probabilities."""
        return self.probabilities_of(*self.batch(texts))

    @torch.no_grad()
    def probabilities_of(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Probabilities for an encoded batch (``batch``'s output): each member's tempered softmax, averaged.

        A recurrent model reads the sentences of each length together: no padding to skip, so no
        packed sequences, which cost more than the whole LSTM for short sentences on a CPU.
        """
        tokens, lengths = to_model(self.classifier, (tokens, lengths))
        small = tokens.numel() <= ONE_THREAD_TOKENS and tokens.device.type == "cpu"
        with one_thread() if small else contextlib.nullcontext():
            return self._average(tokens, lengths)

    def _average(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        probs = torch.zeros(len(lengths), self.classifier.config.num_classes, device=lengths.device)
        groups = None
        for classifier in self.classifiers:
            classifier.eval()
            if classifier.encoder is None:
                probs += torch.softmax(classifier(tokens, lengths).float() / self.temperature, dim=-1)
                continue
            groups = groups or [(lengths == n).nonzero().squeeze(1) for n in lengths.unique().tolist()]
            for rows in groups:
                length = int(lengths[rows[0]])
                logits = classifier(tokens[rows, :length], lengths[rows]).float()
                probs[rows] += torch.softmax(logits / self.temperature, dim=-1)
        probs = probs.cpu()  # callers read rows as numpy
        return probs / len(self.classifiers) if self.members else probs


def save_info(model: EmojiModel) -> dict:
    """What ``save_model`` needs besides the classifier (the training engine passes it on)."""
    from nlp_rnn.vectors_spec import stored_spec

    exclude = ("embedding.weight",) if model.vocabulary is None else ()
    return {"vocabulary": model.vocabulary, "labels": model.labels, "exclude": exclude,
            "extra": {"vectors": stored_spec(model.vectors), "tokenizer": asdict(model.tokenizer), "app": "emojify"}}


def load(directory: str | Path, device: str | None = None) -> EmojiModel:
    """Load an Emojify model directory onto ``device`` (see ``devices.resolve``); raises DataError
    (or VectorsError) with the fix."""
    from nlp_rnn.models.classifier import ClassifierConfig
    from nlp_rnn.vectors_spec import resolve_stored

    def make(meta: dict) -> Classifier:
        try:
            config = ClassifierConfig(**meta["config"])
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(directory, f"not an Emojify model ({error})", "train one with nlp-rnn emojify train") from None
        if "embedding.weight" in meta.get("external", []):
            with _lock:
                _, embedding = frozen_vectors(resolve_stored(directory, meta["extra"].get("vectors")))
            return Classifier(config, embedding=embedding)
        return Classifier(config)

    loaded = load_model(directory, kind="classifier", make=make, device=device)
    vectors = resolve_stored(directory, loaded.extra.get("vectors", "glove-6b-50d"), need_file=loaded.vocabulary is None)
    model = EmojiModel(loaded.model, loaded.labels, vectors, loaded.vocabulary,
                       Tokenizer(**loaded.extra.get("tokenizer", asdict(TOKENIZER))))
    auto = loaded.extra.get("auto")
    return _with_members(model, auto, Path(directory), device) if auto is not None else model


def _with_members(model: EmojiModel, auto: dict, directory: Path, device: str | None = None) -> EmojiModel:
    """An --model auto checkpoint: its other members live in ``members/1``, ``members/2``, ... beside it."""
    source = directory / "checkpoint.json"
    try:
        count, temperature = len(auto["members"]), float(auto.get("temperature", 1.0))
        if not 0.01 <= temperature <= 100 or not 1 <= count <= 16:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise DataError(source, "damaged ensemble description (extra.auto)", "retrain the model") from None
    others = [_load_member(directory / "members" / str(i), model, device) for i in range(1, count)]
    return EmojiModel(model.classifier, model.labels, model.vectors, model.vocabulary, model.tokenizer, others,
                      temperature, auto)


def _load_member(directory: Path, top: EmojiModel, device: str | None = None) -> Classifier:
    member = load(directory, device)
    same_words = (member.vocabulary is None) == (top.vocabulary is None) and (
        top.vocabulary is None or member.vocabulary.index_to_token == top.vocabulary.index_to_token)
    if member.labels != top.labels or member.vectors != top.vectors or member.tokenizer != top.tokenizer or not same_words:
        raise DataError(directory, "ensemble member does not match the model it belongs to", "retrain the model")
    return member.classifier


def assemble(models: list[EmojiModel], auto: dict) -> EmojiModel:
    """One ensemble from models trained in memory (same labels and inputs), as ``load`` would build it."""
    top = models[0]
    return EmojiModel(top.classifier, top.labels, top.vectors, top.vocabulary, top.tokenizer,
                      [m.classifier for m in models[1:]], float(auto.get("temperature", 1.0)), auto)
