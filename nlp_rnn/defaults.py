"""Default models the apps need on first launch: trained once on this machine, then cached.

A default model lives in ``<cache>/models/<name>-<digest>``, where the digest covers its training
data, its options and the source of the code that trains it, so changing any of them (an upgrade of
this package included) trains a fresh one instead of reusing a stale one.

First use trains into a temporary folder beside the final one and publishes it with one atomic
rename when training has finished: a Ctrl-C, a crash or a closed browser tab leaves no folder
that later runs would take for the default (the temporary one is removed by the next first use).
A lock file beside the folder makes processes (and Streamlit sessions) that start at once take
turns: one trains, the others wait for it and then load what it published.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import filelock

from nlp_rnn import checkpoint
from nlp_rnn.paths import cache_dir

log = logging.getLogger(__name__)
T = TypeVar("T")
LAYOUT = b"published-v2"  # v2: defaults are published whole; folders from before (maybe half-trained) are not reused
PACKAGE = Path(__file__).resolve().parent
TRAINING_CODE = ("training.py", "schedules.py", "callbacks.py", "models")  # what every default's training runs


def default_dir(name: str, fingerprint: bytes, code: tuple[str, ...]) -> Path:
    """Where the default model ``name`` trained from ``fingerprint`` (data + options) by ``code`` is kept.

    ``code``: the application's own files or folders, relative to this package; the shared training code is
    added. Digesting the source, not a version number someone must remember to bump, is what retrains a
    default whose training changed in a way its options do not show (e.g. how a temperature is fitted)."""
    digest = hashlib.sha256(fingerprint + LAYOUT)
    for path in _sources(code + TRAINING_CODE):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return cache_dir() / "models" / f"{name}-{digest.hexdigest()[:12]}"


def _sources(code: tuple[str, ...]) -> list[Path]:
    """The ``.py`` files of ``code`` (files, or folders read whole), in a fixed order."""
    found = set()
    for name in code:
        path = PACKAGE / name
        if not path.exists():
            raise FileNotFoundError(f"default_dir: no {path}")  # a renamed module must not drop out of the digest
        found.update(path.rglob("*.py") if path.is_dir() else [path])
    return sorted(found)


def train_once(directory: Path, train: Callable[[Path], object], load: Callable[[Path], T], what: str) -> T:
    """Load the model in ``directory``, first training it with ``train(folder)`` if it is missing."""
    if not checkpoint.exists(directory):
        directory.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(directory.parent / f".{directory.name}.lock"))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:  # (``lock.is_locked`` is this object's own state: never another holder's)
            log.warning("waiting for another process that is training %s", what)
            lock.acquire()
        try:
            if not checkpoint.exists(directory):  # not published while we waited
                _train_and_publish(directory, train, what)
        finally:
            lock.release()
    return load(directory)


def _train_and_publish(directory: Path, train: Callable[[Path], object], what: str) -> None:
    for stale in directory.parent.glob(f".{directory.name}.training-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a first use that was killed; we hold the lock
    work = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.training-"))
    try:
        log.warning("training %s (first use)", what)
        train(work)
        if not checkpoint.exists(work):
            raise RuntimeError(f"training {what} saved no model")
        os.chmod(work, 0o755)  # mkdtemp makes 0700; the cache is as readable as the models in it
        if directory.exists():
            shutil.rmtree(directory)  # ours, and holding no checkpoint (checked above): a leftover
        os.rename(work, directory)  # the publication: one atomic rename
    finally:
        shutil.rmtree(work, ignore_errors=True)
