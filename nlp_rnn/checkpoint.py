"""Checkpoints: a directory of safetensors files described by a JSON manifest.

    DIR/checkpoint.json            manifest: format version, kind, config, vocabulary, labels,
                                   history, metrics, and the tensor files it uses (+ sha256)
    DIR/model-<sha>.safetensors    weights, named by content
    DIR/resume.json, ...           the training state, a second manifest in the same form

Saving writes every tensor file under a temporary name, renames it, then replaces the manifest
with ``os.replace``: the manifest is the one commit point, so a crash at any moment leaves the
previous checkpoint whole. One process writes a folder at a time (``writer_lock``).

A loader may read the manifest just before a writer replaces it, so the tensor files of the
previous manifest stay until the save after (``previous_files``), and a loader that still finds
a file gone or changed reads the manifest again. Only files that an earlier manifest of ours
named are ever removed: a ``*.safetensors`` of the user's in the folder is left alone.
Loading reads JSON and safetensors only; nothing is ever unpickled, and non-finite weights are
refused. ``load`` gives torch tensors; ``load_arrays`` gives numpy arrays without importing torch
(about 1.9 s of CPU), for commands that only classify.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import SafetensorError

from nlp_rnn import manifest as schema
from nlp_rnn.atomic import atomic_write_bytes  # also public here (jazz.parse imports it from this module)
from nlp_rnn.errors import DataError
from nlp_rnn.writer_lock import writer

if TYPE_CHECKING:
    import torch

FORMAT_VERSION = 1
CHECKPOINT = "checkpoint.json"
PICKLE_SUFFIXES = {".pt", ".pth", ".bin", ".pkl", ".pickle", ".ckpt"}
LOAD_ATTEMPTS = 5  # re-reads of a manifest that a writer replaced while we were reading its files


def _write_tensors(directory: Path, role: str, tensors: dict[str, torch.Tensor]) -> dict:
    from safetensors.torch import save as save_bytes

    data = save_bytes({k: v.detach().contiguous().cpu() for k, v in tensors.items()})
    digest = hashlib.sha256(data).hexdigest()
    name = f"{role}-{digest[:16]}.safetensors"
    atomic_write_bytes(directory / name, data)  # our own bytes, so the mode is ours (0644) too
    return {"file": name, "sha256": digest}


def save(directory: str | Path, meta: dict, tensors: dict[str, dict[str, torch.Tensor]], manifest: str = CHECKPOINT) -> Path:
    """Write ``tensors`` (role → name → tensor) and ``meta`` (JSON-able) as one checkpoint.

    Raises FolderBusy when another process is writing into ``directory``."""
    directory = Path(directory)
    with writer(directory):
        current, grace = _named_by(directory / manifest)
        files = {role: _write_tensors(directory, role, group) for role, group in tensors.items()}
        names = {entry["file"] for entry in files.values()}
        record = {"format_version": FORMAT_VERSION, **meta, "files": files, "previous_files": sorted(current - names)}
        atomic_write_bytes(directory / manifest, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
        _remove_retired(directory, grace - names - current)
    return directory


def _named_by(path: Path) -> tuple[set[str], set[str]]:
    """(files, previous_files) of the manifest at ``path`` if it is one of ours, else two empty sets."""
    try:
        record = json.loads(path.read_text("utf-8"))
        schema.check(record, schema.CHECKPOINT, path)
    except (OSError, ValueError, DataError):
        return set(), set()
    return {entry["file"] for entry in record["files"].values()}, set(record.get("previous_files", []))


def _remove_retired(directory: Path, candidates: set[str]) -> None:
    """Remove the ``candidates`` (files an earlier manifest of ours named) that no manifest here still names."""
    if not candidates:
        return
    for other in directory.glob("*.json"):
        current, grace = _named_by(other)
        candidates -= current | grace
    for name in candidates:
        (directory / name).unlink(missing_ok=True)


def exists(directory: str | Path, manifest: str = CHECKPOINT) -> bool:
    return (Path(directory) / manifest).is_file()


def load(directory: str | Path, manifest: str = CHECKPOINT, device: str | torch.device = "cpu",
         ) -> tuple[dict, dict[str, dict[str, torch.Tensor]]]:
    """Read a checkpoint written by ``save``: (meta, role → tensors), the tensors mapped to ``device``
    (files always hold CPU tensors). Raises DataError when the directory is missing, damaged, from
    an unknown format version, or holds pickle files."""
    import torch

    def tensors(data: bytes) -> tuple[dict[str, torch.Tensor], str | None]:
        from safetensors.torch import load as load_bytes

        found = load_bytes(data)
        bad = next((name for name, t in found.items() if t.is_floating_point() and not torch.isfinite(t).all()), None)
        return {name: t.to(device) for name, t in found.items()}, bad

    return _load(Path(directory), manifest, None, tensors)


def load_arrays(directory: str | Path, roles: tuple[str, ...] = ("model",), manifest: str = CHECKPOINT,
                ) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """``load`` for numpy, without torch: (meta, role → name → array) for the ``roles`` asked for only
    (a model's weights, not a resume state's). Same checks and errors as ``load``."""
    def arrays(data: bytes) -> tuple[dict[str, np.ndarray], str | None]:
        from safetensors.numpy import load as load_bytes

        found = load_bytes(data)
        bad = next((name for name, a in found.items() if a.dtype.kind == "f" and not np.isfinite(a).all()), None)
        return found, bad

    return _load(Path(directory), manifest, roles, arrays)


def _load(directory: Path, manifest: str, roles: tuple[str, ...] | None, parse: Callable) -> tuple[dict, dict]:
    """The retry loop of ``load``: ``parse(bytes)`` → (tensors, name of a non-finite one or None)."""
    path = directory / manifest
    if not directory.is_dir():
        raise DataError(directory, "no such model directory", "train a model first or check the path")
    for attempt in range(LOAD_ATTEMPTS):
        raw = _read_manifest(directory, path)
        meta = _parse_manifest(path, raw)
        try:
            return meta, {role: _read_tensors(directory, entry, parse) for role, entry in meta["files"].items()
                          if roles is None or role in roles}
        except DataError:
            if attempt == LOAD_ATTEMPTS - 1 or _read_manifest(directory, path) == raw:
                raise  # really damaged, not replaced by a writer while we read it
    raise AssertionError("unreachable")


def _read_manifest(directory: Path, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problem = _missing_manifest_problem(directory, path.name)
        raise DataError(directory, problem, "point to a directory nlp-rnn saved") from None
    except OSError as error:
        raise DataError(path, f"cannot read the manifest ({error.strerror})", "check the path") from None


def _parse_manifest(path: Path, raw: bytes) -> dict:
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(path, f"damaged manifest ({error})", "retrain or restore the model") from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        found = meta.get("format_version") if isinstance(meta, dict) else None
        raise DataError(path, f"checkpoint format {found!r}, this nlp-rnn reads {FORMAT_VERSION}",
                        "retrain the model with this version")
    schema.check(meta, schema.CHECKPOINT, path)
    return meta


def _missing_manifest_problem(directory: Path, manifest: str) -> str:
    pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        return f"holds pickle-format files ({', '.join(pickles)}), which nlp-rnn never loads because unpickling can run code"
    return f"no {manifest} here"


def _read_tensors(directory: Path, entry: dict, parse: Callable) -> dict:
    path = directory / entry["file"]  # a plain file name: the schema refuses paths
    if not path.is_file():
        raise DataError(path, "tensor file named by the manifest is missing", "retrain or restore the model")
    data = path.read_bytes()  # hashed and parsed from one read, so both see the same bytes
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise DataError(path, "tensor file is damaged (checksum mismatch)", "retrain or restore the model")
    try:
        tensors, bad = parse(data)
    except (SafetensorError, OSError) as error:
        raise DataError(path, f"unreadable tensor file ({error})", "retrain or restore the model") from None
    except TypeError as error:  # numpy has no bfloat16: a tensor of a dtype it cannot hold
        raise DataError(path, f"tensor file numpy cannot read ({error})", "use --engine torch") from None
    if bad is not None:
        raise DataError(path, f"tensor {bad!r} holds NaN or infinite values", "retrain or restore the model")
    return tensors
