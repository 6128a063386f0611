"""The three cells PyTorch fuses: RNN, GRU and LSTM, with PyTorch's documented equations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seqcore.cells.spec import CellSpec, GateInfo, Parts, Values

if TYPE_CHECKING:  # annotations only: importing this module must not load torch
    from torch import Tensor

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
    description="PyTorch's fused nn.RNN with tanh (Elman 1990)",
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
    description="PyTorch's fused nn.GRU (Cho et al. 2014, the reset gate applied after W_hn h)",
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
    description="PyTorch's fused nn.LSTM: Greff et al.'s vanilla LSTM without peepholes (their NP)",
    forget_bias=("f", 1.0),
)
