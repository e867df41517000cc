"""Errors a user can fix. The CLI prints them as one line on stderr and exits with 2."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Something wrong with the user's input, files or options, with the way to fix it."""


class DataError(UserError):
    """A file that cannot be read as the data it should hold.

    The message reads ``FILE:LINE: what is wrong; fix`` (the line is left out when unknown).
    """

    def __init__(self, path: str | Path, problem: str, fix: str = "", line: int | None = None):
        self.path, self.line, self.problem, self.fix = Path(path), line, problem, fix
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}" + (f"; {fix}" if fix else ""))


def require_file(path: str | Path, what: str = "file") -> Path:
    """Return ``path`` as a Path if it is an existing file, else raise a DataError saying so."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, f"no such {what}", "check the path")
    if not path.is_file():
        raise DataError(path, f"not a {what} (a directory?)", "give the path of a file")
    return path
