"""Checks of the user's files made before any work starts, so a bad one fails in the first second."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nlp_rnn.errors import DataError, require_file


def require_stream(path: str | Path, what: str = "input file") -> Path:
    """``path`` if it is a readable file or pipe: a shell's process substitution ``<(...)`` is a
    ``/dev/fd/N`` pipe, not a regular file, and reads as well when streamed once."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DataError(path, f"no such {what}", "check the path") from None
    except OSError as error:
        raise DataError(path, f"cannot be read ({error.strerror})", "check the path and its permissions") from None
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        require_file(path, what)
    if not os.access(path, os.R_OK):
        raise DataError(path, f"the {what} is not readable", "check its permissions")
    return path


def require_out_dir(path: str | Path) -> Path:
    """``path`` if a model directory can be written there (it exists as a folder, or does not exist yet)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DataError(path, "exists and is not a folder", "give --out a folder (new or a model directory)")
    return path
