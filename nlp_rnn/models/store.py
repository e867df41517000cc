"""Save and load whole models: weights + config + vocabulary + labels + history in one checkpoint."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from nlp_rnn import checkpoint, manifest
from nlp_rnn.errors import DataError
from nlp_rnn.models.model_meta import check_kind, check_model_meta, check_shapes
from nlp_rnn.models.shapes import expected_shapes
from nlp_rnn.vocab import Vocabulary

# kind → "module:ModelClass:ConfigClass"; a model's class is built from its stored config.
KINDS = {
    "language_model": "nlp_rnn.models.language_model:LanguageModel:LanguageModelConfig",
    "classifier": "nlp_rnn.models.classifier:Classifier:ClassifierConfig",
    "seq2seq": "nlp_rnn.models.seq2seq:Seq2Seq:Seq2SeqConfig",
    "jazz": "nlp_rnn.jazz.model:JazzModel:JazzModelConfig",
    "forecaster": "nlp_rnn.models.forecaster:Forecaster:ForecasterConfig",
}
@dataclass
class LoadedModel:
    model: nn.Module  # in eval mode
    kind: str
    vocabulary: Vocabulary | None = None
    labels: list | None = None
    history: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def kind_of(model: nn.Module) -> str:
    for kind, spec in KINDS.items():
        module, cls, _ = spec.split(":")
        if type(model).__name__ == cls and type(model).__module__ == module:
            return kind
    raise ValueError(f"{type(model).__name__} is not a registered model kind")


def unique_state(model: nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The state dict without repeats of shared (tied) tensors, and alias → kept name."""
    kept, aliases, seen = {}, {}, {}
    for name, tensor in model.state_dict().items():
        key = (tensor.data_ptr(), tuple(tensor.shape))
        if key in seen:
            aliases[name] = seen[key]
        else:
            seen[key], kept[name] = name, tensor
    return kept, aliases


def save_model(
    directory: str | Path,
    model: nn.Module,
    vocabulary: Vocabulary | None = None,
    labels: list | None = None,
    history: list | None = None,
    metrics: dict | None = None,
    extra: dict | None = None,
    exclude: tuple[str, ...] = (),
) -> Path:
    """Write ``model`` and what is needed to use it as a checkpoint directory (atomically).

    ``exclude`` names weights kept elsewhere (e.g. frozen pretrained vectors); the loader supplies them.
    """
    weights, aliases = unique_state(model)
    weights = {name: tensor for name, tensor in weights.items() if name not in exclude}
    meta = {
        "kind": kind_of(model),
        "config": dataclasses.asdict(model.config),
        "aliases": aliases,
        "external": list(exclude),
        "vocabulary": vocabulary.to_dict() if vocabulary is not None else None,
        "labels": labels,
        "history": history or [],
        "metrics": metrics or {},
        "extra": extra or {},
    }
    return checkpoint.save(directory, meta, {"model": weights})


def build_model(kind: str, config: dict, source: str | Path = "<config>") -> nn.Module:
    """A freshly initialised model of ``kind`` from a stored config dict."""
    if kind not in KINDS:
        raise DataError(source, f"unknown model kind {kind!r}", f"expected one of {sorted(KINDS)}")
    module, cls_name, config_cls = _resolve(kind)
    names = {f.name for f in dataclasses.fields(config_cls)}
    if not isinstance(config, dict) or set(config) - names:
        raise DataError(source, f"config does not fit {config_cls.__name__}", "retrain the model with this version")
    try:
        return getattr(module, cls_name)(config_cls(**config))
    except (TypeError, ValueError) as error:
        raise DataError(source, f"invalid {config_cls.__name__} ({error})", "retrain the model") from None


def _resolve(kind: str) -> tuple[object, str, type]:
    module_name, cls_name, config_name = KINDS[kind].split(":")
    module = importlib.import_module(module_name)
    return module, cls_name, getattr(module, config_name)


def check_meta(meta: dict, source: str | Path) -> None:
    """Validate a model manifest before use: schema, config, ``extra``, and vocabulary/labels against the sizes."""
    manifest.check(meta, manifest.MODEL, source)
    kind = meta["kind"]
    if kind not in KINDS:
        raise DataError(source, f"unknown model kind {kind!r}", f"expected one of {sorted(KINDS)}")
    check_model_meta(meta, source, _resolve(kind)[2])


def load_model(directory: str | Path, kind: str | None = None, make: Callable[[dict], nn.Module] | None = None,
               device: str | torch.device | None = None) -> LoadedModel:
    """Rebuild the model saved in ``directory``; ``kind`` checks it is the expected sort of model.

    ``make(meta)`` builds the model instead of the registry, for models whose excluded weights
    (``save_model(exclude=...)``) the caller supplies. The manifest is validated and the stored
    weights' shapes compared with the config before any model is built. The model ends on ``device`` (see
    ``devices.resolve``: None = $NLP_RNN_DEVICE, else auto), wherever it was trained.
    """
    from nlp_rnn.devices import resolve

    target = device if isinstance(device, torch.device) else resolve(device)
    meta, tensors = checkpoint.load(directory)
    source = Path(directory) / checkpoint.CHECKPOINT
    check_kind(meta, kind, directory, source)
    check_meta(meta, source)
    weights = tensors.get("model", {})
    expected = expected_shapes(lambda: build_model(meta["kind"], meta["config"], source))
    check_shapes(expected, weights, set(meta.get("aliases", {})) | set(meta.get("external", [])), source)
    model = make(meta) if make is not None else build_model(meta["kind"], meta["config"], source)
    try:
        missing, unexpected = model.load_state_dict(weights, strict=False)
    except RuntimeError as error:
        raise DataError(source, f"weights do not fit the config ({str(error).splitlines()[0]})", "retrain the model") from None
    if unexpected or set(missing) - set(meta.get("aliases", {})) - set(meta.get("external", [])):
        raise DataError(source, "weights do not match the model's parameters", "retrain the model")
    vocabulary = meta.get("vocabulary")
    return LoadedModel(
        model=model.to(target).eval(),
        kind=meta["kind"],
        vocabulary=Vocabulary.from_dict(vocabulary, source) if vocabulary is not None else None,
        labels=meta.get("labels"),
        history=meta.get("history", []),
        metrics=meta.get("metrics", {}),
        extra=meta.get("extra", {}),
    )
