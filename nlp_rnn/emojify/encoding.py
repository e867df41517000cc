"""Sentences → word indices, and the shared word vectors, without torch: both the torch model
(``model.EmojiModel``) and the numpy one (``numpy_model``) encode through here, so they see the same rows."""

from __future__ import annotations

import functools
import itertools
import threading

import numpy as np

from nlp_rnn.emojify.labels import emoji_for
from nlp_rnn.text import Tokenizer

TOKENIZER = Tokenizer("word", lower=True, split_punctuation=True)
# lru_cache alone would let two threads read a spec's 400,000 vectors, or build their index or layer, at once; one
# lock for all of them (reentrant: the index and the torch layer are built from vector_arrays under it)
VECTORS_LOCK = threading.RLock()
# A negation's scope (``negation_scope``): the words after one of these up to the next punctuation mark or the
# sentence's end. The set screened by cross-validation (README, "Emojify default (`--model auto`), measured").
NEGATIONS = frozenset({"not", "n't", "never", "no", "nothing", "nobody", "cannot", "without", "nor"})
SCOPE_ENDS = frozenset({",", ".", "!", "?", ";", ":", "\n"})  # "\n": the end of a sentence in ``Tokenizer.lines``


def vector_arrays(spec: str) -> tuple[list[str], np.ndarray]:
    """(the vectors' words, their (words, dim) float32 matrix), read once per process (read-only). The
    packaged default is read from its files without gensim, so that commands which only classify skip
    gensim's import (about a second)."""
    with VECTORS_LOCK:
        return _vector_arrays(spec)


@functools.lru_cache(maxsize=2)
def _vector_arrays(spec: str) -> tuple[list[str], np.ndarray]:
    from embeddings import packaged

    if spec == packaged.NAME:
        return packaged.arrays()
    from embeddings import load_vectors

    kv = load_vectors(spec)
    return kv.index_to_key, kv.vectors


@functools.lru_cache(maxsize=2)
def _rows(spec: str) -> dict[str, int]:
    return {word: i + 1 for i, word in enumerate(vector_arrays(spec)[0])}


def shared_rows(spec: str) -> dict[str, int]:
    """word → its row in the frozen layout (the vectors' index + 1: row 0 is padding)."""
    with VECTORS_LOCK:
        return _rows(spec)


def negation_scope(tokens: list[str]) -> np.ndarray:
    """(tokens,) bool: True on the words in a negation's scope, those after a word of ``NEGATIONS`` up to the next
    of ``SCOPE_ENDS`` ("I am not happy, I am sad": "happy" only). A token is in scope when the last negation before
    it comes after the last scope end; negations and ends themselves never are."""
    count = len(tokens)
    negation = np.fromiter(map(NEGATIONS.__contains__, tokens), dtype=bool, count=count)
    if not negation.any():  # most batches of one sentence: the rest would cost as much as the lookup
        return negation
    at, end = np.arange(count), np.fromiter(map(SCOPE_ENDS.__contains__, tokens), dtype=bool, count=count)
    last_negation, last_end = np.maximum.accumulate(np.where(negation, at, -1)), np.maximum.accumulate(np.where(end, at, -1))
    return (last_negation > last_end) & ~negation & ~end


def encode(tokenizer: Tokenizer, index: dict[str, int], texts: list[str], unknown: int,
           scope_offset: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Texts → padded indices (batch, longest) and lengths (batch,), int64 (a sentence of no known word is one pad).

    ``unknown``: the index of a token ``index`` lacks, 0 to drop it (frozen layout). ``scope_offset``: added to
    the index of every word in a negation's scope (``negation_scope``), which the classifiers take off again
    (``ClassifierConfig.negation``). The whole batch is tokenized and looked up in one pass (``Tokenizer.lines``)
    and split back into sentences with numpy: 3 µs a sentence, against 9 for a tokenizer call and lookup each.
    """
    tokens = tokenizer.lines(texts)
    ids = np.fromiter(map(index.get, tokens, itertools.repeat(unknown)), dtype=np.int64, count=len(tokens))
    ends = np.fromiter(map("\n".__eq__, tokens), dtype=bool, count=len(tokens))
    seen = ~ends & (ids > 0)  # frozen layout: words the vectors lack are dropped
    if scope_offset:
        ids[seen & negation_scope(tokens)] += scope_offset
    sentence = (np.cumsum(ends) - ends)[seen]  # the sentence of each token seen
    counts = np.bincount(sentence, minlength=len(texts))
    lengths = np.maximum(counts, 1)
    padded = np.zeros((len(texts), int(lengths.max())), dtype=np.int64)
    padded[sentence, np.arange(sentence.size) - (np.cumsum(counts) - counts)[sentence]] = ids[seen]
    return padded, lengths


class Words:
    """What the torch and the numpy model do alike with words and labels; a subclass has ``labels``,
    ``vectors`` (spec), ``vocabulary`` (None: the frozen layout of the shared vectors), ``tokenizer`` and
    ``classifiers`` (each with its ``config``)."""

    @functools.cached_property
    def emojis(self) -> list[str]:
        return [emoji_for(label) for label in self.labels]

    def _index(self) -> dict[str, int]:
        """token → embedding row: the vocabulary's, or the shared vectors' rows."""
        if self.vocabulary is not None:
            return self.vocabulary.token_to_index
        return shared_rows(self.vectors)

    def token_ids(self, tokens: list[str], index: dict[str, int] | None = None) -> list[int]:
        """Indices of the tokens the model sees (frozen layout: known words only)."""
        get = (index or self._index()).get
        if self.vocabulary is not None:
            return [get(t, 1) for t in tokens]
        return [i for i in map(get, tokens) if i]  # rows start at 1; None = not in the vectors

    def sees(self, word: str) -> bool:
        """Whether the model reads ``word``: the shared vectors have it (else ``token_ids`` drops it; their row 1 is
        "the"), or its own vocabulary does (else it reads <unk>)."""
        ids = self.token_ids([word])
        return bool(ids) and (self.vocabulary is None or ids != [self.vocabulary.unk_index])

    @property
    def scope_offset(self) -> int | None:
        """What ``encode`` adds to a word's index in a negation's scope: the embedding's rows, when a classifier
        reads negation (``ClassifierConfig.negation``; the others take it off again), else None."""
        configs = [classifier.config for classifier in self.classifiers]
        return configs[0].vocab_size if any(config.negation for config in configs) else None

    def encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Texts → padded indices (batch, longest) and lengths (see ``encode``)."""
        return encode(self.tokenizer, self._index(), texts, 0 if self.vocabulary is None else 1, self.scope_offset)
