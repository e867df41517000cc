"""``load_vectors(spec)``: every way users bring word vectors, one gensim KeyedVectors out.

spec is one of
- ``glove-6b-50d``: the packaged default (offline);
- a path: GloVe text (``.txt``/``.txt.gz``), word2vec text or binary, or a gensim ``.kv`` file;
- a gensim-data name (``glove-wiki-gigaword-100``, ``glove-twitter-25``, ...), downloaded once by
  gensim where a network exists, then treated like a local file.
Vectors are loaded once per process and shared: treat them as read-only.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path

from gensim.models import KeyedVectors

from embeddings import cache, packaged
from embeddings.errors import VectorsError
from embeddings.files import parse_vectors
from embeddings.names import GENSIM_DATA
from embeddings.safe_pickle import load_keyed_vectors

log = logging.getLogger(__name__)
DEFAULT = packaged.NAME  # "glove-6b-50d", also embeddings.DEFAULT
_loaded: dict[tuple, KeyedVectors] = {}
_lock = threading.Lock()


def load_vectors(spec: str | Path = DEFAULT) -> KeyedVectors:
    """Load (or reuse) the vectors named by ``spec``; raises VectorsError with the fix."""
    key = _memo_key(spec)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(spec)
        return _loaded[key]


def source_of(spec: str | Path) -> str:
    """Where ``spec`` comes from: "packaged", "file", "gensim-data"."""
    if str(spec) == DEFAULT:
        return "packaged"
    return "file" if Path(spec).exists() or _looks_like_path(spec) else "gensim-data"


def _memo_key(spec) -> tuple:
    if source_of(spec) != "file":
        return (str(spec),)
    path = Path(spec)
    stat = path.stat() if path.exists() else None
    return (str(path.resolve()), stat and stat.st_size, stat and stat.st_mtime_ns, str(cache.cache_root()))


def _looks_like_path(spec) -> bool:
    text = str(spec)
    return "/" in text or "\\" in text or text.endswith((".txt", ".gz", ".bin", ".kv", ".vec", ".w2v"))


def _load(spec) -> KeyedVectors:
    source = source_of(spec)
    if source == "packaged":
        return packaged.load_packaged()
    if source == "file":
        return load_file(Path(spec))
    return load_file(_gensim_data_path(str(spec)))


def load_file(path: Path) -> KeyedVectors:
    """A vectors file: a ``.kv`` loads directly; text/binary is parsed once, then read from the cache."""
    if not path.exists():
        raise VectorsError(str(path), "no such file", f"check the path, or use '{DEFAULT}' (packaged, offline)")
    if not path.is_file():
        raise VectorsError(str(path), "not a file", "give the path of a vectors file")
    if path.suffix == ".kv":
        return load_keyed_vectors(path)
    cached = cache.load_cached(path)
    if cached is not None:
        return cached
    kv = parse_vectors(path)
    try:
        cache.store(path, kv)
        return cache.load_cached(path) or kv
    except OSError as error:  # a read-only cache is a slowdown, not a failure
        log.warning("could not cache %s (%s); it will be parsed again next time", path, error)
        return kv


def _gensim_data_path(name: str) -> Path:
    import gensim.downloader as api

    local = Path(api.BASE_DIR) / name
    files = sorted(p for p in local.glob("*") if p.is_file() and not p.name.startswith("__")) if local.is_dir() else []
    if files:
        return files[0]
    hint = f"use '{DEFAULT}' (packaged, offline) or the path of a local GloVe/word2vec file"
    if name not in GENSIM_DATA:
        raise VectorsError(name, "not a file, the packaged vectors or a known gensim-data name", hint)
    previous, downloader_log = socket.getdefaulttimeout(), logging.getLogger("gensim.downloader")
    level = downloader_log.level
    socket.setdefaulttimeout(10)
    downloader_log.setLevel(logging.CRITICAL)  # it logs a traceback of its own when offline
    try:
        return Path(api.load(name, return_path=True))
    except Exception as error:  # noqa: BLE001 - gensim's downloader raises anything from urllib to ValueError
        raise VectorsError(name, f"cannot download from gensim-data ({type(error).__name__}: no network?)", hint) from None
    finally:
        socket.setdefaulttimeout(previous)
        downloader_log.setLevel(level)
