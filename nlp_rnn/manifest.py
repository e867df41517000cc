"""JSON schemas of the manifests, checked before anything in them is used.

An edited or hostile ``checkpoint.json``/``resume.json`` (a field of the wrong type, a missing key,
a file name with a path in it, ``num_layers`` 10⁴) is refused with one line naming the file and
the field, never a traceback or minutes of allocation. Model configs get their schema from their
frozen dataclass (``dataclass_schema``), so a new model kind needs only its registry entry; what a
kind keeps in ``extra`` is described in ``EXTRA``, keyed by kind (kinds without an entry may keep
any object there).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path

import jsonschema

from nlp_rnn.errors import DataError
from nlp_rnn.text import Tokenizer

FILE_NAME = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.safetensors$"  # a plain name in the model folder, no path
MAX_INT = 2**31 - 1
MAX_LAYERS = 64  # stacked layers, and entries of per-layer tuples: far beyond any recurrent net here
MAX_TOKENS = 10_000_000  # vocabulary entries

_file = {"type": "string", "pattern": FILE_NAME}
CHECKPOINT = {
    "type": "object",
    "required": ["format_version", "files"],
    "properties": {
        "files": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["file", "sha256"],
            "properties": {"file": _file, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}},
        "previous_files": {"type": "array", "items": _file},
    },
}
MODEL = {
    "type": "object",
    "required": ["kind", "config"],
    "properties": {
        "kind": {"type": "string"},
        "config": {"type": "object"},
        "aliases": {"type": "object", "additionalProperties": {"type": "string"}},
        "external": {"type": "array", "items": {"type": "string"}},
        "vocabulary": {"type": ["object", "null"], "required": ["tokens"], "properties": {
            "tokens": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_TOKENS}}},
        "labels": {"type": ["array", "null"], "items": {"type": "string"}},
        "history": {"type": "array", "items": {"type": "object"}},
        "metrics": {"type": "object"},
        "extra": {"type": "object"},
    },
}
_number = {"type": "number"}
RESUME = {
    "type": "object",
    "required": ["progress", "optimizer", "files"],
    "properties": {
        "progress": {"type": "object"},
        "optimizer": {"type": "object", "required": ["param_groups", "scalars"], "properties": {
            "param_groups": {"type": "array", "items": {"type": "object"}}, "scalars": {"type": "object"}}},
        "files": {"type": "object", "required": ["model", "optimizer", "runtime"]},
    },
}


def check(document: object, schema: dict, source: str | Path) -> None:
    """Raise DataError naming ``source`` and the first offending field if ``document`` breaks ``schema``."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is not None:
        where = error.json_path.removeprefix("$.") if error.json_path != "$" else "the manifest"
        message = error.message if len(error.message) < 120 else error.message[:117] + "..."
        raise DataError(source, f"invalid manifest field {where}: {message}", "retrain or restore the model")


def dataclass_schema(cls: type, required: tuple[str, ...] = (), closed: bool = True) -> dict:
    """The schema of a dataclass (a model config, the training progress): its fields and their types,
    integers within bounds; ``required``: fields that must be there (others take their defaults);
    ``closed``: no other keys (open for states from older versions, whose extra keys are dropped)."""
    hints = typing.get_type_hints(cls)
    properties = {f.name: _type_schema(hints[f.name], f.name) for f in dataclasses.fields(cls)}
    return {"type": "object", "properties": properties, "additionalProperties": not closed, "required": list(required)}


def _type_schema(hint, name: str) -> dict:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer", "minimum": 0, "maximum": MAX_LAYERS if name.startswith("num_layers") else MAX_INT}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [{"type": "null"} if a is type(None) else _type_schema(a, name) for a in args]}
    if origin is tuple:  # per-layer sizes
        return {"type": "array", "items": _type_schema(args[0], name) if args else {}, "maxItems": MAX_LAYERS}
    if hint is list or origin is list:
        return {"type": "array"}
    return {}  # a type this table does not know: the config class itself checks it


EXTRA = {  # kind → schema of what that kind keeps in ``extra``
    "jazz": {"type": "object", "properties": {
        "beats_per_bar": {"type": "number", "exclusiveMinimum": 0, "maximum": 64},
        "tempo": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 10_000},
        "options": {"type": "object"},
        "chords": {"type": "array", "items": {"type": "array", "prefixItems": [
            _number, {"type": "integer", "minimum": 0, "maximum": 11}, {"type": "string"},
            {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 11}}], "minItems": 4}},
    }},
    "classifier": {"type": "object", "properties": {
        "vectors": {"type": "string"}, "tokenizer": dataclass_schema(Tokenizer), "app": {"type": "string"}}},
}
