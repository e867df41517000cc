"""Atomic writes that never replace what is not a regular file.

Every file nlp-rnn writes for the user goes through a temporary file beside the target and one
``os.replace``, so a reader sees the old file or the new one, never a part. ``os.replace`` would
just as happily swap a FIFO, a socket or a device node (as root, ``--out /dev/null`` would
replace the system's ``/dev/null``) for a regular file: targets that exist and are anything but
a regular file are refused before anything is written, and again just before the rename.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from nlp_rnn.errors import DataError

FILE_MODE = 0o644  # mkstemp makes 0600; what we write for the user is meant to be shared

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def check_target(path: str | Path) -> Path:
    """``path`` if writing it would replace nothing but a regular file; else a DataError saying what is there."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows links: a link to /dev/null is a device too
    except FileNotFoundError:
        return path
    except OSError as error:
        raise DataError(path, f"cannot check the output path ({error.strerror})", "give a writable file path") from None
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise DataError(path, f"exists and is {what}; nlp-rnn only replaces regular files",
                        "give the path of a new or regular file")
    return path


def replace(tmp: str | Path, path: str | Path) -> None:
    """Rename the finished temporary file ``tmp`` onto ``path`` (checked first; ``tmp`` is removed on refusal)."""
    try:
        check_target(path)
    except DataError:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty file (mode FILE_MODE) in ``path``'s folder, for ``replace`` to rename onto ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    os.chmod(tmp, FILE_MODE)
    return Path(tmp)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    path = check_target(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
