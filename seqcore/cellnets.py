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

LSTM-FGR (13 H x H matrices per step) runs the same equations through `FgrRecurrence`: its weights
stacked so that a step is two matrix products, and its backward pass written out, one autograd node
for the whole sequence; `LoopCell.loop`, the spec's own step, stays its reference (tests: values and
every gradient equal, and gradcheck).

Speed (bench/bench_cells.py, one thread, CPU time): the plain loop was measured against
TorchScript and torch.compile of the step and kept, as the faster; see docs/cell-lab.md.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.autograd.function import once_differentiable

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
        if self.cell == "lstm-fgr":  # the same equations, forward and backward written out: see fgr_recurrence
            return self._fgr(x, state, lengths)
        return self.loop(x, state, lengths)

    def _mask(self, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor | None, int]:
        """(B, T, 1) True at real tokens (None without lengths), and the number of steps real in every sequence."""
        B, T = x.shape[:2]
        if lengths is None:
            return None, T
        lens = lengths.to(x.device)
        all_real = int(lens.min()) if B else T  # steps before this one need no masking
        return (torch.arange(T, device=x.device).unsqueeze(0) < lens.unsqueeze(1)).unsqueeze(-1), all_real

    def loop(
        self, x: torch.Tensor, state: State | None = None, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        """The spec's own step (`CellSpec.advance`) over every time step, with masking: every variant's reference."""
        B, T, _ = x.shape
        step = self.spec.advance
        weights = self.extras()
        prev = self._initial(state, x)
        xw = torch.nn.functional.linear(x.transpose(0, 1), self.weight_ih_l0, self.bias_ih_l0)  # (T, B, G*H): every input part
        xs = xw.unbind(0)  # T views (B, G*H); unlike xw[t], their backward stacks once instead of zero-filling xw per step
        mask, all_real = self._mask(x, lengths)
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

    def _fgr(self, x: torch.Tensor, state: State | None, lengths: torch.Tensor | None) -> tuple[torch.Tensor, State]:
        """LSTM-FGR through `FgrRecurrence`: its weights stacked so that one step is two matrix products."""
        B, T, _ = x.shape
        if T == 0:
            return self.loop(x, state, lengths)
        H = self.hidden_size
        prev = self._initial(state, x)
        w_i, w_f, w_g, w_o = self.weight_hh_l0.chunk(4, dim=0)  # (H, H) each
        R = torch.cat([self.get_parameter(f"R_{a}") for a in "ifo"], dim=0)  # (3H, 3H): rows i, f, o; columns i, f, o
        W_z = torch.cat([torch.cat([w_i, w_f, w_o], dim=0), R], dim=1)  # (3H, 4H): i, f, o read [h, i, f, o]_{t-1}
        order = [0, 1, 3, 2]  # blocks i, f, g, o -> i, f, o, g
        W_ih = self.weight_ih_l0.view(4, H, -1)[order].reshape(4 * H, -1)
        bias = (self.bias_ih_l0 + self.bias_hh_l0).view(4, H)[order].reshape(4 * H)
        xw = torch.nn.functional.linear(x.transpose(0, 1), W_ih, bias)  # (T, B, 4H): i, f, o, g, both biases
        peep = torch.stack([self.get_parameter(f"p_{a}") for a in "ifo"])  # (3, H)
        z0 = torch.cat([prev[k] for k in ("h", "i", "f", "o")], dim=1)  # (B, 4H)
        mask, all_real = self._mask(x, lengths)
        keep = x.new_ones(T, B, 1) if mask is None else mask.transpose(0, 1).to(x.dtype)  # (T, B, 1)
        out, z, c = FgrRecurrence.apply(xw, W_z, w_g, peep, z0, prev["c"], keep, all_real)
        h, i, f, o = z.unsqueeze(0).chunk(4, dim=-1)  # each (1, B, H)
        return out.transpose(0, 1), (h, c.unsqueeze(0), i, f, o)


class FgrRecurrence(torch.autograd.Function):
    """Greff et al. 2017's LSTM with full gate recurrence over every time step, as one autograd node.

    The equations are `seqcore.cells.variants`' (i, f, o also read the previous step's i, f, o through
    R_a = [R_ai R_af R_ao]), with the weights stacked: z_{t-1} = [h; i; f; o]_{t-1} (B, 4H) and

        [a_i a_f a_o] = xw_t[i, f, o] + z_{t-1} W_z^T + [p_i c_{t-1}, p_f c_{t-1}, 0]     W_z (3H, 4H)
        g_t = tanh(xw_t[g] + h_{t-1} W_hg^T)
        i_t, f_t = sigmoid(a_i), sigmoid(a_f)
        c_t = f_t c_{t-1} + i_t g_t
        o_t = sigmoid(a_o + p_o c_t)
        h_t = o_t tanh(c_t)

    where xw (T, B, 4H) holds W_ih x_t + b_ih + b_hh in block order i, f, o, g. Past its length (keep 0) a
    sequence keeps its state and outputs zeros. The backward pass is written out below (the chain rule
    through these lines, step by step backwards); the weight gradients are one matrix product over all
    steps. Tested equal to the spec's own loop (`LoopCell.loop`), values and gradients, and by gradcheck.
    Why: autograd's graph of this step has ~30 small nodes per time step, and FGR's 13 H x H matrices made
    it the one variant near 3x the fused nn.LSTM (docs/cell-lab.md, Speed).
    """

    @staticmethod
    def forward(
        ctx: Any,
        xw: torch.Tensor,  # (T, B, 4H)
        W_z: torch.Tensor,  # (3H, 4H)
        W_g: torch.Tensor,  # (H, H)
        peep: torch.Tensor,  # (3, H): p_i, p_f, p_o
        z0: torch.Tensor,  # (B, 4H)
        c0: torch.Tensor,  # (B, H)
        keep: torch.Tensor,  # (T, B, 1): 1 at real tokens, 0 at padding
        all_real: int,  # steps before this one are real in every sequence
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        T, B, _ = xw.shape
        H = c0.shape[1]
        Z = xw.new_empty(T + 1, B, 4 * H)  # the carried [h, i, f, o] before each step, and after the last
        C = xw.new_empty(T + 1, B, H)  # the carried c likewise
        acts = xw.new_empty(T, B, 4 * H)  # each step's own i, f, o, g (before masking)
        c_new = xw.new_empty(T, B, H)  # each step's own c_t (before masking)
        tanh_c = xw.new_empty(T, B, H)  # and its tanh(c_t)
        Z[0], C[0] = z0, c0
        p_if, p_o = peep[:2].unsqueeze(0), peep[2]  # (1, 2, H), (H,)
        for t in range(T):
            z, c, a = Z[t], C[t], acts[t]
            torch.addmm(xw[t, :, : 3 * H], z, W_z.T, out=a[:, : 3 * H])  # a_i, a_f, a_o without peepholes
            torch.addmm(xw[t, :, 3 * H :], z[:, :H], W_g.T, out=a[:, 3 * H :])
            a_if = a[:, : 2 * H].view(B, 2, H)
            a_if.addcmul_(p_if, c.unsqueeze(1)).sigmoid_()  # i, f
            a[:, 3 * H :].tanh_()  # g
            i, f, o, g = a.chunk(4, dim=1)
            torch.addcmul(f * c, i, g, out=c_new[t])
            o.addcmul_(p_o, c_new[t]).sigmoid_()
            torch.tanh(c_new[t], out=tanh_c[t])
            z_next = Z[t + 1]
            torch.mul(o, tanh_c[t], out=z_next[:, :H])
            z_next[:, H:] = a[:, : 3 * H]
            C[t + 1] = c_new[t]
            if t >= all_real:  # past its length a sequence keeps its state
                k = keep[t] > 0  # (B, 1)
                Z[t + 1] = torch.where(k, z_next, z)
                C[t + 1] = torch.where(k, C[t + 1], c)
        out = Z[1:, :, :H] * keep  # (T, B, H), zeros at padding
        ctx.save_for_backward(W_z, W_g, peep, Z, C, acts, c_new, tanh_c, keep)
        ctx.all_real = all_real
        return out, Z[T].clone(), C[T].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_out: torch.Tensor, d_z: torch.Tensor, d_c: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        W_z, W_g, peep, Z, C, acts, c_new, tanh_c, keep = ctx.saved_tensors
        T, B, _ = acts.shape
        H = C.shape[2]
        d_a = torch.empty_like(acts)  # (T, B, 4H): dL/d pre-activation of i, f, o, g at each step
        dz, dc = d_z.clone(), d_c.clone()
        p_i, p_f, p_o = peep
        for t in range(T - 1, -1, -1):
            dz[:, :H] += d_out[t] * keep[t]
            if t >= ctx.all_real:  # a masked step hands its incoming gradient to the state it kept
                k = keep[t]
                dz_kept, dc_kept = dz * (1 - k), dc * (1 - k)
                dz, dc = dz * k, dc * k
            i, f, o, g = acts[t].chunk(4, dim=1)
            tc, c_prev = tanh_c[t], C[t]
            dh = dz[:, :H]
            d_o = dh * tc + dz[:, 3 * H :]
            da_o = d_o * o * (1 - o)
            dcn = dc + dh * o * (1 - tc * tc) + da_o * p_o
            da_i, da_f, da_o_out, da_g = d_a[t].chunk(4, dim=1)
            torch.mul((dcn * g + dz[:, H : 2 * H]), i * (1 - i), out=da_i)
            torch.mul((dcn * c_prev + dz[:, 2 * H : 3 * H]), f * (1 - f), out=da_f)
            da_o_out.copy_(da_o)
            torch.mul(dcn * i, 1 - g * g, out=da_g)
            dc = dcn * f + da_i * p_i + da_f * p_f
            dz = d_a[t, :, : 3 * H] @ W_z  # (B, 4H)
            dz[:, :H].addmm_(da_g, W_g)
            if t >= ctx.all_real:
                dz, dc = dz + dz_kept, dc + dc_kept
        flat = d_a.view(T * B, 4 * H)
        d_W_z = flat[:, : 3 * H].T @ Z[:-1].reshape(T * B, 4 * H)
        d_W_g = flat[:, 3 * H :].T @ Z[:-1, :, :H].reshape(T * B, H)
        d_peep = torch.stack(
            [
                (d_a[..., :H] * C[:-1]).sum((0, 1)),
                (d_a[..., H : 2 * H] * C[:-1]).sum((0, 1)),
                (d_a[..., 2 * H : 3 * H] * c_new).sum((0, 1)),
            ]
        )
        return d_a, d_W_z, d_W_g, d_peep, dz, dc, None, None
