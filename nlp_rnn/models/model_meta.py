"""Checks of a stored model's manifest and weights that need no torch: the torch loader (``store.load_model``)
and the numpy one (``nlp_rnn.emojify.numpy_model``) both run them before any weight is used."""

from __future__ import annotations

from pathlib import Path

from nlp_rnn import manifest
from nlp_rnn.errors import DataError

# kind → manifest part → the config field that gives its length (checked on load)
SIZES = {
    "language_model": {"vocabulary": "vocab_size"},
    "classifier": {"vocabulary": "vocab_size", "labels": "num_classes"},
    "jazz": {"vocabulary": "vocab_size"},
}


def check_kind(meta: dict, kind: str | None, directory: str | Path, source: str | Path) -> None:
    """The manifest against its schema, and (``kind`` given) that it holds a model of that kind."""
    manifest.check(meta, manifest.MODEL, source)
    if kind is not None and meta["kind"] != kind:
        raise DataError(directory, f"holds a {meta['kind']} model, not a {kind}", "point to the right model directory")


def check_model_meta(meta: dict, source: str | Path, config_cls: type) -> None:
    """The checks of ``store.check_meta`` past the kind (already known to be ``meta["kind"]``): the config against
    ``config_cls``, ``extra``, and vocabulary/labels against the config's sizes."""
    kind = meta["kind"]
    manifest.check(meta["config"], manifest.dataclass_schema(config_cls), source)
    manifest.check(meta.get("extra", {}), manifest.EXTRA.get(kind, {"type": "object"}), source)
    for part, field_name in SIZES.get(kind, {}).items():
        items = meta.get(part)
        items = items.get("tokens") if isinstance(items, dict) else items
        size = meta["config"].get(field_name)
        if items is not None and size is not None and len(items) != size:
            raise DataError(source, f"{part} has {len(items)} entries, the model's {field_name} is {size}",
                            "retrain or restore the model")


def check_shapes(expected: dict[str, tuple[int, ...]], stored: dict, skip: set[str],
                 source: str | Path) -> None:
    """Raise DataError unless ``stored`` holds exactly the weights ``expected`` (minus ``skip``), shape for shape."""
    wanted = {name: shape for name, shape in expected.items() if name not in skip}
    extra, missing = sorted(set(stored) - set(wanted)), sorted(set(wanted) - set(stored))
    if extra or missing:
        raise DataError(source, f"weights do not match the model's parameters (missing {missing[:3]}, "
                        f"unexpected {extra[:3]})", "retrain the model")
    for name, shape in wanted.items():
        if tuple(stored[name].shape) != shape:
            raise DataError(source, f"weights do not fit the config: {name} is {tuple(stored[name].shape)}, "
                            f"the config makes {shape}", "retrain the model")
