"""Record every layer's and direction's hidden states while the model runs its own forward pass.

The fused `torch.nn` modules are watched with forward hooks, so the states are the exact tensors
of the model's computation graph (no recomputation, no copied equations): gradients of any logit
with respect to them come from `torch.autograd.grad`, and a change to the model's forward is seen
here at once. The backward direction's module reads each sentence reversed within its length
(see `seqcore.models`); `StateRecorder.token_order` puts its outputs (and their gradients) back
in token order.

A recorded output is h_t of one layer and direction, the value the layer hands to the next layer
(or to the head). Its gradient is the one that flows along that path only: the layer's own
recurrence uses its internal state, not the recorded tensor, so d logit / d h_t here is the
effect of h_t through the layers above and the head.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from seqcore.models import SequenceModel, reverse_within_length

DIRECTIONS = ("forward", "backward")


@dataclass
class Recorded:
    """One fused module's raw output of the last forward pass (a graph tensor)."""

    layer: int
    direction: str
    raw: torch.Tensor  # (B, T, H) padded path; (N, H) data of a PackedSequence on the packed path
    packed: nn.utils.rnn.PackedSequence | None = None


class StateRecorder:
    """Context manager that records each fused module's output during the model's forward passes.

    with StateRecorder(model) as rec:
        logits = model(ids, lengths)
    states = [rec.token_order(r, r.raw, lengths, T) for r in rec.records]  # each (B, T, H)
    """

    def __init__(self, model: SequenceModel) -> None:
        self.model = model
        self.records: list[Recorded] = []
        self._handles: list[torch.utils.hooks.RemovableHandle] = []

    def __enter__(self) -> StateRecorder:
        # Each direction's own module must run for its hook to fire: no fused bidirectional call while recording.
        self._fused = self.model.encoder.fuse_directions
        self.model.encoder.fuse_directions = False
        for layer, directions in enumerate(self.model.encoder.rnns()):
            for d, rnn in enumerate(directions):
                self._handles.append(rnn.register_forward_hook(self._hook(layer, DIRECTIONS[d])))
        return self

    def __exit__(self, *exc) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        self.model.encoder.fuse_directions = self._fused

    def _hook(self, layer: int, direction: str):
        def record(module: nn.Module, inputs: tuple, output: tuple) -> None:
            out = output[0]
            if isinstance(out, nn.utils.rnn.PackedSequence):
                self.records.append(Recorded(layer, direction, out.data, out))
            else:
                self.records.append(Recorded(layer, direction, out))

        return record

    def token_order(self, rec: Recorded, value: torch.Tensor, lengths: torch.Tensor, T: int) -> torch.Tensor:
        """Return `value` (the raw output or its gradient) as (B, T, H) in token order; padding rows are zero or garbage."""
        if rec.packed is not None:
            p = rec.packed
            seq = nn.utils.rnn.PackedSequence(value, p.batch_sizes, p.sorted_indices, p.unsorted_indices)
            value, _ = nn.utils.rnn.pad_packed_sequence(seq, batch_first=True, total_length=T)  # (B, T, H)
        if rec.direction == "backward":
            value = reverse_within_length(value, lengths)  # the module read each sentence right to left
        return value


def model_inputs(model: SequenceModel, ids: torch.Tensor, lengths: torch.Tensor, chars: torch.Tensor | None = None) -> dict:
    """Return keyword arguments of `SequenceModel.encode` on the model's device."""
    device = next(model.parameters()).device
    return {"ids": ids.to(device), "lengths": lengths.to(device), "chars": None if chars is None else chars.to(device)}


@torch.no_grad()
def layer_states(
    model: SequenceModel, ids: torch.Tensor, lengths: torch.Tensor, chars: torch.Tensor | None = None
) -> list[tuple[int, str, torch.Tensor]]:
    """Return (layer, direction, h) for every layer and direction of a padded batch; h is (B, T, H) in token order."""
    model.eval()
    with StateRecorder(model) as rec:
        model.encode(**model_inputs(model, ids, lengths, chars))
    T = ids.shape[1]
    lengths = lengths.to(rec.records[0].raw.device)
    return [(r.layer, r.direction, rec.token_order(r, r.raw, lengths, T)) for r in rec.records]
