"""Convert once: a parsed vectors file is saved in gensim's native format and memory-mapped after.

    $NLP_RNN_CACHE (default ~/.cache/nlp-rnn)/vectors/<sha of path>-<size>-<mtime>/vectors.kv(+.npy)

The key changes when the file does, so a changed file is parsed again and its old entry removed.
Entries are written to a temporary folder and renamed into place, so a crash leaves none half-made.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from gensim.models import KeyedVectors

from embeddings.safe_pickle import load_keyed_vectors

log = logging.getLogger(__name__)


def cache_root() -> Path:
    base = os.environ.get("NLP_RNN_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nlp-rnn"
    return Path(base) / "vectors"


def entry_for(path: Path) -> Path:
    stat = path.stat()
    prefix = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_root() / f"{prefix}-{stat.st_size}-{stat.st_mtime_ns}"


def load_cached(path: Path) -> KeyedVectors | None:
    """The cached vectors of ``path`` (memory-mapped), or None on a miss."""
    kv_file = entry_for(path) / "vectors.kv"
    if not kv_file.is_file():
        return None
    log.info("cache hit for %s", path)
    return load_keyed_vectors(kv_file, mmap="r")


def store(path: Path, kv: KeyedVectors) -> Path:
    """Save ``kv`` as the cache entry of ``path``; remove entries of older versions of the file."""
    entry = entry_for(path)
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".tmp-"))
    try:
        kv.save(str(tmp / "vectors.kv"), separately=["vectors"])
        os.replace(tmp, entry)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not entry.is_dir():
            raise
    prefix = entry.name.split("-")[0]
    for old in entry.parent.glob(f"{prefix}-*"):
        if old != entry:
            shutil.rmtree(old, ignore_errors=True)
    return entry
