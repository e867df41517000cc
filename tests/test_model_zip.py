"""Models as zips: what a page hands out loads back the same; what a user hands in is checked first."""

import io
import os
import stat
import zipfile

import pytest
import torch

from nlp_rnn import checkpoint, model_zip
from nlp_rnn.errors import DataError


@pytest.fixture
def model_dir(tmp_path):
    directory = tmp_path / "model"
    checkpoint.save(directory, {"kind": "test", "config": {}}, {"model": {"w": torch.arange(6.0).reshape(2, 3)}})
    checkpoint.save(directory, {"kind": "state"}, {"state": {"s": torch.ones(2)}}, manifest="resume.json")
    return directory


def zipped(*members: tuple[str, bytes], mode: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_a_packed_model_unpacks_to_the_same_model_without_the_training_state(model_dir, tmp_path):
    data = model_zip.pack(model_dir)
    assert data == model_zip.pack(model_dir)  # the same model, the same bytes
    out = model_zip.unpack(data, tmp_path / "out", shown="mine.zip")
    meta, tensors = checkpoint.load(out)
    assert meta["kind"] == "test" and torch.equal(tensors["model"]["w"], torch.arange(6.0).reshape(2, 3))
    assert not (out / "resume.json").exists()


def test_a_zip_of_the_folder_itself_is_accepted(model_dir, tmp_path):
    members = [(f"model/{p.name}", p.read_bytes()) for p in model_dir.iterdir() if not p.name.startswith("resume")]
    members = [m for m in members if "state" not in m[0]]
    out = model_zip.unpack(zipped(*members), tmp_path / "out")
    assert checkpoint.load(out)[0]["kind"] == "test"


@pytest.mark.parametrize(("members", "mode", "problem"), [
    ([("../checkpoint.json", b"{}")], None, "points outside the folder"),
    ([("/etc/checkpoint.json", b"{}")], None, "points outside the folder"),
    ([("C:/checkpoint.json", b"{}")], None, "points outside the folder"),
    ([("checkpoint.json", b"{}"), ("model.pkl", b"cos\nsystem\n(S'touch /tmp/pwned'\ntR.")], None, "not a model file"),
    ([("a/b/checkpoint.json", b"{}")], None, "not a model file"),
    ([("checkpoint.json", b"model.safetensors")], stat.S_IFLNK | 0o777, "not a plain file"),
    ([("weights.safetensors", b"")], None, "no checkpoint.json"),
    ([(f"m{i}.json", b"{}") for i in range(20)], None, "more than a model has"),
    ([("checkpoint.json", b"{}"), ("x/checkpoint.json", b"{}")], None, "same file name"),
])
def test_hostile_zips_are_refused_with_one_line_naming_the_upload(tmp_path, members, mode, problem):
    with pytest.raises(DataError) as caught:
        model_zip.unpack(zipped(*members, mode=mode), tmp_path / "out", shown="mine.zip")
    assert str(caught.value).startswith("mine.zip: ") and problem in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")
    assert not (tmp_path / "checkpoint.json").exists()


def test_not_a_zip_and_a_zip_bomb_are_refused(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="mine.zip: not a zip file"):
        model_zip.unpack(b"PK\x03\x04 nonsense", tmp_path / "a", shown="mine.zip")
    monkeypatch.setattr(model_zip, "MAX_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("checkpoint.json", b"0" * 100_000)  # compresses to a few hundred bytes
    with pytest.raises(DataError, match="unpacks to more than"):
        model_zip.unpack(buffer.getvalue(), tmp_path / "b", shown="mine.zip")
