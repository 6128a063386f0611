"""One function from examples to a saved, carded checkpoint; shared by the CLI, the recipes and the app."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from seqcore import distributed
from seqcore.batching import Encoder, Example
from seqcore.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from seqcore.corpora import check_vectors_protocol, protocol_of
from seqcore.metrics import Metrics, majority_baseline
from seqcore.models import ModelConfig, SequenceModel, count_parameters, defaults
from seqcore.scoring import evaluate, hard_slice_metrics, no_hard_slice
from seqcore.splits import split_dev
from seqcore.tasks import build_encoder
from seqcore.taskspecs import task_spec
from seqcore.tokens import Vocab
from seqcore.training import Progress, TrainConfig, TrainResult, config_dict, seed_everything, train
from seqcore.vectors import WordVectors, copy_vectors, load_vectors

MODEL_DEFAULTS = defaults(ModelConfig)  # FitSpec's model fields start from ModelConfig's, written once there


@dataclass
class FitSpec:
    """What to train: architecture and vocabulary choices (the optimiser lives in TrainConfig).

    The model fields default to `ModelConfig`'s; `bidirectional` and `use_chars` default to the task's
    (`seqcore.taskspecs`).
    """

    task: str
    cell: str = MODEL_DEFAULTS["cell"]
    embedding_dim: int = MODEL_DEFAULTS["embedding_dim"]
    hidden_size: int = MODEL_DEFAULTS["hidden_size"]
    num_layers: int = MODEL_DEFAULTS["num_layers"]
    bidirectional: bool | None = None  # None: the task's default
    dropout: float = MODEL_DEFAULTS["dropout"]
    pooling: str = MODEL_DEFAULTS["pooling"]
    use_chars: bool | None = None  # None: the task's default
    min_freq: int = 1
    max_vocab: int | None = None
    dev_fraction: float = 0.1
    init_embeddings: str | None = None  # checkpoint folder whose word vectors start this model's
    embeddings: str | None = None  # skip-gram vectors folder (seqcore.embeddings) that starts the word vectors
    embeddings_max_words: int | None = None  # add at most this many of the vectors' words to the vocabulary (None: all)
    freeze_embeddings: bool = False
    init_from: str | None = None  # checkpoint folder to fine-tune: its architecture, vocabulary and every weight

    def __post_init__(self) -> None:
        # Fail on bad options before any data is read or any time is spent.
        ModelConfig(
            task=self.task,
            vocab_size=2,
            num_classes=2,
            cell=self.cell,
            embedding_dim=self.embedding_dim,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
            pooling=self.pooling,
        )
        if not 0.0 < self.dev_fraction < 1.0:
            raise ValueError(f"dev fraction must be in (0, 1), got {self.dev_fraction}")
        if self.min_freq < 1:
            raise ValueError(f"min_freq must be >= 1, got {self.min_freq}")
        if self.embeddings_max_words is not None and self.embeddings_max_words < 0:
            raise ValueError(f"embeddings_max_words must be >= 0, got {self.embeddings_max_words}")
        if self.init_embeddings and self.embeddings:
            raise ValueError("start the word vectors from a checkpoint or from skip-gram vectors, not both")
        if self.init_from and (self.init_embeddings or self.embeddings):
            raise ValueError("--init-from starts every weight from the checkpoint: drop --init-embeddings and --embeddings")


@dataclass
class FitResult:
    """A trained model, its vocabularies, what training did, and its card."""

    model: SequenceModel
    encoder: Encoder
    result: TrainResult
    card: dict
    test_metrics: Metrics | None = None
    dev_examples: list[Example] = field(default_factory=list)


def build_model(spec: FitSpec, encoder: Encoder) -> SequenceModel:
    """Return an untrained model sized for `encoder`'s vocabularies."""
    task = task_spec(spec.task)
    cfg = ModelConfig(
        task=spec.task,
        vocab_size=len(encoder.words),
        num_classes=len(encoder.labels),
        cell=spec.cell,
        embedding_dim=spec.embedding_dim,
        hidden_size=spec.hidden_size,
        num_layers=spec.num_layers,
        bidirectional=task.bidirectional if spec.bidirectional is None else spec.bidirectional,
        dropout=spec.dropout,
        pooling=spec.pooling,
        char_vocab_size=len(encoder.chars) if encoder.chars else 0,
    )
    return SequenceModel(cfg)


def item_gold(examples: Sequence[Example], encoder: Encoder) -> list[int]:
    """Return the gold label index of every labeled item (sentence, aspect or token)."""
    if encoder.task == "sentiment":
        return [encoder.encode_label(ex.label) for ex in examples if ex.label is not None]
    if encoder.task == "aspect":
        return [encoder.encode_label(lab) for ex in examples for lab in ex.aspect_labels]
    return [encoder.encode_label(t) for ex in examples for t in (ex.tags or [])]


def fit(
    spec: FitSpec,
    train_cfg: TrainConfig,
    train_examples: Sequence[Example],
    dev_examples: Sequence[Example] | None = None,
    test_examples: Sequence[Example] | None = None,
    data: dict | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Train a model: carve dev from train when none is given, select on dev, score test once at the end."""
    start = time.perf_counter()
    split = "given dev set"
    if dev_examples is None:
        train_examples, dev_examples = split_dev(train_examples, spec.dev_fraction, train_cfg.seed)
        split = f"dev = {spec.dev_fraction:.0%} of train sentences, grouped by sentence text, seed {train_cfg.seed}"
    task = task_spec(spec.task)
    use_chars = task.use_chars if spec.use_chars is None else spec.use_chars
    encoder = build_encoder(
        spec.task, train_examples, spec.min_freq, spec.max_vocab, lowercase=True, use_chars=use_chars, label_examples=dev_examples
    )
    source = base = None
    if spec.init_from:  # fine-tune: the checkpoint's architecture, vocabulary (new words read as <unk>) and weights
        base = load_checkpoint(spec.init_from)
        if base.config.task != spec.task or base.encoder.labels.itos != encoder.labels.itos:
            raise ValueError(
                f"{spec.init_from} is a {base.config.task} model with labels {base.encoder.labels.itos}: "
                f"it cannot start a {spec.task} model with labels {encoder.labels.itos}"
            )
        encoder = base.encoder
    if spec.init_embeddings:
        source = load_checkpoint(spec.init_embeddings)
        encoder.words = extend_vocab(encoder.words, source.encoder.words)
        spec = replace(spec, embedding_dim=source.config.embedding_dim)
    vectors = load_vectors(spec.embeddings) if spec.embeddings else None
    if vectors is not None:
        check_vectors_protocol({"data": data or {}}, vectors.card)  # vectors that read the test text are refused
        train_words = encoder.words
        encoder.words = extend_vocab(encoder.words, vectors.words, spec.embeddings_max_words)
        spec = replace(spec, embedding_dim=vectors.dim)
    seed_everything(train_cfg.seed)
    model = base.model if base is not None else build_model(spec, encoder)
    if source is not None:
        copied = copy_embeddings(source, model, encoder.words)
        model.embedding.weight.requires_grad_(not spec.freeze_embeddings)
    embeddings_card: str | dict = "random" if base is None else base.card.get("embeddings", "random")
    if vectors is not None:
        copy_vectors(vectors, model, encoder.words)
        model.embedding.weight.requires_grad_(not spec.freeze_embeddings)
        embeddings_card = vectors_coverage(vectors, train_words, train_examples)
        embeddings_card["words_added_from_vectors"] = len(encoder.words) - len(train_words)
        embeddings_card |= {"from": str(spec.embeddings), "frozen": spec.freeze_embeddings, "vectors_card": vectors.card}
    result = train(model, train_examples, dev_examples, encoder, train_cfg, on_progress, should_stop)
    test_metrics = None
    card = {
        "task": spec.task,
        "cell": model.cfg.cell,
        "data": data or {},
        "protocol": protocol_of({"data": data or {}}),  # sst or rt-polarity (seqcore.corpora.PROTOCOLS); None for other data
        "split": split,
        "sizes": {"train": len(train_examples), "dev": len(dev_examples), "test": len(test_examples or [])},
        "seed": train_cfg.seed,
        "train_config": config_dict(train_cfg),
        "parameters": count_parameters(model),
        "best_epoch": result.best_epoch,
        "epochs_run": result.epochs_run,
        "stopped_early": result.stopped_early,
        "stopped_by_user": result.stopped_by_user,
        "history": result.to_dict()["history"],
        "embeddings": embeddings_card,
        "dev_metrics": result.dev_metrics.to_dict() if result.dev_metrics else None,
        "train_seconds": round(result.seconds, 1),
        "device": str(next(model.parameters()).device),
        "torch_threads": torch.get_num_threads(),
        "world_size": distributed.world_size(),  # processes that trained it (torchrun), each on its share of every batch
    }
    if source is not None:
        card["init_embeddings"] = {
            "from": str(spec.init_embeddings),
            "source_task": source.config.task,
            "source_data": source.card.get("data"),
            "words_copied": copied,
            "frozen": spec.freeze_embeddings,
        }
    if base is not None:
        card["init_from"] = {
            "from": str(spec.init_from),
            "base_best_epoch": base.card.get("best_epoch"),
            "base_dev_accuracy": (base.card.get("dev_metrics") or {}).get("accuracy"),
            "base_test_accuracy": (base.card.get("test_metrics") or {}).get("accuracy"),
            "base_command": base.card.get("command"),
        }
    if test_examples and distributed.is_main():  # under torchrun, rank 0 alone scores test
        test_metrics, _ = evaluate(model, test_examples, encoder)
        card["test_metrics"] = test_metrics.to_dict()
        card["test_majority_baseline"] = majority_baseline(item_gold(test_examples, encoder))
        if spec.task == "aspect":
            card["hard_slice"] = hard_slice_metrics(model, test_examples, encoder)
        else:  # said, not left out: every card answers the question
            card["hard_slice"] = no_hard_slice(spec.task)
    card["total_seconds"] = round(time.perf_counter() - start, 1)
    model.to("cpu").eval()
    return FitResult(model, encoder, result, card, test_metrics, list(dev_examples))


def vectors_coverage(vectors: WordVectors, train_words: Vocab, train_examples: Sequence[Example]) -> dict:
    """How much of the training vocabulary (types) and text (tokens) the vectors cover."""
    known = [w for w in train_words.itos[2:] if w in vectors.words]
    tokens = [t for ex in train_examples for t in ex.tokens]
    covered = sum(1 for t in tokens if t in vectors.words)
    return {
        "train_words": len(train_words) - 2,
        "train_words_covered": len(known),
        "word_coverage": len(known) / max(1, len(train_words) - 2),
        "token_coverage": covered / max(1, len(tokens)),
    }


def extend_vocab(words: Vocab, extra: Vocab, most: int | None = None) -> Vocab:
    """Return `words` followed by every word of `extra` it lacks (specials excluded; at most `most`, in `extra`'s order)."""
    known = set(words.itos)
    added = [w for w in extra.itos[2:] if w not in known][:most]
    return Vocab(list(words.itos) + added, lowercase=words.lowercase, has_specials=True)


@torch.no_grad()
def copy_embeddings(source: Checkpoint, model: SequenceModel, words: Vocab) -> int:
    """Copy the source model's vector of every word both vocabularies share; return how many."""
    if source.config.embedding_dim != model.cfg.embedding_dim:
        raise ValueError(f"embedding sizes differ: {source.config.embedding_dim} vs {model.cfg.embedding_dim}")
    src_words, src = source.encoder.words, source.model.embedding.weight
    pairs = [(i, src_words.index(w)) for i, w in enumerate(words.itos) if i >= 2 and w in src_words]
    pairs = [(i, j) for i, j in pairs if j >= 2]
    if pairs:
        dst_idx, src_idx = map(torch.tensor, zip(*pairs))
        model.embedding.weight[dst_idx] = src[src_idx].to(model.embedding.weight.device)
    return len(pairs)


def save_fit(out: str | os.PathLike, fitted: FitResult) -> Path:
    """Save a fitted model as a checkpoint folder."""
    return save_checkpoint(out, fitted.model, fitted.encoder, fitted.card)
