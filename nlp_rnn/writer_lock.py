"""One writer per model folder: a lock file held from a run's first save to its end.

Two processes training into one ``--out`` would interleave their manifests and tensor files;
the second is refused with one line instead. The lock is ``filelock``'s (``flock`` on POSIX), so
a crashed writer never leaves a stale lock behind. Within a process the lock is re-entrant for
the thread that holds it (the Trainer holds it while ``checkpoint.save`` takes it per save);
another thread is refused like another process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from nlp_rnn.errors import UserError

LOCK_NAME = ".nlp-rnn-writer.lock"
_held: dict[Path, tuple[int, filelock.BaseFileLock, int]] = {}  # folder → (thread id, lock, depth)
_guard = threading.Lock()


class FolderBusy(UserError):
    """Another process (or thread) is writing a model into the same folder."""


@contextmanager
def writer(directory: str | Path) -> Iterator[None]:
    """Hold the writer lock of ``directory`` (created if missing); raise FolderBusy if another holds it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key, me = directory.resolve(), threading.get_ident()
    with _guard:
        owner, lock, depth = _held.get(key, (me, None, 0))
        if owner != me:
            raise _busy(directory)
        if lock is None:
            lock = filelock.FileLock(str(key / LOCK_NAME), thread_local=False)
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                raise _busy(directory) from None
        _held[key] = (me, lock, depth + 1)
    try:
        yield
    finally:
        with _guard:
            _, lock, depth = _held.pop(key)
            if depth > 1:
                _held[key] = (me, lock, depth - 1)
            else:
                lock.release()


def _busy(directory: Path) -> FolderBusy:
    return FolderBusy(f"{directory}: another nlp-rnn run is writing a model into this folder; "
                      "wait for it to finish or give another --out")
