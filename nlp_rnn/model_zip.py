"""A model folder as one zip file to take away, and a zip a user hands us, checked before anything reads it.

What goes in: the manifest (``checkpoint.json``) and the tensor files it names; not the training state.
What comes out only if: it is a zip; every member is a plain file named ``*.json`` or ``*.safetensors`` (at
the top or in one folder), with no absolute path, no ``..``, no links; members and sizes are within caps
(checked on the bytes read, not the sizes the zip claims). The folder is then read by the normal checkpoint
loader (JSON and safetensors; nothing is unpickled).
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path, PurePosixPath

from nlp_rnn import checkpoint
from nlp_rnn.errors import DataError
from nlp_rnn.writer_lock import LOCK_NAME

MAX_MEMBERS = 16
MAX_BYTES = 512 * 2**20  # in all, unpacked: the largest preset models are tens of MB
ALLOWED = (".json", ".safetensors")
EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member dates: the same model gives the same zip


def pack(directory: str | Path) -> bytes:
    """The zip of the model in ``directory``: its manifest and the tensor files the manifest names."""
    directory = Path(directory)
    meta = json.loads((directory / checkpoint.CHECKPOINT).read_text("utf-8"))
    names = [checkpoint.CHECKPOINT] + sorted(str(entry["file"]) for entry in meta.get("files", {}).values())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, EPOCH)
            info.external_attr, info.compress_type = (stat.S_IFREG | 0o644) << 16, zipfile.ZIP_DEFLATED
            archive.writestr(info, (directory / name).read_bytes())
    return buffer.getvalue()


def _member_name(info: zipfile.ZipInfo, shown: str) -> str:
    """The plain file name of a member, or a DataError saying why the member is refused."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    mode = info.external_attr >> 16
    if info.filename.startswith(("/", "\\")) or (path.parts and ":" in path.parts[0]) or ".." in path.parts:
        raise DataError(shown, f"member {info.filename!r} points outside the folder", "zip the model folder itself")
    if info.is_dir() or path.name == LOCK_NAME:
        return ""  # folders, and the writer lock file a zipped model folder holds: skipped, never written
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: a zip made without Unix modes
        raise DataError(shown, f"member {info.filename!r} is not a plain file (a link?)", "zip the model folder itself")
    if len(path.parts) > 2 or path.suffix not in ALLOWED:
        raise DataError(shown, f"member {info.filename!r} is not a model file (only .json and .safetensors)",
                        "zip a folder that nlp-rnn saved, and nothing else")
    return path.name


def unpack(data: bytes, out: str | Path, shown: str = "the zip") -> Path:
    """Check the zip ``data`` (named ``shown`` in errors) and write its model files into the folder ``out``."""
    out = Path(out)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataError(shown, "not a zip file", "download a model from a page, or zip a model folder") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DataError(shown, f"{len(infos)} members, more than a model has ({MAX_MEMBERS})", "zip one model folder")
        members = [(info, name) for info in infos if (name := _member_name(info, shown))]
        if len({name for _, name in members}) != len(members):
            raise DataError(shown, "two members with the same file name", "zip one model folder")
        if checkpoint.CHECKPOINT not in {name for _, name in members}:
            raise DataError(shown, f"no {checkpoint.CHECKPOINT} in it", "zip a folder that nlp-rnn saved")
        out.mkdir(parents=True, exist_ok=True)
        left = MAX_BYTES
        for info, name in members:
            with archive.open(info) as member:
                content = member.read(left + 1)  # never more than the cap, whatever the zip claims
            left -= len(content)
            if left < 0:
                raise DataError(shown, f"unpacks to more than {MAX_BYTES // 2**20} MB", "this is not a model nlp-rnn saved")
            checkpoint.atomic_write_bytes(out / name, content)
    return out
