"""Save and load a model as a folder of safetensors and JSON; never pickle.

weights.safetensors  the parameters
config.json          ModelConfig (shapes) + format version
vocab.json           word, label and character vocabularies
card.json            task, data, split, seed, metrics, training time, package versions
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

import seqcore
from seqcore.batching import Encoder
from seqcore.models import ModelConfig, SequenceModel, count_parameters

FORMAT_VERSION = 1
FILES = ("weights.safetensors", "config.json", "vocab.json", "card.json")


class CheckpointError(ValueError):
    """A checkpoint folder is missing a file, or a file does not fit the others."""


@dataclass
class Checkpoint:
    """A loaded model with its vocabularies and card."""

    model: SequenceModel
    encoder: Encoder
    card: dict
    path: Path | None = None

    @property
    def config(self) -> ModelConfig:
        return self.model.cfg


def package_versions() -> dict[str, str]:
    """Return the versions that produced a checkpoint."""
    import numpy
    import safetensors
    import sklearn

    return {
        "seqcore": seqcore.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "safetensors": safetensors.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def write_checkpoint_files(folder: Path, model: SequenceModel, encoder: Encoder, card: dict) -> None:
    """Write the four files of a checkpoint into an existing folder."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "weights.safetensors"), metadata={"format_version": str(FORMAT_VERSION)})
    config = {"format_version": FORMAT_VERSION, **model.cfg.to_dict()}
    card = {"format_version": FORMAT_VERSION, "parameters": count_parameters(model), "versions": package_versions(), **card}
    for name, data in (("config.json", config), ("vocab.json", encoder.to_dict()), ("card.json", card)):
        (folder / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def save_checkpoint(path: str | os.PathLike, model: SequenceModel, encoder: Encoder, card: dict | None = None) -> Path:
    """Write a checkpoint folder atomically: into a temporary sibling, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        write_checkpoint_files(tmp, model, encoder, dict(card or {}))
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "x")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _read_json(folder: Path, name: str) -> dict:
    file = folder / name
    if not file.is_file():
        raise CheckpointError(f"{folder} is not a seqcore checkpoint: {name} is missing (expected {', '.join(FILES)})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{file} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise CheckpointError(f"{file} must hold a JSON object")
    return data


def load_checkpoint(path: str | os.PathLike, device: str | torch.device | None = "cpu") -> Checkpoint:
    """Load and validate a checkpoint folder; raise CheckpointError naming what is missing or wrong."""
    folder = Path(path)
    if not folder.is_dir():
        raise CheckpointError(f"no checkpoint folder at {folder}")
    config = _read_json(folder, "config.json")
    version = config.pop("format_version", None)
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{folder}/config.json has format_version {version!r}; this seqcore reads {FORMAT_VERSION}")
    try:
        cfg = ModelConfig.from_dict(config)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{folder}/config.json is not a valid model config: {e}") from e
    try:
        encoder = Encoder.from_dict(_read_json(folder, "vocab.json"))
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{folder}/vocab.json is not valid: {e}") from e
    card = _read_json(folder, "card.json")
    checks = [
        ("task", encoder.task, cfg.task),
        ("word vocabulary size", len(encoder.words), cfg.vocab_size),
        ("number of labels", len(encoder.labels), cfg.num_classes),
        ("character vocabulary size", len(encoder.chars) if encoder.chars else 0, cfg.char_vocab_size),
    ]
    for what, in_vocab, in_config in checks:
        if in_vocab != in_config:
            raise CheckpointError(f"{folder}: vocab.json gives {what} {in_vocab!r} but config.json says {in_config!r}")
    weights = folder / "weights.safetensors"
    if not weights.is_file():
        raise CheckpointError(f"{folder} is not a seqcore checkpoint: weights.safetensors is missing")
    try:
        state = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights} is not a readable safetensors file: {e}") from e
    model = SequenceModel(cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{weights} does not fit config.json: missing tensors {missing[:5]}, unexpected {extra[:5]}")
    for name, tensor in expected.items():
        if state[name].shape != tensor.shape:
            raise CheckpointError(
                f"{weights}: tensor {name} has shape {tuple(state[name].shape)}, config.json implies {tuple(tensor.shape)}"
            )
        if not torch.isfinite(state[name]).all():
            raise CheckpointError(f"{weights}: tensor {name} holds NaN or infinite values")
    model.load_state_dict(state)
    model.to(device if device is not None else "cpu").eval()
    return Checkpoint(model, encoder, card, folder)


def checkpoint_to_zip(path: str | os.PathLike) -> bytes:
    """Return a checkpoint folder as zip bytes (for downloads)."""
    folder = Path(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in FILES:
            zf.write(folder / name, arcname=f"{folder.name}/{name}")
    return buf.getvalue()
