"""Where tensors live and in which precision: the one place that decides.

``resolve("auto" | "cpu" | "cuda" | "cuda:N" | "mps")`` gives a ``torch.device`` (``auto``: CUDA,
then MPS, then the CPU; ``None``: ``$NLP_RNN_DEVICE``, else ``auto``) or raises a UserError naming
the problem and the fix. ``Placement`` pairs the device with a precision (``fp32``, ``bf16``,
``fp16``, or ``auto``: bf16 where the device multiplies bf16 in hardware, see ``resolve_precision``)
and gives the autocast context and gradient scaler the trainer uses. The trainer and the model
loaders call these; applications never move tensors themselves.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch

from nlp_rnn.device_names import DEVICE_CHOICES, DEVICE_ENV, PRECISIONS, check_spec, requested  # noqa: F401 (public here too)
from nlp_rnn.errors import UserError

_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def resolve(spec: str | None = None) -> torch.device:
    """The device ``spec`` names, checked to exist on this machine (see the module docstring)."""
    spec = requested(spec)
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", _local_rank() % torch.cuda.device_count())
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if spec.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UserError(f"--device {spec}: this machine has no usable CUDA GPU (torch {torch.__version__}, "
                            f"CUDA build {torch.version.cuda or 'none'}); use --device cpu or auto")
        index = int(spec.split(":")[1]) if ":" in spec else _local_rank() % torch.cuda.device_count()
        if index >= torch.cuda.device_count():
            raise UserError(f"--device {spec}: this machine has {torch.cuda.device_count()} CUDA GPU(s), "
                            f"numbered from 0; pick one of them")
        return torch.device("cuda", index)
    if spec == "mps" and not _mps_available():
        raise UserError("--device mps: Apple's Metal (MPS) backend is not available here; use --device cpu or auto")
    return torch.device(spec)


def _local_rank() -> int:
    """Under torchrun each local rank takes its own GPU."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def check_precision(precision: str, device: torch.device) -> None:
    """UserError when ``device`` cannot train or run in ``precision``."""
    if precision not in PRECISIONS:
        raise UserError(f"--precision {precision!r} is unknown; use one of {', '.join(PRECISIONS)}")
    if precision == "fp16" and device.type == "cpu":
        raise UserError("--precision fp16 needs a GPU (the CPU's half-precision autocast is neither fast nor "
                        "stable with a gradient scaler); use --precision bf16 or fp32 on the CPU")
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise UserError(f"--precision bf16: {torch.cuda.get_device_name(device)} has no bfloat16; use fp16 or fp32")


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bf16 matrices in hardware: a CUDA GPU of compute capability 8 or more
    (Ampere on), a CPU with AMX (Intel Sapphire Rapids on). Elsewhere bf16 is converted or emulated: no faster."""
    if device.type == "cuda":
        return torch.cuda.get_device_capability(device)[0] >= 8
    if device.type == "cpu":
        capabilities = getattr(torch.cpu, "get_capabilities", None)  # torch 2.6 on; older: no claim
        return bool(capabilities and capabilities().get("amx_bf16"))
    return False


def resolve_precision(precision: str, device: torch.device, matmul_bound: bool = True) -> str:
    """``auto``: bf16 (autocast) for a model whose time goes to large matrix products (``matmul_bound``: a
    word model's softmax) on a device with native bf16, else fp32; any other name as given."""
    if precision != "auto":
        return precision
    return "bf16" if matmul_bound and native_bf16(device) else "fp32"


@dataclass(frozen=True)
class Placement:
    device: torch.device
    precision: str = "fp32"

    @classmethod
    def of(cls, device: str | torch.device | None = None, precision: str = "fp32") -> Placement:
        """Resolve and check a device spec and a precision; raises UserError."""
        resolved = device if isinstance(device, torch.device) else resolve(device)
        precision = resolve_precision(precision, resolved)
        check_precision(precision, resolved)
        return cls(resolved, precision)

    def autocast(self):
        """Mixed precision for forward passes (a no-op in fp32)."""
        if self.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=_DTYPES[self.precision])

    def scaler(self) -> torch.amp.GradScaler:
        """fp16 gradients underflow without loss scaling; bf16 and fp32 need none (scaler disabled)."""
        return torch.amp.GradScaler(self.device.type, enabled=self.precision == "fp16")


def model_device(model: torch.nn.Module) -> torch.device:
    """Where ``model``'s parameters live (the CPU for a model without any)."""
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def to_device(value, device: torch.device):
    """Tensors inside ``value`` (tensor, tuple, list, dict, nested) moved to ``device``; the rest as is."""
    if torch.is_tensor(value):
        return value.to(device, non_blocking=device.type == "cuda")
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(v, device) for v in value)
    if isinstance(value, dict):
        return {k: to_device(v, device) for k, v in value.items()}
    return value


def to_model(model: torch.nn.Module, value):
    """``value``'s tensors moved to where ``model`` lives (inference inputs made on the CPU)."""
    return to_device(value, model_device(model))


def describe(device: torch.device) -> str:
    """A line for people: the device and what it is."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def in_use() -> str:
    """The device the apps run on ($NLP_RNN_DEVICE, else auto), or what is wrong with the variable
    (the apps' model loaders then show that error)."""
    try:
        return describe(resolve(None))
    except UserError as error:
        return f"none usable ({error})"
