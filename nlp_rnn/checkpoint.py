"""Checkpoints: a directory of safetensors files described by a JSON manifest.

    DIR/checkpoint.json            manifest: format version, kind, config, vocabulary, labels,
                                   history, metrics, and the tensor files it uses (+ sha256)
    DIR/model-<sha>.safetensors    weights, named by content
    DIR/resume.json, ...           the training state, a second manifest in the same form

Saving writes every tensor file under a temporary name, renames it, then replaces the manifest
with ``os.replace``: the manifest is the one commit point, so a crash at any moment leaves the
previous checkpoint whole. Files no manifest names are removed afterwards. Loading reads JSON
and safetensors only; nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from nlp_rnn.errors import DataError

FORMAT_VERSION = 1
CHECKPOINT = "checkpoint.json"
FILE_MODE = 0o644  # mkstemp makes 0600; models are meant to be shared
PICKLE_SUFFIXES = {".pt", ".pth", ".bin", ".pkl", ".pickle", ".ckpt"}


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_tensors(directory: Path, role: str, tensors: dict[str, torch.Tensor]) -> dict:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{role}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, FILE_MODE)
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, tmp)
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()
        name = f"{role}-{digest[:16]}.safetensors"
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"file": name, "sha256": digest}


def save(directory: str | Path, meta: dict, tensors: dict[str, dict[str, torch.Tensor]], manifest: str = CHECKPOINT) -> Path:
    """Write ``tensors`` (role → name → tensor) and ``meta`` (JSON-able) as one checkpoint."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = {role: _write_tensors(directory, role, group) for role, group in tensors.items()}
    record = {"format_version": FORMAT_VERSION, **meta, "files": files}
    atomic_write_bytes(directory / manifest, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    _remove_unreferenced(directory)
    return directory


def _remove_unreferenced(directory: Path) -> None:
    used = set()
    for manifest in directory.glob("*.json"):
        try:
            used.update(entry["file"] for entry in json.loads(manifest.read_text("utf-8")).get("files", {}).values())
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # not one of ours; leave its neighbours alone
    for path in directory.glob("*.safetensors"):
        if path.name not in used:
            path.unlink(missing_ok=True)


def exists(directory: str | Path, manifest: str = CHECKPOINT) -> bool:
    return (Path(directory) / manifest).is_file()


def load(directory: str | Path, manifest: str = CHECKPOINT) -> tuple[dict, dict[str, dict[str, torch.Tensor]]]:
    """Read a checkpoint written by ``save``: (meta, role → tensors). Raises DataError when the
    directory is missing, damaged, from an unknown format version, or holds pickle files."""
    directory = Path(directory)
    path = directory / manifest
    if not directory.is_dir():
        raise DataError(directory, "no such model directory", "train a model first or check the path")
    if not path.is_file():
        raise DataError(directory, _missing_manifest_problem(directory, manifest), "point to a directory nlp-rnn saved")
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(path, f"damaged manifest ({error})", "retrain or restore the model") from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        found = meta.get("format_version") if isinstance(meta, dict) else None
        raise DataError(path, f"checkpoint format {found!r}, this nlp-rnn reads {FORMAT_VERSION}",
                        "retrain the model with this version")
    return meta, {role: _read_tensors(directory, entry) for role, entry in meta.get("files", {}).items()}


def _missing_manifest_problem(directory: Path, manifest: str) -> str:
    pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        return f"holds pickle-format files ({', '.join(pickles)}), which nlp-rnn never loads because unpickling can run code"
    return f"no {manifest} here"


def _read_tensors(directory: Path, entry: dict) -> dict[str, torch.Tensor]:
    path = directory / str(entry.get("file"))
    if not path.is_file():
        raise DataError(path, "tensor file named by the manifest is missing", "retrain or restore the model")
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
        raise DataError(path, "tensor file is damaged (checksum mismatch)", "retrain or restore the model")
    try:
        return load_file(path)
    except (SafetensorError, OSError) as error:
        raise DataError(path, f"unreadable tensor file ({error})", "retrain or restore the model") from None
