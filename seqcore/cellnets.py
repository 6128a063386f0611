"""`LoopCell`: the PyTorch module that trains a cell variant, one time step at a time over a padded batch.

A variant (`seqcore.cells.variants`: Greff et al. 2017's LSTM ablations, the GRU ablations, MGU)
has no fused kernel. LoopCell keeps the fused modules' parameter names and layout (weight_ih_l0
(G*H, in), weight_hh_l0 (G*H, H), bias_ih_l0, bias_hh_l0, blocks in the spec's order), so every
reader of the fused weights (`seqcore.traces.cell_weights`, the Inside page's counts) reads it too;
the variant's other parameters (peepholes p_*, gate-to-gate matrices R_**) are attributes named as
in its equations.

The forward pass computes the input part W_ih x_t + b_ih of every step in one matrix product, then
loops over time: each step is one (B, H) x (H, G*H) product and the spec's own `loop_step`, the
equations written once in `seqcore.cells`. With `lengths`, a sequence's state stops changing after
its last real token (masking), so its final state is the one at its own length and its outputs at
padding are zero: a padded batch gives every sequence what it would get alone.

Speed (bench/bench_cells.py, one thread, CPU time): the plain loop was measured against
TorchScript and torch.compile of the step and kept, as the faster; see docs/cell-lab.md.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from seqcore.cells import cell_spec

State = torch.Tensor | tuple[torch.Tensor, ...]


class LoopCell(nn.Module):
    """One layer, one direction of a variant cell, with nn.LSTM's call convention (batch_first=True).

    forward(x (B, T, E), state=None, lengths=None) -> (outputs (B, T, H), final state). The state is
    h (1, B, H) for a cell that carries h alone, else a tuple in the spec's `carries` order, each
    (1, B, H): (h, c) for an LSTM variant, (h, c, i, f, o) with full gate recurrence.
    """

    num_layers = 1
    bidirectional = False
    bias = True
    batch_first = True

    def __init__(self, cell: str, input_size: int, hidden_size: int) -> None:
        super().__init__()
        spec = cell_spec(cell)
        if spec.fused:
            raise ValueError(f"{cell} is a fused cell: build torch.nn.{spec.module}, not a LoopCell")
        self.cell, self.spec = cell, spec
        self.input_size, self.hidden_size = input_size, hidden_size
        G = len(spec.blocks) * hidden_size
        self.weight_ih_l0 = nn.Parameter(torch.empty(G, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(G, hidden_size))
        self.bias_ih_l0 = nn.Parameter(torch.empty(G))
        self.bias_hh_l0 = nn.Parameter(torch.empty(G))
        for extra in spec.extras:
            self.register_parameter(extra.name, nn.Parameter(torch.empty(spec.extra_shape(extra, hidden_size))))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(H), 1/sqrt(H)), as torch.nn.LSTM initialises its own."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.cell}, {self.input_size}, {self.hidden_size}, batch_first=True"

    def extras(self) -> dict[str, torch.Tensor]:
        """The variant's parameters beyond the weight blocks, by their names in the equations."""
        return {e.name: self.get_parameter(e.name) for e in self.spec.extras}

    def _initial(self, state: State | None, x: torch.Tensor) -> dict[str, torch.Tensor]:
        B, H = x.shape[0], self.hidden_size
        carries = self.spec.carries
        if state is None:
            zero = x.new_zeros(B, H)
            return dict.fromkeys(carries, zero)
        parts = (state,) if isinstance(state, torch.Tensor) else tuple(state)
        if len(parts) != len(carries):
            raise ValueError(f"the {self.spec.title} state is {', '.join(carries)}: got {len(parts)} tensor(s)")
        return {name: t.reshape(B, H) for name, t in zip(carries, parts)}  # (1, B, H) -> (B, H)

    def forward(
        self, x: torch.Tensor, state: State | None = None, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        if isinstance(x, nn.utils.rnn.PackedSequence):
            raise TypeError("a LoopCell reads a padded batch and its lengths, not a PackedSequence")
        B, T, _ = x.shape
        step = self.spec.advance
        weights = self.extras()
        prev = self._initial(state, x)
        xw = torch.nn.functional.linear(x.transpose(0, 1), self.weight_ih_l0, self.bias_ih_l0)  # (T, B, G*H): every input part
        xs = xw.unbind(0)  # T views (B, G*H); unlike xw[t], their backward stacks once instead of zero-filling xw per step
        mask = None
        all_real = T  # steps before this one are real tokens of every sequence: no masking there
        if lengths is not None:
            lens = lengths.to(x.device)
            all_real = int(lens.min()) if B else T
            mask = (torch.arange(T, device=x.device).unsqueeze(0) < lens.unsqueeze(1)).unsqueeze(-1)  # (B, T, 1)
        outs = []
        for t in range(T):
            hw = torch.nn.functional.linear(prev["h"], self.weight_hh_l0, self.bias_hh_l0)  # (B, G*H)
            _, values = step(xs[t], hw, prev, weights)
            if mask is not None and t >= all_real:
                keep = mask[:, t]  # (B, 1): past its length a sequence keeps its state
                values = {k: torch.where(keep, values[k], prev[k]) for k in self.spec.carries}
            prev = {k: values[k] for k in self.spec.carries}
            outs.append(prev["h"])
        out = torch.stack(outs, dim=1) if outs else x.new_zeros(B, 0, self.hidden_size)  # (B, T, H)
        if mask is not None and all_real < T:
            out = out * mask  # zeros at padding, as a packed run returns
        final = tuple(prev[k].unsqueeze(0) for k in self.spec.carries)  # each (1, B, H)
        return out, final[0] if len(final) == 1 else final
