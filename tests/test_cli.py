"""The command line: help everywhere, instant help, one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from nlp_rnn.cli.main import GROUPS, build_parser, main


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "nlp_rnn", *args], capture_output=True, text=True, timeout=120, **kwargs)


def all_command_paths():
    """Every group and command, e.g. ("lab",), ("lab", "gradcheck")."""
    parser = build_parser()
    paths = []
    for name, group in parser._subparsers._group_actions[0].choices.items():
        paths.append((name,))
        for action in group._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                paths.extend((name, command) for command in action.choices)
    return paths


def test_every_group_is_there():
    assert set(GROUPS) == {"emojify", "text", "jazz", "embeddings", "lab", "app"}


@pytest.mark.parametrize("path", all_command_paths())
def test_help_on_every_command(path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    assert "usage: nlp-rnn" in capsys.readouterr().out


def test_help_imports_neither_torch_nor_gensim():
    """Lazy imports keep `nlp-rnn --help` well under a second."""
    code = ("import sys; from nlp_rnn.cli.main import build_parser; import embeddings.errors; build_parser(); "
            "print(sorted(m for m in ('torch', 'gensim', 'numpy', 'streamlit') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_module_entry_point_and_no_command():
    assert run("--help").returncode == 0
    result = run()
    assert result.returncode == 2 and "usage" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["lab", "gradcheck", "--seed", "x"], ["lab", "nosuch"], ["nosuch"], ["lab"], ["--bogus"]],
)
def test_user_errors_are_one_line_and_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in result.stderr


def test_gradcheck_json_reports_every_cell_within_tolerance():
    result = run("lab", "gradcheck", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and set(report["cells"]) == {"rnn", "lstm", "gru"}
    for row in report["cells"].values():
        assert row["forward_max_abs_diff"] <= 1e-5 and row["gradcheck_max_relative_error"] <= 1e-5


def test_gradcheck_table(capsys):
    assert main(["lab", "gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "lstm" in out and "all within" in out


def test_user_error_from_a_command_becomes_one_line(monkeypatch, capsys):
    from nlp_rnn.cli import lab
    from nlp_rnn.errors import DataError

    def broken(args):
        raise DataError("data.csv", "row has 3 fields", "quote the sentence", line=7)

    monkeypatch.setattr(lab, "run_gradcheck", broken)
    assert main(["lab", "gradcheck"]) == 2
    assert capsys.readouterr().err == "nlp-rnn: error: data.csv:7: row has 3 fields; quote the sentence\n"
