"""The resumable part of a training run, stored as a second checkpoint manifest (``resume.json``).

It holds the model weights, the optimizer's tensors and the torch RNG states (CPU, and each GPU's
when CUDA is in use) as safetensors, and everything else (epoch, step, history, schedule,
optimizer settings) as JSON, so a resumed run continues exactly where the interrupted one stopped.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from nlp_rnn import checkpoint, manifest
from nlp_rnn.errors import DataError
from nlp_rnn.models.store import unique_state

RESUME = "resume.json"
PROGRESS_REQUIRED = ("epoch", "step", "step_in_epoch", "history")  # where a run stands; the rest has defaults


def _split_optimizer(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Optimizer state → (tensors named "state.<param>.<key>", JSON-able rest)."""
    state_dict = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state_dict["state"].items():
        for key, value in values.items():
            if torch.is_tensor(value):
                tensors[f"state.{index}.{key}"] = value
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalars": scalars}


def _join_optimizer(tensors: dict[str, torch.Tensor], json_part: dict) -> dict:
    state: dict[int, dict] = {}
    for name, value in tensors.items():
        _, index, key = name.split(".", 2)
        state.setdefault(int(index), {})[key] = value
    for name, value in json_part["scalars"].items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    return {"state": state, "param_groups": json_part["param_groups"]}


def _cuda_rng() -> dict[str, torch.Tensor]:
    """Every GPU's generator state, stacked (gpus, state); nothing on a machine that never used CUDA."""
    if not (torch.cuda.is_available() and torch.cuda.is_initialized()):
        return {}
    return {"cuda_rng": torch.stack(torch.cuda.get_rng_state_all())}


def save_training_state(
    directory: Path, model: nn.Module, optimizer: torch.optim.Optimizer, progress: dict, task_state: dict,
    exclude: tuple[str, ...] = (),
) -> None:
    """Write everything needed to resume; ``progress`` is JSON-able, ``task_state`` tensors.
    ``exclude``: frozen weights kept elsewhere (pretrained vectors), not written every epoch."""
    optimizer_tensors, optimizer_json = _split_optimizer(optimizer)
    weights, _ = unique_state(model)
    weights = {name: tensor for name, tensor in weights.items() if name not in exclude}
    tensors = {
        "model": weights,
        "optimizer": optimizer_tensors,
        "runtime": {"torch_rng": torch.get_rng_state(), **_cuda_rng(), **{f"task.{k}": v for k, v in task_state.items()}},
    }
    checkpoint.save(directory, {"progress": progress, "optimizer": optimizer_json}, tensors, manifest=RESUME)


def load_training_state(
    directory: Path, model: nn.Module, optimizer: torch.optim.Optimizer, progress_type: type | None = None,
) -> tuple[dict, dict[str, torch.Tensor]]:
    """Restore model, optimizer and RNG in place; return (progress, task_state).

    The state is validated first (``progress_type``: the dataclass ``progress`` must fit); an edited
    or damaged one raises DataError, never a traceback."""
    if not checkpoint.exists(directory, RESUME):
        raise DataError(directory, "no training state to resume from", "train without --resume first")
    meta, tensors = checkpoint.load(directory, RESUME)
    source = directory / RESUME
    manifest.check(meta, manifest.RESUME, source)
    if progress_type is not None:
        schema = manifest.dataclass_schema(progress_type, required=PROGRESS_REQUIRED, closed=False)
        manifest.check(meta["progress"], schema, source)
    try:
        model.load_state_dict(tensors["model"], strict=False)
        optimizer.load_state_dict(_join_optimizer(tensors["optimizer"], meta["optimizer"]))
        torch.set_rng_state(tensors["runtime"]["torch_rng"])
    except (RuntimeError, ValueError, KeyError, TypeError) as error:
        raise DataError(source, f"training state does not fit this model ({str(error).splitlines()[0]})",
                        "resume with the same options, or train afresh without --resume") from None
    runtime = tensors["runtime"]
    if "cuda_rng" in runtime and torch.cuda.is_available() and len(runtime["cuda_rng"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(list(runtime["cuda_rng"]))  # dropout masks on the GPU continue too
    task_state = {k.removeprefix("task."): v for k, v in runtime.items() if k.startswith("task.")}
    return meta["progress"], task_state


SCALER_FIELDS = {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}


def restore_scaler(scaler: torch.amp.GradScaler, state: dict | None, directory: Path) -> None:
    """Give an enabled (fp16) gradient scaler the scale and growth count it had; without them a resumed run starts
    again from 65536 and skips the steps its scale overflows. A damaged state is a DataError, not a later crash."""
    if not scaler.is_enabled() or not state:
        return
    if set(state) != SCALER_FIELDS or not all(type(v) in (int, float) for v in state.values()):
        raise DataError(directory / RESUME, "damaged gradient-scaler state",
                        "resume with the same options, or train afresh without --resume")
    scaler.load_state_dict(state)
