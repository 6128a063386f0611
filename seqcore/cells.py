"""One spec per recurrent cell: its gates, weight blocks, equations and their LaTeX, written once.

Everything that knows what a cell computes reads it from `CELL_SPECS`: the model builder
(`seqcore.models`), the traces (`seqcore.traces`), the step worked by hand (`seqcore.anatomy`),
the figures (`seqcore.plots`) and the app's pages. Adding a cell type means adding one spec
here, plus its tests.

The equations are PyTorch's (torch.nn.RNN / GRU / LSTM documentation). With the input part
xw = W_ih x_t + b_ih and the hidden part hw = W_hh h_{t-1} + b_hh, both cut into blocks in
PyTorch's order:

    RNN   h_t = tanh(xw_h + hw_h)
    GRU   r_t = sigmoid(xw_r + hw_r)
          z_t = sigmoid(xw_z + hw_z)
          n_t = tanh(xw_n + r_t * hw_n)          (r multiplies the whole hidden part, bias included)
          h_t = (1 - z_t) * n_t + z_t * h_{t-1}
    LSTM  i_t, f_t, o_t = sigmoid(xw_* + hw_*)
          g_t = tanh(xw_g + hw_g)
          c_t = f_t * c_{t-1} + i_t * g_t        (a linear recurrence in c: see `CellSpec.memory`)
          h_t = o_t * tanh(c_t)

The equations use tensor methods only (`.chunk`, `.sigmoid`, `.tanh`), so they work on one
step (G*H,) or on every step at once (T, G*H), and this module imports neither torch nor spaCy:
`seqcore.plots` reads the gate metadata from here and stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing this module must not load torch
    from torch import Tensor

Parts = dict[str, tuple["Tensor", "Tensor"]]  # block name -> (pre-activation, value)
Values = dict[str, "Tensor"]  # gate or state name -> value


@dataclass(frozen=True)
class GateInfo:
    """What one gate or state is: its symbol, its long name, its activation and the range of its values."""

    name: str
    long_name: str
    activation: str  # "sigmoid", "tanh" or "none" (the LSTM cell state is unbounded)
    low: float | None
    high: float | None


@dataclass(frozen=True)
class CellSpec:
    """Everything seqcore knows about one recurrent cell type.

    `preactivate(xw, hw)` maps the input part W_ih x + b_ih and the hidden part W_hh h + b_hh,
    each (..., G*H), to every weight block's (pre-activation, value). `memory(values)`, for a
    cell with a cell state c, returns (a, b) of its linear recurrence c_t = a_t * c_{t-1} + b_t.
    `output(values, h_prev)` returns h_t from the block values (and c_t when there is one).
    """

    name: str  # the value of ModelConfig.cell
    title: str  # how the app writes it
    module: str  # the fused torch.nn class that trains it
    gates: tuple[GateInfo, ...]  # every gate and state, in trace order
    blocks: tuple[str, ...]  # the blocks of W_ih / W_hh / biases, in PyTorch's order
    latex: str  # the equations, for st.latex
    preactivate: Callable[[Tensor, Tensor], Parts]
    output: Callable[[Values, Tensor], Tensor]
    memory: Callable[[Values], tuple[Tensor, Tensor]] | None = None

    def __post_init__(self) -> None:
        names = self.names
        expected = [b for b in self.blocks if b != "h"] + (["c"] if self.memory else []) + ["h"]
        if list(names) != expected:
            raise ValueError(f"{self.name}: gates {names} must be the blocks, then c (with a memory), then h: {expected}")

    @property
    def names(self) -> tuple[str, ...]:
        """Gate and state names in trace order."""
        return tuple(g.name for g in self.gates)

    def gate(self, name: str) -> GateInfo:
        """Return the description of gate or state `name`."""
        for g in self.gates:
            if g.name == name:
                return g
        raise ValueError(f"the {self.name.upper()} cell has no gate {name!r}: it has {', '.join(self.names)}")

    def step(self, xw: Tensor, hw: Tensor, h_prev: Tensor, c_prev: Tensor | None = None) -> tuple[Parts, Values]:
        """Run one step: return every block's (pre-activation, value), and every gate and state's value."""
        parts = self.preactivate(xw, hw)
        values = {k: v for k, (_, v) in parts.items()}
        if self.memory is not None:
            if c_prev is None:
                raise ValueError(f"the {self.name.upper()} step needs the previous cell state c_prev")
            a, b = self.memory(values)
            values["c"] = a * c_prev + b
        values["h"] = self.output(values, h_prev)
        return parts, values


# ----------------------------------------------------------------------------- RNN


def _rnn_preactivate(xw: Tensor, hw: Tensor) -> Parts:
    pre = xw + hw
    return {"h": (pre, pre.tanh())}


RNN = CellSpec(
    name="rnn",
    title="RNN",
    module="RNN",
    gates=(GateInfo("h", "hidden state", "tanh", -1.0, 1.0),),
    blocks=("h",),
    latex=r"""h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})""",
    preactivate=_rnn_preactivate,
    output=lambda v, h_prev: v["h"],
)

# ----------------------------------------------------------------------------- GRU


def _gru_preactivate(xw: Tensor, hw: Tensor) -> Parts:
    xr, xz, xn = xw.chunk(3, dim=-1)  # (..., H) each
    hr, hz, hn = hw.chunk(3, dim=-1)
    pre_r, pre_z = xr + hr, xz + hz
    r = pre_r.sigmoid()
    pre_n = xn + r * hn  # PyTorch puts r on (W_hn h + b_hn), bias included
    return {"r": (pre_r, r), "z": (pre_z, pre_z.sigmoid()), "n": (pre_n, pre_n.tanh())}


def _gru_output(v: Values, h_prev: Tensor) -> Tensor:
    return (1 - v["z"]) * v["n"] + v["z"] * h_prev


GRU = CellSpec(
    name="gru",
    title="GRU",
    module="GRU",
    gates=(
        GateInfo("r", "reset gate", "sigmoid", 0.0, 1.0),
        GateInfo("z", "update gate", "sigmoid", 0.0, 1.0),
        GateInfo("n", "candidate state", "tanh", -1.0, 1.0),
        GateInfo("h", "hidden state", "tanh", -1.0, 1.0),  # a mix of tanh values: inside (-1, 1)
    ),
    blocks=("r", "z", "n"),
    latex=r"""\begin{aligned}
r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) && \text{reset gate}\\
z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) && \text{update gate}\\
n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) && \text{candidate state}\\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} && \text{hidden state}
\end{aligned}""",
    preactivate=_gru_preactivate,
    output=_gru_output,
)

# ----------------------------------------------------------------------------- LSTM


def _lstm_preactivate(xw: Tensor, hw: Tensor) -> Parts:
    pre_i, pre_f, pre_g, pre_o = (xw + hw).chunk(4, dim=-1)  # (..., H) each
    return {
        "i": (pre_i, pre_i.sigmoid()),
        "f": (pre_f, pre_f.sigmoid()),
        "g": (pre_g, pre_g.tanh()),
        "o": (pre_o, pre_o.sigmoid()),
    }


LSTM = CellSpec(
    name="lstm",
    title="LSTM",
    module="LSTM",
    gates=(
        GateInfo("i", "input gate", "sigmoid", 0.0, 1.0),
        GateInfo("f", "forget gate", "sigmoid", 0.0, 1.0),
        GateInfo("g", "candidate cell", "tanh", -1.0, 1.0),
        GateInfo("o", "output gate", "sigmoid", 0.0, 1.0),
        GateInfo("c", "cell state", "none", None, None),
        GateInfo("h", "hidden state", "tanh", -1.0, 1.0),  # o * tanh(c): inside (-1, 1)
    ),
    blocks=("i", "f", "g", "o"),
    latex=r"""\begin{aligned}
i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) && \text{input gate}\\
f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) && \text{forget gate}\\
g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) && \text{candidate cell}\\
o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) && \text{output gate}\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t && \text{cell state}\\
h_t &= o_t \odot \tanh(c_t) && \text{hidden state}
\end{aligned}""",
    preactivate=_lstm_preactivate,
    memory=lambda v: (v["f"], v["i"] * v["g"]),
    output=lambda v, h_prev: v["o"] * v["c"].tanh(),
)

# ----------------------------------------------------------------------------- registry

CELL_SPECS: dict[str, CellSpec] = {spec.name: spec for spec in (RNN, GRU, LSTM)}
CELLS: tuple[str, ...] = tuple(CELL_SPECS)


def cell_spec(cell: str) -> CellSpec:
    """Return the spec of cell type `cell`."""
    try:
        return CELL_SPECS[cell]
    except KeyError:
        raise ValueError(f"unknown cell {cell!r}: seqcore knows {', '.join(CELLS)}") from None


def gate_info(cell: str, name: str) -> GateInfo:
    """Return the description of gate `name` of `cell`."""
    return cell_spec(cell).gate(name)
