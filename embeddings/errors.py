"""Errors in word-vector specs and files; the message names the file, the line and the fix."""

from __future__ import annotations


class VectorsError(Exception):
    """A spec or a vectors file that cannot be loaded, with what to do about it."""

    def __init__(self, where: str, problem: str, fix: str = "", line: int | None = None):
        self.where, self.line = where, line
        place = f"{where}:{line}" if line is not None else where
        super().__init__(f"{place}: {problem}" + (f"; {fix}" if fix else ""))
