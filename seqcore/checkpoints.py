"""Save and load a model as a folder of safetensors and JSON; never pickle.

weights.safetensors  the parameters
config.json          ModelConfig (shapes) + format version
vocab.json           word, label and character vocabularies
card.json            task, data, split, seed, metrics, training time, package versions

A model also travels as a zip of those four files (the app's download). A zip from a user is
treated as hostile: its size, its unpacked size and its number of entries are capped (zip bombs),
names that would escape the folder are refused (zip slip), only the four expected files are read,
and they are written under fixed names into a temporary folder that is removed once loaded.
Every shape in config.json is checked against the safetensors header before any tensor is built,
so a config that asks for a huge model cannot exhaust memory.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

import seqcore
from seqcore.batching import Encoder
from seqcore.models import ModelConfig, SequenceModel, count_parameters

FORMAT_VERSION = 1
FILES = ("weights.safetensors", "config.json", "vocab.json", "card.json")


class CheckpointError(ValueError):
    """A checkpoint folder is missing a file, or a file does not fit the others."""


@dataclass(frozen=True)
class ZipLimits:
    """Caps on a model zip from a user; the largest shipped model is 7 MB unpacked."""

    max_zip_bytes: int = 64 * 2**20
    max_unpacked_bytes: int = 128 * 2**20
    max_entries: int = 16


@dataclass
class Checkpoint:
    """A loaded model with its vocabularies and card."""

    model: SequenceModel
    encoder: Encoder
    card: dict

    @property
    def config(self) -> ModelConfig:
        return self.model.cfg


def package_versions() -> dict[str, str]:
    """Return the versions that produced a checkpoint."""
    from importlib.metadata import PackageNotFoundError, version

    import numpy
    import safetensors

    try:
        sklearn_version = version("scikit-learn")  # read from its metadata: importing it costs ~0.8 s
    except PackageNotFoundError:
        sklearn_version = "not installed"
    return {
        "seqcore": seqcore.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "safetensors": safetensors.__version__,
        "scikit-learn": sklearn_version,
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
    except OSError as e:
        raise CheckpointError(f"{file} cannot be read ({e.strerror or e}): check its permissions") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{file} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise CheckpointError(f"{file} must hold a JSON object")
    return data


def load_checkpoint(path: str | os.PathLike, device: str | torch.device | None = "cpu") -> Checkpoint:
    """Load and validate a checkpoint folder or model zip; raise CheckpointError naming what is missing or wrong."""
    folder = Path(path)
    if folder.is_file():
        if zipfile.is_zipfile(folder):
            return load_checkpoint_zip(folder, device)
        raise CheckpointError(
            f"{folder} is a file but not a model zip: pass a checkpoint folder or the zip the Train page downloads"
        )
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
    _check_weight_shapes(weights, cfg)
    try:
        state = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights} is not a readable safetensors file: {e}") from e
    model = SequenceModel(cfg)
    for name, tensor in state.items():
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{weights}: tensor {name} holds NaN or infinite values")
    model.load_state_dict(state)
    model.to(device if device is not None else "cpu").eval()
    return Checkpoint(model, encoder, card)


def _check_weight_shapes(weights: Path, cfg: ModelConfig) -> None:
    """Compare the safetensors header with the shapes config.json implies, before any tensor is allocated."""
    try:
        with open(weights, "rb") as f:
            f.read(8)
    except OSError as e:
        raise CheckpointError(f"{weights} cannot be read ({e.strerror or e}): check its permissions") from e
    try:
        with safe_open(str(weights), framework="pt") as f:
            found = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights} is not a readable safetensors file: {e}") from e
    with torch.device("meta"):  # shapes only: a config that asks for a huge model allocates nothing
        expected = {k: tuple(v.shape) for k, v in SequenceModel(cfg).state_dict().items()}
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{weights} does not fit config.json: missing tensors {missing[:5]}, unexpected {extra[:5]}")
    for name, shape in expected.items():
        if found[name] != shape:
            raise CheckpointError(f"{weights}: tensor {name} has shape {found[name]}, config.json implies {shape}")


def _zip_member(info: zipfile.ZipInfo, source: str) -> tuple[str, str] | None:
    """Return (top folder or "", file name) of a safe zip entry, None for a folder entry; refuse anything else."""
    name = info.filename
    parts = PurePosixPath(name).parts
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ":" in name
        or any(p in ("..", ".") for p in parts)
        or "" in name.rstrip("/").split("/")
    ):
        raise CheckpointError(f"{source}: entry {name!r} would be written outside the model's folder (zip slip); it was refused")
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise CheckpointError(f"{source}: entry {name!r} is a symbolic link; a model zip holds plain files only")
    if info.flag_bits & 0x1:
        raise CheckpointError(f"{source}: entry {name!r} is encrypted; a model zip holds plain files only")
    if info.is_dir():
        if len(parts) != 1:
            raise CheckpointError(f"{source}: folder {name!r} is nested; a model zip holds four files, at most in one folder")
        return None
    if len(parts) > 2:
        raise CheckpointError(f"{source}: entry {name!r} is nested more than one folder deep")
    top, base = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    if base not in FILES:
        raise CheckpointError(f"{source}: unexpected file {name!r}; a model zip holds only {', '.join(FILES)}")
    return top, base


def load_checkpoint_zip(
    source: str | os.PathLike | bytes,
    device: str | torch.device | None = "cpu",
    limits: ZipLimits = ZipLimits(),
    name: str | None = None,
) -> Checkpoint:
    """Load a model zip (the four checkpoint files, optionally in one folder), treating it as hostile."""
    if isinstance(source, (bytes, bytearray)):
        label, size = name or "the model zip", len(source)
    else:
        label = name or str(source)
        try:
            size = Path(source).stat().st_size
        except OSError as e:
            raise CheckpointError(f"{label} cannot be read ({e.strerror or e})") from e
    if size > limits.max_zip_bytes:
        raise CheckpointError(f"{label} is {size:,} bytes, over the {limits.max_zip_bytes:,}-byte limit for a model zip")
    try:
        data = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
        zf = zipfile.ZipFile(io.BytesIO(data))
    except OSError as e:
        raise CheckpointError(f"{label} cannot be read ({e.strerror or e})") from e
    except zipfile.BadZipFile as e:
        raise CheckpointError(f"{label} is not a zip file ({e})") from e
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise CheckpointError(f"{label} holds {len(infos):,} entries; a model zip holds {len(FILES)} files")
        members: dict[str, zipfile.ZipInfo] = {}
        tops: set[str] = set()
        for info in infos:
            member = _zip_member(info, label)
            if member is None:
                continue
            top, base = member
            if base in members:
                raise CheckpointError(f"{label}: {base} appears twice")
            members[base] = info
            tops.add(top)
        if len(tops) > 1:
            raise CheckpointError(f"{label}: the files sit in different folders ({', '.join(sorted(tops))}); put all four in one")
        missing = [f for f in FILES if f not in members]
        if missing:
            raise CheckpointError(f"{label} lacks {', '.join(missing)}; a model zip holds {', '.join(FILES)}")
        declared = sum(info.file_size for info in members.values())
        if declared > limits.max_unpacked_bytes:
            raise CheckpointError(
                f"{label} would unpack to {declared:,} bytes, over the {limits.max_unpacked_bytes:,}-byte limit (a zip bomb?)"
            )
        with tempfile.TemporaryDirectory(prefix="seqcore-zip-") as tmp:
            written = 0
            for base, info in members.items():
                # Fixed names inside a fresh folder: no path from the archive is ever used on disk.
                try:
                    with zf.open(info) as src, open(Path(tmp) / base, "wb") as dst:
                        while chunk := src.read(1 << 20):
                            written += len(chunk)
                            if written > limits.max_unpacked_bytes:
                                raise CheckpointError(
                                    f"{label} unpacks to more than {limits.max_unpacked_bytes:,} bytes (a zip bomb?)"
                                )
                            dst.write(chunk)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
                    raise CheckpointError(f"{label}: {info.filename} cannot be unpacked ({e})") from e
            try:
                return load_checkpoint(tmp, device)
            except CheckpointError as e:
                raise CheckpointError(str(e).replace(tmp, label)) from e


def checkpoint_to_zip(path: str | os.PathLike) -> bytes:
    """Return a checkpoint folder as zip bytes (for downloads)."""
    folder = Path(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in FILES:
            zf.write(folder / name, arcname=f"{folder.name}/{name}")
    return buf.getvalue()
