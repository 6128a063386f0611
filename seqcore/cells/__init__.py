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

Beside the three fused cells, the variants of the cell lab (`seqcore.cells.variants`: Greff et al.'s
LSTM ablations, two GRU ablations and Zhou et al.'s MGU) are specs too. A variant has no fused
module: its spec's `loop_step` is its one step, `seqcore.cellnets.LoopCell` runs it over time, and
its parameters beyond the weight blocks (peepholes, gate-to-gate matrices) are `ExtraParam`s.
"""

from __future__ import annotations

from seqcore.cells.fused import GRU, LSTM, RNN
from seqcore.cells.spec import LOOP_MODULE, CellSpec, ExtraParam, GateInfo, LoopStep, Parts, Values
from seqcore.cells.variants import VARIANTS

__all__ = [
    "CELLS",
    "CELL_SPECS",
    "FUSED_CELLS",
    "LOOP_MODULE",
    "VARIANT_CELLS",
    "CellSpec",
    "ExtraParam",
    "GateInfo",
    "LoopStep",
    "Parts",
    "Values",
    "cell_spec",
    "gate_info",
]

# ----------------------------------------------------------------------------- registry

FUSED_CELLS: tuple[str, ...] = ("rnn", "gru", "lstm")  # the cells a fused torch.nn module trains


CELL_SPECS: dict[str, CellSpec] = {spec.name: spec for spec in (RNN, GRU, LSTM, *VARIANTS)}
CELLS: tuple[str, ...] = tuple(CELL_SPECS)
VARIANT_CELLS: tuple[str, ...] = tuple(c for c in CELLS if c not in FUSED_CELLS)


def cell_spec(cell: str) -> CellSpec:
    """Return the spec of cell type `cell`."""
    try:
        return CELL_SPECS[cell]
    except KeyError:
        raise ValueError(f"unknown cell {cell!r}: seqcore knows {', '.join(CELLS)}") from None


def gate_info(cell: str, name: str) -> GateInfo:
    """Return the description of gate `name` of `cell`."""
    return cell_spec(cell).gate(name)
