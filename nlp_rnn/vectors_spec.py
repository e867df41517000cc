"""The word vectors a saved model names (Emojify's ``extra.vectors``), limited to what is safe to open.

A model folder may come from anyone; a vectors spec naming any path would make loading it open
``/dev/zero``, a FIFO or a file anywhere on the machine. A stored spec is therefore one of the known
names (the packaged GloVe, gensim-data's names) or the plain name of a file beside the model,
opened like any user file (a regular file, checked and parsed by ``embeddings``). Training with
vectors from a file elsewhere links that file into the model folder and stores its name.
"""

from __future__ import annotations

import os
from pathlib import Path

from embeddings.names import DEFAULT, GENSIM_DATA
from nlp_rnn.errors import DataError


def stored_spec(spec: str) -> str:
    """What a checkpoint stores for the vectors ``spec`` a model was trained with."""
    from embeddings.loading import source_of

    return Path(spec).name if source_of(spec) == "file" else spec


def link_beside(out_dir: str | Path, spec: str) -> None:
    """Make a file spec reachable from the model folder ``out_dir`` by its plain name (a symlink)."""
    from embeddings.loading import source_of

    if source_of(spec) != "file":
        return
    source, out = Path(spec).resolve(), Path(out_dir)
    link = out / source.name
    out.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(link):  # nothing there, not even a dangling link
        try:
            os.symlink(source, link)
        except FileExistsError:  # made meanwhile by another process (the other ranks of a launch make it too)
            pass
    if link.resolve() != source:  # the file itself, or our link from an earlier run or another process, is fine
        raise DataError(link, f"is in the way of a link to the vectors file {spec}",
                        "remove it, or give the vectors file another name")


def resolve_stored(directory: str | Path, spec: object, need_file: bool = True) -> str:
    """The vectors spec to load for the model in ``directory``, or a DataError for one that names a path.

    A file beside the model comes back as its resolved path (members of one ensemble, each with
    its link, then name the same file); ``need_file=False``: a model that stores its own rows
    needs no vectors file, so a missing one is no error."""
    source = Path(directory) / "checkpoint.json"
    if spec == DEFAULT or spec in GENSIM_DATA:
        return str(spec)
    if not isinstance(spec, str) or not spec or spec in (".", "..") or "/" in spec or "\\" in spec:
        raise DataError(source, f"extra.vectors names {spec!r}, neither a known vectors name nor a file beside "
                        "the model", f"use '{DEFAULT}', a gensim-data name, or the name of a file in the model folder")
    path = Path(directory) / spec
    if not need_file and not path.exists():
        return str(path.resolve())
    if not path.is_file():  # follows a link; a FIFO or a device is not a file
        raise DataError(path, "the model's vectors file is missing or not a regular file",
                        "put the vectors file the model was trained with in the model folder")
    return str(path.resolve())
