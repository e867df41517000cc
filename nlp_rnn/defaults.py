"""Default models the apps need on first launch: trained once on this machine, then cached.

A default model lives in ``<cache>/models/<name>-<digest>``, where the digest covers its training
data and options, so changing either trains a fresh one instead of reusing a stale one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from nlp_rnn import checkpoint
from nlp_rnn.paths import cache_dir

log = logging.getLogger(__name__)
T = TypeVar("T")


def default_dir(name: str, fingerprint: bytes) -> Path:
    """Where the default model ``name`` trained from ``fingerprint`` (data + options) is kept."""
    return cache_dir() / "models" / f"{name}-{hashlib.sha256(fingerprint).hexdigest()[:12]}"


def train_once(directory: Path, train: Callable[[Path], object], load: Callable[[Path], T], what: str) -> T:
    """Load the model in ``directory``, first training it with ``train(directory)`` if it is missing."""
    if not checkpoint.exists(directory):
        log.warning("training %s (first use) into %s", what, directory)
        train(directory)
    return load(directory)
