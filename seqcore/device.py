"""Choose the device for each kind of work, in one place.

Two kinds of work, two defaults:

- ``"interactive"``: one sentence at a time (a prediction, trace, trajectory, saliency, unit
  ranking). One sentence is a chain of tiny kernels; on a GPU each one pays a launch and the
  result pays a copy back, so the CPU wins: on an H200 machine a 40-token trace took 10.8 ms on
  CUDA against 4.5 ms on that machine's CPU (issue 11). Default: the CPU.
- ``"batch"``: training and scoring whole files, where a GPU pays off. Default: CUDA, else
  Apple MPS, else the CPU.

``SEQCORE_DEVICE`` (``cpu``, ``cuda``, ``cuda:1``, ``mps``) overrides both. `describe_devices`
is the one line a user interface shows for "the device in use".
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator

import torch

WORKS = ("interactive", "batch")
ENV = "SEQCORE_DEVICE"


@functools.lru_cache(maxsize=1)
def pick_device() -> torch.device:
    """Return the best available device: CUDA, else Apple MPS, else CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def check_available(device: torch.device, source: str = "the device setting") -> torch.device:
    """Return `device` if this machine has it; otherwise raise ValueError naming `source` and what exists."""
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"{source} names {device}, but this machine has no CUDA device: use cpu")
        if device.index is not None and device.index >= count:
            raise ValueError(f"{source} names {device}, but this machine has {count} CUDA device(s): cuda:0..cuda:{count - 1}")
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"{source} names mps, but Apple's MPS is not available here: use cpu")
    elif device.type not in ("cpu", "meta"):
        raise ValueError(f"{source} names {device}: use cpu, cuda, cuda:N or mps")
    return device


def parse_device(name: str, source: str = "the device setting") -> torch.device:
    """Turn a device name into an available torch.device; a bad or missing one raises ValueError naming `source`."""
    try:
        device = torch.device(name.strip())
    except RuntimeError as e:
        raise ValueError(f"{source} names {name!r}, which is not a device: use auto, cpu, cuda, cuda:N or mps") from e
    return check_available(device, source)


def device_override() -> torch.device | None:
    """Return the device SEQCORE_DEVICE names, or None when it is unset, empty or "auto"."""
    raw = os.environ.get(ENV, "").strip()
    if raw in ("", "auto"):
        return None
    return parse_device(raw, ENV)


def device_for(work: str) -> torch.device:
    """Return the device for `work`: "interactive" (one sentence: the CPU) or "batch" (files and training: the best).

    SEQCORE_DEVICE, when set, is the answer for both.
    """
    if work not in WORKS:
        raise ValueError(f"work must be one of {WORKS}, got {work!r}")
    override = device_override()
    if override is not None:
        return override
    return torch.device("cpu") if work == "interactive" else pick_device()


def resolve_device(device: str | torch.device | None) -> torch.device:
    """Return `device` as a torch.device; None or "auto" means the batch device (`device_for("batch")`)."""
    if device is None or device == "auto":
        return device_for("batch")
    if isinstance(device, torch.device):
        return check_available(device)
    return parse_device(device)


def same_device(a: torch.device, b: torch.device) -> bool:
    """Return whether two devices are the same place ("cuda" is the current CUDA device)."""
    if a.type != b.type:
        return False
    if a.type != "cuda" or a.index == b.index:
        return True
    current = torch.cuda.current_device()
    return (current if a.index is None else a.index) == (current if b.index is None else b.index)


def device_name(device: torch.device) -> str:
    """Return a device with its hardware name when it has one: "cuda:0 (NVIDIA H200)", "cpu"."""
    if device.type == "cuda":
        index = torch.cuda.current_device() if device.index is None else device.index
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return str(device)


def devices_in_use() -> dict[str, str | None]:
    """Return {"interactive", "batch", "override"}: where each kind of work runs, and SEQCORE_DEVICE if it decided."""
    override = device_override()
    return {
        "interactive": device_name(device_for("interactive")),
        "batch": device_name(device_for("batch")),
        "override": None if override is None else f"{ENV}={os.environ[ENV].strip()}",
    }


def describe_devices() -> str:
    """Return one line for "the device in use", e.g. "sentences on cpu; training and files on cuda:0 (NVIDIA H200)"."""
    d = devices_in_use()
    if d["override"] is not None:
        return f"everything on {d['batch']} ({d['override']})"
    if d["interactive"] == d["batch"]:
        return f"everything on {d['batch']} (no GPU found)" if d["batch"] == "cpu" else f"everything on {d['batch']}"
    return f"sentences on {d['interactive']}; training and files on {d['batch']}"


@contextlib.contextmanager
def full_float32(device: torch.device) -> Iterator[None]:
    """Run cuDNN's recurrent kernels in full float32 (TF32 off) on CUDA, so scores match the CPU's; restored after.

    Matrix products are float32 by default already; cuDNN's RNNs use TF32 unless told not to.
    """
    if device.type != "cuda":
        yield
        return
    rnn = torch.backends.cudnn.rnn
    before = rnn.fp32_precision  # type: ignore[attr-defined]  # torch's stubs lack the per-operator precision API
    rnn.fp32_precision = "ieee"  # type: ignore[attr-defined]
    try:
        yield
    finally:
        rnn.fp32_precision = before  # type: ignore[attr-defined]


def warm_up(device: torch.device) -> threading.Thread | None:
    """Start `device`'s runtime (the CUDA context: seconds) in a background thread; None when there is nothing to start.

    Call it before reading data, so the two overlap; the first real use of the device waits for it
    (torch initialises CUDA under a lock).
    """
    if device.type != "cuda":
        return None
    if device.index is None and torch.cuda.is_initialized():
        # The current device is per thread: name it, or the thread would start (and hold memory on) cuda:0.
        device = torch.device("cuda", torch.cuda.current_device())
    thread = threading.Thread(target=lambda: torch.empty(1, device=device), name="seqcore-device-warm-up", daemon=True)
    thread.start()
    return thread
