"""Files a session owns: uploads written under a safe name, folders removed when replaced or when the session ends,
and errors that name what the user gave (the uploaded file's name, the widget) instead of our temporary paths."""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

_FOLDERS = "_session_folders"  # session_state: kind -> _Folder


class _Folder:
    """A folder this session made. Streamlit has no session-end hook, so a weakref finalizer removes the
    folder when the session's state is dropped (session closed and expired) or the process exits."""

    def __init__(self, path: Path):
        self.path = path
        self.remove = weakref.finalize(self, shutil.rmtree, str(path), ignore_errors=True)


def owned_folder(kind: str, path: str | Path | None = None, prefix: str = "nlp-rnn-") -> Path:
    """This session's folder for ``kind``: ``path`` (a folder we made) or a fresh temporary one. The folder it
    replaces is removed, so one session holds at most one folder of each kind."""
    folders = st.session_state.setdefault(_FOLDERS, {})
    folder = _Folder(Path(path) if path is not None else Path(tempfile.mkdtemp(prefix=prefix)))
    for other, held in list(folders.items()):
        if held.path == folder.path:  # adopted from another kind (a training run's folder becomes the model's)
            held.remove.detach()
            del folders[other]
    previous = folders.get(kind)
    if previous is not None:
        previous.remove()
    folders[kind] = folder
    return folder.path


@dataclass(frozen=True)
class Upload:
    """An uploaded file saved on disk: where it lies (ours, safe) and what the user called it (shown, never a path)."""

    path: Path
    name: str


def safe_suffix(name: str) -> str:
    """The upload's extension (readers pick the format by it), reduced to letters and digits: never a path part."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def saved_upload(upload, kind: str) -> Upload:
    """Write a Streamlit upload into a fresh folder of this session as ``upload<ext>``; the user's name is kept
    for messages only. The same upload (same file id) is written once; a new one replaces the old folder."""
    key = f"_upload_{kind}"
    saved = st.session_state.get(key)
    if saved is not None and saved[0] == upload.file_id and saved[1].path.exists():
        return saved[1]
    folder = owned_folder(f"upload-{kind}", prefix=f"nlp-rnn-upload-{kind}-")
    path = folder / f"upload{safe_suffix(upload.name)}"
    path.write_bytes(upload.getvalue())
    result = Upload(path, Path(upload.name.replace("\\", "/")).name or "the uploaded file")
    st.session_state[key] = (upload.file_id, result)
    return result


def user_message(error: Exception, uploads: tuple[Upload, ...] = (), widgets: dict[str, str] | None = None) -> str:
    """``error``'s one line with our paths replaced by the uploads' names and CLI flags by the widgets' labels."""
    message = str(error)
    for upload in uploads:
        message = message.replace(str(upload.path), upload.name)
    for flag, label in (widgets or {}).items():
        message = re.sub(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", label, message)
    return message
