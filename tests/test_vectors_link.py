"""The link from a model folder to its vectors file (``vectors_spec.link_beside``): made once, shared
by processes that make it at the same time (the ranks of a launch), never over a file of the user's."""

import os

import pytest

from nlp_rnn import vectors_spec
from nlp_rnn.errors import DataError


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("cat 0.1 0.2\n")
    return path


def test_the_link_is_made_and_made_again_without_error(source, tmp_path):
    out = tmp_path / "model"
    vectors_spec.link_beside(out, str(source))
    vectors_spec.link_beside(out, str(source))  # a second run into the folder
    assert os.readlink(out / "mine.txt") == str(source.resolve())


def _racing_symlink(made_first):
    """os.symlink as it behaves when another process links ``made_first`` between our check and our call."""
    real = os.symlink

    def symlink(target, link):
        real(made_first, link)
        real(target, link)  # raises FileExistsError, as the loser of the race sees
    return symlink


def test_a_link_another_process_made_meanwhile_is_accepted(source, tmp_path, monkeypatch):
    monkeypatch.setattr(vectors_spec.os, "symlink", _racing_symlink(source.resolve()))
    vectors_spec.link_beside(tmp_path / "model", str(source))
    assert (tmp_path / "model" / "mine.txt").resolve() == source.resolve()


def test_a_different_file_made_meanwhile_is_refused_and_kept(source, tmp_path, monkeypatch):
    other = tmp_path / "other.txt"
    other.write_text("dog 0.3 0.4\n")
    monkeypatch.setattr(vectors_spec.os, "symlink", _racing_symlink(other))
    with pytest.raises(DataError, match="is in the way of a link to the vectors file"):
        vectors_spec.link_beside(tmp_path / "model", str(source))
    assert (tmp_path / "model" / "mine.txt").resolve() == other


def test_a_users_file_in_the_way_is_refused_and_untouched(source, tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "mine.txt").write_text("my notes\n")
    with pytest.raises(DataError, match="remove it, or give the vectors file another name"):
        vectors_spec.link_beside(out, str(source))
    assert (out / "mine.txt").read_text() == "my notes\n"
