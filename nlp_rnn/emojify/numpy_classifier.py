"""The forward pass of ``models.classifier.Classifier`` in numpy, for inference on a CPU without torch.

Same weights (a checkpoint's ``model`` tensors, by their state-dict names), same logits: V1 (the average
of the word vectors, optionally beside an attention-weighted average), and recurrent stacks (rnn, lstm,
gru; any number of layers, one or two directions) pooled by the last state, the mean or attention. The
recurrent cells are ``numpy_step``'s; ``tests/test_emojify_numpy.py`` holds every kind to torch.

Layout: a batch is its real tokens back to back, sentence after sentence (``Tokens``), so no padding is
ever computed. Work that depends on the word alone (the first layer's input gates, V1's projection
onto the classes, V1's attention scores) is done once per distinct word of the batch (a batch of 8,192
short sentences holds a few thousand), then gathered. A recurrent layer reads the sentences longest
first, as torch's packed sequences do (``Steps``): at step t only the sentences longer than t take part,
and they are the first rows of the state. The states stay in that step-after-step order through the
layers and the pooling: the forward direction writes them straight into the layer's output, the backward
one is scattered onto the rows that read the same tokens, and the pooling takes each sentence's sum,
maximum or softmax one step at a time (``Steps``): summing in token order with ``np.add.reduceat`` over
the (tokens, 128) states had cost about a fifth of the default ensemble's BiLSTM.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nlp_rnn.emojify.numpy_steps import Steps
from nlp_rnn.models.classifier_config import ClassifierConfig, frequency_weight, split_scope
from nlp_rnn.numpy_step import CELL_STEPS, rearrange


@dataclass(frozen=True)
class Tokens:
    """An encoded batch: the real tokens of every sentence, back to back (a sentence has at least one)."""

    ids: np.ndarray  # (tokens,) embedding rows
    lengths: np.ndarray  # (sentences,)
    unique: np.ndarray  # (distinct,) the distinct ids, sorted
    inverse: np.ndarray  # (tokens,): ids == unique[inverse]

    @classmethod
    def of(cls, padded: np.ndarray, lengths: np.ndarray) -> Tokens:
        """From ``encoding.encode``'s padded (sentences, longest) ids and lengths."""
        ids = padded[np.arange(padded.shape[1]) < lengths[:, None]]
        unique, inverse = np.unique(ids, return_inverse=True)
        return cls(ids, lengths, unique, inverse.reshape(-1))

    @functools.cached_property
    def starts(self) -> np.ndarray:
        return np.cumsum(self.lengths) - self.lengths

    def segment_sum(self, values: np.ndarray) -> np.ndarray:
        """(tokens, ...) → (sentences, ...): each sentence's sum."""
        return np.add.reduceat(values, self.starts, axis=0)

    def segment_mean(self, values: np.ndarray) -> np.ndarray:
        return self.segment_sum(values) / self.lengths.astype(np.float32)[:, None]

    def segment_max(self, values: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(values, self.starts, axis=0)

    def segment_softmax(self, scores: np.ndarray) -> np.ndarray:
        """(tokens,) scores → each sentence's softmax over its own tokens."""
        top = np.repeat(np.maximum.reduceat(scores, self.starts), self.lengths)
        weights = np.exp(scores - top)
        return weights / np.repeat(np.add.reduceat(weights, self.starts), self.lengths)

    @functools.cached_property
    def steps(self) -> Steps:
        return Steps.of(self.lengths, self.starts)


class NumpyClassifier:
    """tokens → logits (sentences, classes), from a Classifier's weights and its embedding matrix."""

    def __init__(self, config: ClassifierConfig, weights: dict[str, np.ndarray], embedding: np.ndarray, offset: int):
        """``embedding``: (rows, embed) matrix where id i reads row i - ``offset`` (1: the shared vectors, which
        lack the padding row; id 0 then reads zeros)."""
        self.config, self.embedding, self.offset = config, embedding, offset
        w = {name: np.asarray(value, dtype=np.float32) for name, value in weights.items()}
        self.output, self.output_bias = w["output.weight"].T.copy(), w["output.bias"]  # (pooled, classes)
        self.attention = (w["attention.project.weight"].T.copy(), w["attention.project.bias"],
                          w["attention.score.weight"][0]) if config.pooling == "attention" else None
        n, directions = config.hidden_size, ("", "_reverse") if config.bidirectional else ("",)
        self.layers = [] if config.cell == "none" else [
            [rearrange(config.cell, n, *(w[f"encoder.rnn.{part}_l{layer}{suffix}"]
                                         for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
             for suffix in directions] for layer in range(config.num_layers)]

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """(n,) ids (a word in a negation's scope marked, ``split_scope``) → (n, embed) vectors."""
        ids, _ = split_scope(ids, self.config.vocab_size)
        if not self.offset:
            return self.embedding[ids]
        found = np.asarray(self.embedding[np.maximum(ids - self.offset, 0)], dtype=np.float32)
        found[ids < self.offset] = 0.0  # the padding row
        return found

    def forward(self, tokens: Tokens, vectors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """(logits (sentences, classes), attention weights (tokens,) or None); ``vectors``: ``rows(tokens.unique)``
        when the caller has them (ensemble members share them)."""
        vectors = self.rows(tokens.unique) if vectors is None else vectors  # (distinct, embed)
        if not self.layers:
            return self._average(tokens, vectors)
        steps, pooling = tokens.steps, self.config.pooling
        if pooling == "last" and self.attention is None:
            return self._encode(tokens, vectors, states=False) @ self.output + self.output_bias, None
        states = self._encode(tokens, vectors, states=True)  # (tokens, hidden·dirs), rows step after step
        weights = None
        if self.attention is not None:
            packed = steps.softmax(self._scores(states))
            pooled = steps.sum(packed[:, None] * states)
            weights = np.empty_like(packed)
            weights[steps.forwards] = packed  # in token order
        elif pooling == "mean":
            pooled = steps.sum(states) / tokens.lengths.astype(np.float32)[:, None]
        else:
            pooled = steps.max(states)
        return pooled @ self.output + self.output_bias, weights

    def _scores(self, values: np.ndarray) -> np.ndarray:
        """Attention scores of ``values``' rows."""
        project, bias, score = self.attention
        projected = values @ project
        projected += bias  # in place: the (tokens, 128) temporaries are the step's largest
        return np.tanh(projected, out=projected) @ score

    def _average(self, tokens: Tokens, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """V1: the linear layer is applied to each distinct word's vector (the average of projections is the
        projection of the average), then averaged per sentence; beside it, the maximum or the attended average."""
        dim, pooling = self.config.embed_dim, self.config.pooling
        mean = self._mean_projection(tokens, vectors, self.output[dim:] if pooling in ("max", "attention") else self.output)
        if pooling == "max":  # pooled = [max, mean]
            return tokens.segment_max(vectors[tokens.inverse]) @ self.output[:dim] + mean + self.output_bias, None
        if self.attention is None:
            return mean + self.output_bias, None
        weights = tokens.segment_softmax(self._scores(vectors)[tokens.inverse])
        attended = tokens.segment_sum(weights[:, None] * (vectors @ self.output[:dim])[tokens.inverse])
        return attended + mean + self.output_bias, weights  # pooled = [attended, mean]

    def _mean_projection(self, tokens: Tokens, vectors: np.ndarray, output: np.ndarray) -> np.ndarray:
        """(sentences, classes): the (frequency-weighted) average of the words' vectors, projected by ``output``;
        with ``negation``, a word in a negation's scope is projected by the second block of ``output``'s rows."""
        rows, scope = split_scope(tokens.unique, self.config.vocab_size)
        if not self.config.negation:
            table = vectors @ output
        else:
            dim = self.config.embed_dim
            table = vectors @ output[:dim]
            if scope.any():
                table[scope] = vectors[scope] @ output[dim:]
        projected = table[tokens.inverse]
        a = self.config.frequency_weights
        if not a:
            return tokens.segment_mean(projected)
        weights = frequency_weight(rows.astype(np.float32), a, self.config.vocab_size)[tokens.inverse]
        total = np.maximum(tokens.segment_sum(weights), np.float32(1e-12))
        return tokens.segment_sum(weights[:, None] * projected) / total[:, None]

    def _encode(self, tokens: Tokens, vectors: np.ndarray, states: bool) -> np.ndarray:
        """The top layer's states (tokens, hidden·dirs), rows step after step (``Steps``), or when not ``states``
        its final states (sentences, hidden·dirs). Both directions of a layer run together, each step one call
        per operation for both (half the numpy calls, each of which a worker thread may wait on the GIL for)."""
        steps, inputs = tokens.steps, vectors
        for layer, directions in enumerate(self.layers):
            gates = self._gates(tokens, layer, directions, inputs)  # (tokens, directions, gates)
            out = self._run(steps, gates, [w_hh for _, w_hh, _, _ in directions], [b for *_, b in directions])
            if not states and layer == len(self.layers) - 1:  # "last" pooling reads the top layer's ends alone
                return steps.unsort(out[steps.finals].reshape(len(steps.order), -1))
            if len(directions) > 1:  # row r of the backward pass read the token of forward row align[r]
                out[steps.align, 1] = out[:, 1].copy()
            inputs = out.reshape(len(out), -1)
        return inputs

    def _gates(self, tokens: Tokens, layer: int, directions: list, inputs: np.ndarray) -> np.ndarray:
        """Every row's input gates (tokens, directions, gates), each direction's rows in its own reading order."""
        steps = tokens.steps
        if layer == 0:  # projected once per distinct word, then gathered (both directions in one gather)
            tables = np.concatenate([inputs @ w_ih + b_ih for w_ih, _, b_ih, _ in directions])
            reads = [tokens.inverse[steps.forwards], tokens.inverse[steps.backwards] + len(inputs)][: len(directions)]
            return tables[np.stack(reads, axis=1)]
        gates = np.empty((len(inputs), len(directions), directions[0][0].shape[1]), dtype=np.float32)
        for reverse, (w_ih, _, b_ih, _) in enumerate(directions):
            np.matmul(inputs[steps.align] if reverse else inputs, w_ih, out=gates[:, reverse])
            gates[:, reverse] += b_ih
        return gates

    def _run(self, steps: Steps, gates: np.ndarray, w_hh: list[np.ndarray], b_hh: list) -> np.ndarray:
        """A layer's directions side by side: input gates (tokens, directions, gates) row by row → their states
        (tokens, directions, hidden) in the same rows.

        The sentences that read step t + 1 are the first rows of those that read step t, so each step's state is
        a view of the rows the step before wrote: nothing is copied back."""
        n, step = self.config.hidden_size, CELL_STEPS[self.config.cell]
        out = np.empty((*gates.shape[:2], n), dtype=np.float32)
        h = np.zeros((len(steps.order), *out.shape[1:]), dtype=np.float32)  # each step writes its states into ``out``
        c = np.zeros_like(h) if self.config.cell == "lstm" else None
        from_h, start = np.empty((len(steps.order), *gates.shape[1:]), dtype=np.float32), 0
        for size in steps.sizes.tolist():
            for d, (weights, bias) in enumerate(zip(w_hh, b_hh)):
                np.matmul(h[:size, d], weights, out=from_h[:size, d])
                if bias is not None:
                    from_h[:size, d] += bias
            h, c = step(n, gates[start : start + size], from_h[:size], h[:size], None if c is None else c[:size],
                        out=out[start : start + size])
            start += size
        return out


def classifier_shapes(config: ClassifierConfig) -> dict[str, tuple[int, ...]]:
    """name → shape of every weight a Classifier of ``config`` has (what ``shapes.expected_shapes`` finds with torch)."""
    shapes = {"embedding.weight": (config.vocab_size, config.embed_dim)}
    size, n = config.embed_dim, config.hidden_size
    if config.cell != "none":
        gates = {"rnn": 1, "lstm": 4, "gru": 3}[config.cell] * n
        directions = ("", "_reverse") if config.bidirectional else ("",)
        for layer in range(config.num_layers):
            inputs = config.embed_dim if layer == 0 else n * len(directions)
            for suffix in directions:
                shapes.update({f"encoder.rnn.weight_ih_l{layer}{suffix}": (gates, inputs),
                               f"encoder.rnn.weight_hh_l{layer}{suffix}": (gates, n),
                               f"encoder.rnn.bias_ih_l{layer}{suffix}": (gates,),
                               f"encoder.rnn.bias_hh_l{layer}{suffix}": (gates,)})
        size = n * len(directions)
    if config.pooling == "attention":
        shapes.update({"attention.project.weight": (size, size), "attention.project.bias": (size,),
                       "attention.score.weight": (1, size)})
    blocks = 1 + (config.pooling in ("attention", "max")) + config.negation if config.cell == "none" else 1
    shapes.update({"output.weight": (config.num_classes, blocks * size), "output.bias": (config.num_classes,)})
    return shapes
