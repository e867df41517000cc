"""Training Emojify models on the shared engine: V1 (averaged vectors) and V2 (LSTM stack)."""

from __future__ import annotations

import logging
from pathlib import Path

import torch
import torch.nn.functional as F

from nlp_rnn import distributed
from nlp_rnn.devices import to_model
from nlp_rnn.emojify.data import Example
from nlp_rnn.emojify.labels import some
from nlp_rnn.emojify.model import TOKENIZER, EmojiModel, save_info, shared_vectors_layer
from nlp_rnn.emojify.options import EmojifyOptions
from nlp_rnn.errors import UserError
from nlp_rnn.models.classifier import Classifier, ClassifierConfig
from nlp_rnn.seeding import seed_everything
from nlp_rnn.training import Callback, Task, TrainConfig, Trainer
from nlp_rnn.vocab import Vocabulary

log = logging.getLogger(__name__)
# Per model, measured on 132-sentence files in bench/emojify_quality.py (the README gives the runs).
DEFAULT_EPOCHS, DEFAULT_LR, DEFAULT_WEIGHT_DECAY = {"v1": 300, "v2": 80}, {"v1": 0.005, "v2": 0.002}, {"v1": 1e-4, "v2": 0.0}


class ClassificationTask(Task):
    def __init__(self, model: EmojiModel, train: list[Example], valid: list[Example], batch_size: int, seed: int):
        index = {label: i for i, label in enumerate(model.labels)}
        self.model = model  # callbacks encode their own sentences the way this run does
        self.train = self._encode(model, train, index)
        self.valid = self._encode(model, valid, index) if valid else None
        self.batch_size, self.seed = batch_size, seed

    @staticmethod
    def _encode(model: EmojiModel, examples: list[Example], index: dict) -> tuple:
        tokens, lengths = model.batch([e.text for e in examples])
        return tokens, lengths, torch.tensor([index[e.label] for e in examples])

    def train_batches(self, epoch: int) -> list:
        order = torch.randperm(len(self.train[2]), generator=torch.Generator().manual_seed(self.seed * 1_000 + epoch))
        return [tuple(t[order[i : i + self.batch_size]] for t in self.train)
                for i in range(0, len(order), self.batch_size)]

    def train_step(self, model, batch) -> tuple[torch.Tensor, int]:
        tokens, lengths, labels = batch
        return F.cross_entropy(model(tokens, lengths), labels), len(labels)

    def evaluate(self, model) -> dict[str, float]:
        if self.valid is None:
            return {}
        rows = distributed.local_rows(self.valid)  # under N ranks each scores its share; the sums are joined
        sums = [0.0, 0.0, 0]
        if rows is not None:
            tokens, lengths, labels = to_model(model, rows)
            logits = model(tokens, lengths).float()
            sums = [float(F.cross_entropy(logits, labels, reduction="sum")), float((logits.argmax(-1) == labels).sum()),
                    len(labels)]
        loss, correct, count = distributed.all_sum(sums)
        return {"val_loss": loss / count, "val_accuracy": correct / count}


def build_model(options: EmojifyOptions, train: list[Example]) -> EmojiModel:
    labels = sorted({e.label for e in train}, key=label_order)
    if len(labels) < 2:
        raise UserError("training needs at least two different labels")
    kv, shared = shared_vectors_layer(options.vectors)
    v1, shared_layout = options.model == "v1", not options.trainable_embeddings and options.unfreeze_after is None
    if options.frequency_weights and not (v1 and shared_layout):  # they read a word's rank off its shared row
        log.warning("frequency weights apply to V1 on the shared vectors only: this run averages the words plainly")
    negation = options.negation and v1 and options.pooling != "max"
    if options.negation and not negation:
        log.warning("negation applies to V1's averages only (not with max pooling): this run reads no negation")
    config = dict(embed_dim=kv.vector_size, num_classes=len(labels), cell="none" if v1 else options.cell,
                  hidden_size=options.hidden, num_layers=options.layers, bidirectional=options.bidirectional,
                  dropout=0.0 if v1 else options.dropout, pooling=options.pooling,
                  frequency_weights=options.frequency_weights if v1 and shared_layout else 0.0,
                  freeze_embeddings=not options.trainable_embeddings or options.unfreeze_after is not None,
                  negation=negation)
    if shared_layout:
        classifier = Classifier(ClassifierConfig(vocab_size=shared.num_embeddings, **config), embedding=shared)
        return EmojiModel(classifier, labels, options.vectors)
    from embeddings.torch_layer import embedding_from_vectors

    words = [t for e in train for t in TOKENIZER(e.text)]
    layer = embedding_from_vectors(kv, words, freeze=False, missing="random", seed=options.seed)
    vocabulary = Vocabulary.from_dict({"tokens": layer.index_to_token})
    classifier = Classifier(ClassifierConfig(vocab_size=len(vocabulary), **config), embedding=layer.embedding)
    return EmojiModel(classifier, labels, options.vectors, vocabulary)


def label_order(label: str) -> tuple:
    """Classic classes first, in the exercise's order, then the others by name."""
    from nlp_rnn.emojify.labels import CLASSIC

    names = [name for name, _ in CLASSIC]
    return (names.index(label), "") if label in names else (len(names), label)


def train(options: EmojifyOptions, train: list[Example], valid: list[Example], out_dir: str | Path | None,
          callbacks: list[Callback] = (), progress: bool = True, resume: bool = False,
          extra: dict | None = None) -> tuple[EmojiModel, list[dict]]:
    """Train; the best epoch by validation loss is saved in ``out_dir`` and returned.

    ``resume``: continue the run whose training state is in ``out_dir`` exactly where it stopped
    (``Trainer.resume``); ``extra``: more JSON stored in the checkpoint's ``extra`` (an ensemble's members)."""
    unknown = {e.label for e in valid} - {e.label for e in train}  # checked before the vectors load
    if unknown:
        first = next(e for e in valid if e.label in unknown)
        raise UserError(f"validation labels {some(unknown)} never occur in the training data (the first on line "
                        f"{first.line}); add examples of them")
    seed_everything(options.seed)
    model = build_model(options, train)
    kind = options.model
    config = TrainConfig(epochs=options.epochs or DEFAULT_EPOCHS[kind], lr=options.lr or DEFAULT_LR[kind],
                         early_stopping_patience=options.patience if valid else None, seed=options.seed,
                         progress=progress, optimizer=options.optimizer, max_steps=options.max_steps,
                         device=options.device, precision=options.precision,
                         weight_decay=DEFAULT_WEIGHT_DECAY[kind] if options.weight_decay is None else options.weight_decay)
    task = ClassificationTask(model, train, valid, options.batch_size, options.seed)
    if out_dir is not None:
        from nlp_rnn.vectors_spec import link_beside

        link_beside(out_dir, options.vectors)  # the checkpoint names a vectors file by its name beside it
    info = save_info(model)
    info["extra"].update(extra or {})
    callbacks = list(callbacks)
    if options.unfreeze_after is not None:
        from nlp_rnn.callbacks import UnfreezeEmbedding

        callbacks.append(UnfreezeEmbedding(model.classifier.embedding, options.unfreeze_after))
    trainer = Trainer(model.classifier, task, config, out_dir=out_dir, model_info=info, callbacks=callbacks)
    if distributed.resuming(resume, out_dir):  # asked to, or restarted by the launcher after a failure
        trainer.resume()
    history = trainer.fit()
    if out_dir is not None:
        from nlp_rnn.emojify.model import load

        return load(out_dir, options.device), history
    return model, history
