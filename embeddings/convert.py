"""``embeddings convert``'s writer: gensim's native format, written beside the target and renamed in.

gensim's ``KeyedVectors.save`` writes ``OUT.kv`` and ``OUT.kv.vectors.npy`` in place. Converting a
``.kv`` onto itself would then rewrite the very ``.npy`` its vectors are memory-mapped from, and
the vectors would be lost half-way. Saving into a fresh folder beside the target and renaming
each file into place leaves the mapped file's contents alone (the mapping keeps the old inode)
and makes each file appear whole.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from gensim.models import KeyedVectors

from embeddings.errors import VectorsError

FILE_MODE = 0o644


def save_native(kv: KeyedVectors, out: Path) -> list[Path]:
    """Save ``kv`` as ``out`` (a ``.kv`` file) plus its array file; return the paths written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        kv.save(str(tmp / out.name), separately=["vectors"])
        made = sorted(tmp.iterdir(), key=lambda p: p.name == out.name)  # arrays first, the .kv that names them last
        for path in made:
            _check_regular(out.parent / path.name)
        for path in made:
            os.chmod(path, FILE_MODE)
            os.replace(path, out.parent / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out.parent / path.name for path in made]


def _check_regular(path: Path) -> None:
    """Renaming onto a FIFO or a device node would replace it: refuse anything but a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise VectorsError(str(path), "exists and is not a regular file (a folder, FIFO or device)",
                           "give another output path")
