"""An Emojify model read and run with numpy alone: what ``model.EmojiModel`` computes, without importing torch.

The commands that only classify (``nlp-rnn emojify classify``, ``evaluate``, ``explain``) use it when they
run on the CPU in fp32 (``nlp_rnn.engines``): importing torch is about 1.9 s of CPU, most of their start-up
on a small input. The checkpoint is the same folder (JSON + safetensors, read by ``checkpoint.load_arrays``,
never unpickled) with the same checks as the torch loader; every classifier kind, ensembles (members'
tempered probabilities averaged) and the fitted temperature are covered (``numpy_classifier``), and
``tests/test_emojify_numpy.py`` holds the probabilities to torch's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nlp_rnn import checkpoint
from nlp_rnn.emojify.calibration import softmax
from nlp_rnn.emojify.encoding import TOKENIZER, Words, vector_arrays
from nlp_rnn.emojify.members import load_members
from nlp_rnn.emojify.numpy_classifier import NumpyClassifier, Tokens, classifier_shapes
from nlp_rnn.errors import DataError
from nlp_rnn.models.classifier_config import ClassifierConfig
from nlp_rnn.models.model_meta import check_kind, check_model_meta, check_shapes
from nlp_rnn.text import Tokenizer
from nlp_rnn.vocab import Vocabulary

# Tokens classified together (a longer sentence goes alone): the working arrays stay in the CPU's caches (the
# default ensemble, bare model, one core: about 35,000 sentences/s in chunks of 1,024-2,048 sentences, 5,500-11,000
# tokens, against 7,000 in one of 8,192), and the memory each worker's allocator keeps stays small.
CHUNK_TOKENS = 8192


@dataclass
class NumpyEmojiModel(Words):
    classifiers: list[NumpyClassifier]  # the first, then an ensemble's other members (same inputs)
    labels: list[str]  # class names, in output order
    vectors: str  # vectors spec the model was trained with
    vocabulary: Vocabulary | None = None  # restricted layout only
    tokenizer: Tokenizer = TOKENIZER
    temperature: float = 1.0  # logits are divided by it before the softmax
    auto: dict | None = None  # --model auto: the choice, its cross-validation result and the members

    @property
    def classifier(self) -> NumpyClassifier:
        return self.classifiers[0]

    @property
    def members(self) -> list[NumpyClassifier]:
        return self.classifiers[1:]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(len(texts), classes) float32 softmax probabilities."""
        return self.probabilities_of(*self.encode(texts))

    def probabilities_of(self, padded: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Probabilities for an encoded batch: each member's tempered softmax, averaged (as ``EmojiModel``)."""
        ends = np.cumsum(lengths)
        if ends[-1] > CHUNK_TOKENS and len(lengths) > 1:
            cuts = np.searchsorted(ends, np.arange(CHUNK_TOKENS, ends[-1], CHUNK_TOKENS), side="right")
            bounds = np.unique(np.concatenate([[0], cuts, [len(lengths)]]))
            return np.concatenate([self.probabilities_of(padded[start:stop, : lengths[start:stop].max()], lengths[start:stop])
                                   for start, stop in zip(bounds[:-1], bounds[1:])])
        tokens, looked_up = Tokens.of(padded, lengths), {}
        probs = np.zeros((len(lengths), len(self.labels)), dtype=np.float32)
        for classifier in self.classifiers:
            key = id(classifier.embedding)  # members of the frozen layout share the vectors: look words up once
            if key not in looked_up:
                looked_up[key] = classifier.rows(tokens.unique)
            probs += softmax(classifier.forward(tokens, looked_up[key])[0], self.temperature)
        return probs / len(self.classifiers) if self.members else probs

    def attention_weights(self, text: str) -> list[float] | None:
        """The attention weight of each word the model sees in ``text``, for a single attention-pooled model; else None."""
        if self.members or self.classifier.attention is None:
            return None
        _, weights = self.classifier.forward(Tokens.of(*self.encode([text])))
        return weights.tolist()


def load(directory: str | Path) -> NumpyEmojiModel:
    """Load an Emojify model directory for numpy; raises DataError (or VectorsError) with the fix, as ``model.load``."""
    directory = Path(directory)
    meta, tensors = checkpoint.load_arrays(directory)
    source = directory / checkpoint.CHECKPOINT
    config = _config(meta, directory, source)
    weights = tensors.get("model", {})
    external = set(meta.get("external", []))
    check_shapes(classifier_shapes(config), weights, external, source)  # a tied (aliased) weight would be missing
    extra = meta.get("extra", {})
    vocabulary = Vocabulary.from_dict(meta["vocabulary"], source) if meta.get("vocabulary") is not None else None
    from nlp_rnn.vectors_spec import resolve_stored

    vectors = resolve_stored(directory, extra.get("vectors", "glove-6b-50d"), need_file=vocabulary is None)
    embedding, offset = (_shared(vectors, config, source), 1) if "embedding.weight" in external else \
        (weights["embedding.weight"], 0)
    model = NumpyEmojiModel([NumpyClassifier(config, weights, embedding, offset)], meta.get("labels"), vectors,
                            vocabulary, Tokenizer(**extra.get("tokenizer", asdict(TOKENIZER))))
    auto = extra.get("auto")
    if auto is None:
        return model
    members, temperature = load_members(auto, directory, model, load)
    return NumpyEmojiModel([model.classifier, *members], model.labels, vectors, vocabulary, model.tokenizer,
                           temperature, auto)


def _config(meta: dict, directory: Path, source: Path) -> ClassifierConfig:
    check_kind(meta, "classifier", directory, source)
    check_model_meta(meta, source, ClassifierConfig)
    try:
        return ClassifierConfig(**meta["config"])
    except (TypeError, ValueError) as error:
        raise DataError(directory, f"not an Emojify model ({error})", "train one with nlp-rnn emojify train") from None


def _shared(spec: str, config: ClassifierConfig, source: Path) -> np.ndarray:
    """The shared vectors (words, dim), without the padding row the torch layer adds (``model.frozen_vectors``)."""
    words, matrix = vector_arrays(spec)
    if (len(words) + 1, matrix.shape[1]) != (config.vocab_size, config.embed_dim):
        raise DataError(source, f"the model reads {config.vocab_size - 1:,} words of {config.embed_dim} dimensions, "
                        f"the vectors {spec} hold {len(words):,} of {matrix.shape[1]}", "retrain the model")
    return matrix
