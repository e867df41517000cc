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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from nlp_rnn.devices import to_model
from nlp_rnn.emojify.encoding import TOKENIZER, VECTORS_LOCK, Words, shared_rows, vector_arrays  # noqa: F401 (shared_rows: public here too)
from nlp_rnn.emojify.members import load_members
from nlp_rnn.errors import DataError
from nlp_rnn.models.classifier import Classifier
from nlp_rnn.models.store import load_model
from nlp_rnn.text import Tokenizer
from nlp_rnn.threads import one_thread
from nlp_rnn.vocab import Vocabulary

# Batches up to this many (sentences × length) run on one torch thread. Every op of these small models
# is a few microseconds of arithmetic, and splitting it over intra-op threads makes it wait for a core:
# with the other core busy (a second job, a browser), explaining ran at 5-7 sentences/s on 2 threads and
# 180 on one (measured on the shared 2-core machine; README, Emojify throughput). Bigger batches keep
# the caller's threads (the CLI's workers already run one thread each).
ONE_THREAD_TOKENS = 16_384


@functools.lru_cache(maxsize=2)
def frozen_vectors(spec: str) -> tuple[list[str], torch.nn.Embedding]:
    """(the vectors' words, their full frozen embedding layer: row 0 padding, row i + 1 word i), built once
    per process (read-only), from ``encoding.vector_arrays``."""
    words, vectors = vector_arrays(spec)
    matrix = np.zeros((len(words) + 1, vectors.shape[1]), dtype=np.float32)  # (words + 1, dim)
    matrix[1:] = vectors
    return words, torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=True, padding_idx=0)


def shared_vectors_layer(spec: str):
    """The vectors (gensim, for training) and the shared frozen layer of ``spec``."""
    from embeddings import load_vectors

    return load_vectors(spec), frozen_vectors(spec)[1]


@dataclass
class EmojiModel(Words):
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

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Texts → padded indices (batch, longest) and lengths (see ``encoding.encode``)."""
        padded, lengths = self.encode(texts)
        return torch.from_numpy(padded), torch.from_numpy(lengths)

    @torch.no_grad()
    def attention_weights(self, text: str) -> list[float] | None:
        """The attention weight of each word the model sees in ``text``, for a single attention-pooled model; else None."""
        if self.members or self.classifier.attention is None:
            return None
        self.classifier.eval()
        _, weights = self.classifier.pool(*to_model(self.classifier, self.batch([text])))
        return weights[0].tolist()

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
            with VECTORS_LOCK:
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
    """An --model auto checkpoint: its other members live beside it (see ``members``)."""
    others, temperature = load_members(auto, directory, model, lambda folder: load(folder, device))
    return EmojiModel(model.classifier, model.labels, model.vectors, model.vocabulary, model.tokenizer, others,
                      temperature, auto)


def assemble(models: list[EmojiModel], auto: dict) -> EmojiModel:
    """One ensemble from models trained in memory (same labels and inputs), as ``load`` would build it."""
    top = models[0]
    return EmojiModel(top.classifier, top.labels, top.vectors, top.vocabulary, top.tokenizer,
                      [m.classifier for m in models[1:]], float(auto.get("temperature", 1.0)), auto)
