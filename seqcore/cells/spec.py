"""The data types of a cell spec: what a gate is, what a parameter beyond the weight blocks is, what a cell computes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing this module must not load torch
    from torch import Tensor

Parts = dict[str, tuple["Tensor", "Tensor"]]  # block name -> (pre-activation, value)
Values = dict[str, "Tensor"]  # gate or state name -> value
# A variant's one step: (xw, hw, the previous step's carried values, its extra parameters) -> (parts, values).
LoopStep = Callable[["Tensor", "Tensor", Values, Values], tuple[Parts, Values]]
LOOP_MODULE = "LoopCell"  # the module of every spec with a loop_step: seqcore.cellnets.LoopCell


@dataclass(frozen=True)
class GateInfo:
    """What one gate or state is: its symbol, its long name, its activation and the range of its values."""

    name: str
    long_name: str
    activation: str  # "sigmoid", "tanh" or "none" (the LSTM cell state is unbounded)
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ExtraParam:
    """A parameter beyond W_ih, W_hh and the biases: a peephole vector, a gate-to-gate matrix.

    `shape` counts in hidden sizes: (1,) is a vector of H, (1, 1) an H x H matrix. `gate` is the gate
    whose pre-activation it feeds, where the Inside page counts it.
    """

    name: str  # the module's attribute and the symbol in the equations: "p_i", "R_if"
    gate: str
    shape: tuple[int, ...]
    meaning: str


@dataclass(frozen=True)
class CellSpec:
    """Everything seqcore knows about one recurrent cell type.

    `preactivate(xw, hw)` maps the input part W_ih x + b_ih and the hidden part W_hh h + b_hh,
    each (..., G*H), to every weight block's (pre-activation, value). `memory(values)`, for a
    cell with a cell state c, returns (a, b) of its linear recurrence c_t = a_t * c_{t-1} + b_t.
    `output(values, h_prev)` returns h_t from the block values (and c_t when there is one).

    A variant (`loop_step` set, `module` LOOP_MODULE) has neither: its step reads the previous
    step's `carries` (h, c, and for full gate recurrence the gates) and its `extras`, and any
    gate of its trace may be derived rather than a block (CIFG's f = 1 - i).
    """

    name: str  # the value of ModelConfig.cell
    title: str  # how the app writes it
    module: str  # the fused torch.nn class that trains it, or LOOP_MODULE
    gates: tuple[GateInfo, ...]  # every gate and state, in trace order
    blocks: tuple[str, ...]  # the blocks of W_ih / W_hh / biases, in PyTorch's order
    latex: str  # the equations, for st.latex
    preactivate: Callable[[Tensor, Tensor], Parts] | None = None
    output: Callable[[Values, Tensor], Tensor] | None = None
    memory: Callable[[Values], tuple[Tensor, Tensor]] | None = None
    loop_step: LoopStep | None = None
    extras: tuple[ExtraParam, ...] = ()
    carries: tuple[str, ...] = ()  # what one step hands the next; default h, and c with a memory
    family: str = ""  # "rnn", "gru" or "lstm": the cell it varies (default: its name)
    description: str = ""  # one line: what it changes, and whose equation it is
    forget_bias: tuple[str, float] | None = None  # (block, sign) that carries a forget-gate bias, when any

    def __post_init__(self) -> None:
        names = self.names
        if not self.carries:
            object.__setattr__(self, "carries", ("h", "c") if self.memory or "c" in names else ("h",))
        if self.loop_step is None:
            if self.preactivate is None or self.output is None:
                raise ValueError(f"{self.name}: a fused cell's spec needs preactivate and output (a variant: loop_step)")
            expected = [b for b in self.blocks if b != "h"] + (["c"] if self.memory else []) + ["h"]
            if list(names) != expected:
                raise ValueError(f"{self.name}: gates {names} must be the blocks, then c (with a memory), then h: {expected}")
        else:
            missing = [b for b in self.blocks if b not in names]
            if self.module != LOOP_MODULE or not names or names[-1] != "h" or missing or "h" not in self.carries:
                raise ValueError(f"{self.name}: a variant runs in {LOOP_MODULE}, traces every block {missing} and ends with h")
        if not self.family:
            object.__setattr__(self, "family", self.name)
        for extra in self.extras:
            if extra.gate not in names:
                raise ValueError(f"{self.name}: parameter {extra.name} feeds gate {extra.gate!r}, which the cell lacks")

    @property
    def fused(self) -> bool:
        """Whether a fused torch.nn module trains this cell (else seqcore.cellnets.LoopCell runs `loop_step`)."""
        return self.loop_step is None

    @property
    def has_cell_state(self) -> bool:
        """Whether the cell carries a cell state c (every LSTM)."""
        return "c" in self.carries

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
        if self.has_cell_state and c_prev is None:
            raise ValueError(f"the {self.name.upper()} step needs the previous cell state c_prev")
        if self.loop_step is not None:
            if self.extras or set(self.carries) - {"h", "c"}:
                raise ValueError(f"the {self.title} step reads more than h and c: call advance() with its parameters")
            return self.loop_step(xw, hw, {"h": h_prev, "c": c_prev} if c_prev is not None else {"h": h_prev}, {})
        assert self.preactivate is not None and self.output is not None  # __post_init__: a fused spec has both
        parts = self.preactivate(xw, hw)
        values = {k: v for k, (_, v) in parts.items()}
        if self.memory is not None:
            assert c_prev is not None
            a, b = self.memory(values)
            values["c"] = a * c_prev + b
        values["h"] = self.output(values, h_prev)
        return parts, values

    def advance(self, xw: Tensor, hw: Tensor, prev: Values, weights: Values | None = None) -> tuple[Parts, Values]:
        """Run one step of any cell: `prev` holds the previous step's `carries`, `weights` the `extras` by name."""
        missing = [k for k in self.carries if k not in prev]
        if missing:
            raise ValueError(f"the {self.title} step needs the previous step's {', '.join(missing)}")
        if self.loop_step is None:
            return self.step(xw, hw, prev["h"], prev.get("c"))
        return self.loop_step(xw, hw, prev, weights or {})

    def parameters(self, input_size: int, hidden_size: int) -> int:
        """The parameters of one layer and direction: every block's W_i*, W_h* and two biases, and the extras."""
        H = hidden_size
        extra = 0
        for e in self.extras:
            n = 1
            for k in self.extra_shape(e, H):
                n *= k
            extra += n
        return len(self.blocks) * H * (input_size + H + 2) + extra

    def extra_shape(self, extra: ExtraParam, hidden_size: int) -> tuple[int, ...]:
        """The tensor shape of an extra parameter for `hidden_size` units."""
        return tuple(k * hidden_size for k in extra.shape)
