"""Devices and precision: one place resolves them, every model command takes them, checkpoints map."""

import argparse
from pathlib import Path

import pytest
import torch

from nlp_rnn import checkpoint, devices
from nlp_rnn.cli.main import build_parser, main
from nlp_rnn.errors import UserError
from nlp_rnn.models.language_model import LanguageModel, LanguageModelConfig
from nlp_rnn.models.store import load_model, save_model
from nlp_rnn.numpy_step import NumpyStep
from nlp_rnn.sampling import _stepper
from nlp_rnn.training import TrainConfig, Trainer
from tests.helpers import SequenceClassTask

TEXT = "the cat sat on the mat .\nthe dog sat on the log .\n" * 40
# every command that trains, evaluates, generates or classifies
MODEL_COMMANDS = [["text", "train"], ["text", "evaluate"], ["text", "generate"], ["emojify", "train"],
                  ["emojify", "evaluate"], ["emojify", "classify"], ["emojify", "explain"], ["jazz", "train"],
                  ["jazz", "generate"], ["lab", "abcde"], ["lab", "sine"], ["lab", "series"], ["lab", "compare"]]


@pytest.fixture
def no_gpu(monkeypatch):
    """This machine as one without CUDA or MPS, whatever it really has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "_mps_available", lambda: False)
    monkeypatch.delenv(devices.DEVICE_ENV, raising=False)


def _text_model(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT)
    out = tmp_path / "model"
    assert main(["text", "train", "--corpus", str(corpus), "--layers", "1", "--hidden", "8", "--embed", "8",
                 "--batch-size", "4", "--bptt", "10", "--max-steps", "2", "--out", str(out), "--device", "cpu"]) == 0
    return out


def test_resolution_auto_env_and_explicit(no_gpu, monkeypatch):
    assert devices.resolve("auto") == devices.resolve(None) == torch.device("cpu")
    assert devices.resolve("CPU") == torch.device("cpu")
    monkeypatch.setenv(devices.DEVICE_ENV, "meta")
    assert devices.resolve(None) == torch.device("meta")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert devices.resolve("auto") == devices.resolve("cuda") == torch.device("cuda", 0)
    assert devices.resolve("cuda:1") == torch.device("cuda", 1)
    monkeypatch.setenv("LOCAL_RANK", "3")  # under torchrun each local rank takes its own GPU
    assert devices.resolve("cuda") == torch.device("cuda", 1)
    with pytest.raises(UserError, match="has 2 CUDA GPU"):
        devices.resolve("cuda:2")


@pytest.mark.parametrize("spec, message", [("cuda", "no usable CUDA GPU"), ("cuda:0", "no usable CUDA GPU"),
                                           ("mps", "MPS"), ("gpu", "not a device"), ("cuda:x", "not a device")])
def test_unusable_devices_are_user_errors(no_gpu, spec, message):
    with pytest.raises(UserError, match=message):
        devices.resolve(spec)


def test_precision_checks(no_gpu):
    cpu = torch.device("cpu")
    assert devices.Placement.of("cpu", "bf16").precision == "bf16"
    with pytest.raises(UserError, match="fp16 needs a GPU"):
        devices.Placement.of("cpu", "fp16")
    assert not devices.Placement(cpu, "fp32").scaler().is_enabled()
    with devices.Placement(cpu, "bf16").autocast():
        assert (torch.ones(2, 3) @ torch.ones(3, 2)).dtype == torch.bfloat16


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_is_bf16_only_for_a_word_model_on_native_bf16(no_gpu, monkeypatch, native):
    from nlp_rnn.textgen.pipeline import TextOptions, precision_of

    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {"amx_bf16": native, "avx512_bf16": True})
    cpu = torch.device("cpu")
    assert devices.native_bf16(cpu) is native
    assert devices.Placement.of("cpu", "auto").precision == ("bf16" if native else "fp32")
    assert devices.resolve_precision("fp32", cpu) == "fp32" and devices.resolve_precision("bf16", cpu) == "bf16"
    word, char = TextOptions(corpus="lee", level="word"), TextOptions(corpus="lee", level="char")
    assert precision_of(word) == ("bf16" if native else "fp32") and precision_of(char) == "fp32"
    assert build_parser().parse_args(["text", "train", "--corpus", "x", "--out", "y"]).precision == "auto"
    assert build_parser().parse_args(["text", "generate", "--model", "y"]).precision == "fp32"


@pytest.mark.parametrize("command", MODEL_COMMANDS, ids=" ".join)
def test_every_model_command_takes_device_and_precision(command):
    parser = build_parser()
    for name in command:  # walk down to the command's own parser
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    flags = {flag for action in parser._actions for flag in action.option_strings}
    assert {"--device", "--precision"} <= flags
    assert {"--nproc", "--max-restarts"} <= flags or command[0] == "lab" or command[1] != "train"


@pytest.mark.parametrize("extra, message", [(["--device", "cuda"], "--device cuda: this machine has no usable CUDA GPU"),
                                            (["--device", "gpu"], "is not a device"),
                                            (["--precision", "fp16", "--device", "cpu"], "fp16 needs a GPU")])
def test_cli_refuses_unusable_devices_in_one_line(no_gpu, tmp_path, capsys, extra, message):
    try:
        code = main(["text", "generate", "--model", str(tmp_path / "absent"), "--length", "3"] + extra)
    except SystemExit as exit_:  # argparse's own refusal of a flag value
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cpu_and_auto_train_evaluate_and_generate(no_gpu, tmp_path, capsys):
    out = _text_model(tmp_path)
    capsys.readouterr()
    for device in ("cpu", "auto"):
        assert main(["text", "generate", "--model", str(out), "--length", "12", "--seed", "1", "--device", device]) == 0
        assert main(["text", "evaluate", "--model", str(out), "--corpus", str(tmp_path / "corpus.txt"),
                     "--device", device, "--precision", "bf16"]) == 0
    assert capsys.readouterr().out.count("perplexity") == 2
    assert main(["lab", "abcde", "--variant", "embedding", "--epochs", "3", "--device", "auto", "--json"]) == 0


def test_checkpoints_load_onto_the_requested_device(tmp_path):
    torch.manual_seed(0)
    model = LanguageModel(LanguageModelConfig(vocab_size=11, embed_dim=6, hidden_size=6, num_layers=2, tie_weights=True))
    save_model(tmp_path, model)
    _, tensors = checkpoint.load(tmp_path, device="meta")
    assert all(t.device.type == "meta" for t in tensors["model"].values())
    on_meta = load_model(tmp_path, device="meta").model
    assert {p.device.type for p in on_meta.parameters()} == {"meta"}
    assert {k: t.shape for k, t in on_meta.state_dict().items()} == {k: t.shape for k, t in model.state_dict().items()}
    on_cpu = load_model(tmp_path, device="cpu").model
    for (name, a), b in zip(model.state_dict().items(), on_cpu.state_dict().values()):
        assert b.device.type == "cpu" and torch.equal(a, b), name
    assert on_cpu.decoder.weight is on_cpu.embedding.weight  # tied weights stay tied after the move


def test_trainer_places_the_model_and_trains_in_bf16(no_gpu):
    from nlp_rnn.models.classifier import Classifier, ClassifierConfig

    torch.manual_seed(0)
    model = Classifier(ClassifierConfig(vocab_size=20, embed_dim=8, num_classes=3, cell="gru", hidden_size=16))
    trainer = Trainer(model, SequenceClassTask(steps=4), TrainConfig(epochs=1, lr=0.01, progress=False, precision="bf16"))
    assert trainer.placement.device == torch.device("cpu") and trainer.network is model
    history = trainer.fit()
    assert torch.isfinite(torch.tensor(history[0]["train_loss"])) and "val_accuracy" in history[0]


def test_sampling_uses_numpy_on_the_cpu_and_the_torch_step_elsewhere():
    model = LanguageModel(LanguageModelConfig(vocab_size=9, embed_dim=4, hidden_size=4)).eval()
    hidden = model.init_hidden(1)
    assert isinstance(_stepper(model, hidden, torch.device("cpu")), NumpyStep)
    assert not isinstance(_stepper(model, hidden, torch.device("meta")), NumpyStep)


def test_home_page_shows_the_device(no_gpu):
    from streamlit.testing.v1 import AppTest

    home = Path(__file__).resolve().parents[1] / "apps" / "Home.py"  # the app adds apps/ to the path
    at = AppTest.from_file(str(home), default_timeout=60).run()
    assert not at.exception
    assert any(c.value.startswith("Device: cpu (") for c in at.caption)
