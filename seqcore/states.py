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

import threading
from dataclasses import dataclass
from functools import partial

import torch
from torch import nn

from seqcore.models import SequenceModel, directions_unfused, reverse_within_length

DIRECTIONS = ("forward", "backward")


@dataclass
class Recorded:
    """One fused module's raw output of the last forward pass (a graph tensor)."""

    layer: int
    direction: str
    raw: torch.Tensor  # (B, T, H) padded path; (N, H) data of a PackedSequence on the packed path
    packed: nn.utils.rnn.PackedSequence | None = None


_ACTIVE: dict[int, list[StateRecorder]] = {}  # thread id -> the recorders open in that thread (innermost last)
_HOOK_LOCK = threading.Lock()


def _record(layer: int, direction: str, module: nn.Module, inputs: tuple, output: tuple) -> None:
    """The forward hook every watched module keeps: hands the output to the recorder open in this thread, if any."""
    for rec in reversed(_ACTIVE.get(threading.get_ident(), ())):
        if id(module) in rec._watched:
            rec._take(layer, direction, output)
            return


class StateRecorder:
    """Context manager that records each fused module's output during the model's forward passes.

    with StateRecorder(model) as rec:
        logits = model(ids, lengths)
    states = [rec.token_order(r, r.raw, lengths, T) for r in rec.records]  # each (B, T, H)

    A server shares one model between sessions, each in a thread of its own: a recorder sees only the
    forward passes of the thread that opened it, and turns fusing off in that thread only
    (`seqcore.models.directions_unfused`). Each module gets its hook once, the first time it is watched, and
    keeps it (adding and removing hooks while another thread runs the model is not safe); a module nobody
    records in this thread pays one dictionary lookup.
    """

    def __init__(self, model: SequenceModel) -> None:
        self.model = model
        self.records: list[Recorded] = []
        self._watched: set[int] = set()
        self._unfused = directions_unfused()

    def __enter__(self) -> StateRecorder:
        # Each direction's own module must run for its hook to fire: no fused bidirectional call while recording.
        self._unfused.__enter__()
        for layer, directions in enumerate(self.model.encoder.rnns()):
            for d, rnn in enumerate(directions):
                self._watched.add(id(rnn))
                if not getattr(rnn, "_seqcore_state_hook", False):
                    with _HOOK_LOCK:
                        if not getattr(rnn, "_seqcore_state_hook", False):
                            rnn.register_forward_hook(partial(_record, layer, DIRECTIONS[d]))
                            rnn._seqcore_state_hook = True
        _ACTIVE.setdefault(threading.get_ident(), []).append(self)
        return self

    def __exit__(self, *exc) -> None:
        mine = _ACTIVE.get(threading.get_ident(), [])
        if self in mine:
            mine.remove(self)
        if not mine:
            _ACTIVE.pop(threading.get_ident(), None)
        self._unfused.__exit__(*exc)

    def _take(self, layer: int, direction: str, output: tuple) -> None:
        out = output[0]
        if isinstance(out, nn.utils.rnn.PackedSequence):
            self.records.append(Recorded(layer, direction, out.data, out))
        else:
            self.records.append(Recorded(layer, direction, out))

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
