"""The cell lab's variants: Greff et al.'s LSTM ablations, two GRU ablations and Zhou et al.'s MGU.

Greff, Srivastava, Koutník, Steunebrink & Schmidhuber, "LSTM: A Search Space Odyssey" (IEEE TNNLS
2017), Section II, define the vanilla LSTM with peepholes (their eqs. 1-6; W x + R h + b in their
notation, W_i* x + b_i* + W_h* h + b_h* here, PyTorch's split of the bias):

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi + p_i * c_{t-1})
    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf + p_f * c_{t-1})
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)                       (their block input z)
    c_t = f_t * c_{t-1} + i_t * g_t
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho + p_o * c_t)
    h_t = o_t * tanh(c_t)

and eight variants, each the vanilla LSTM with one change (Section III): NIG i = 1, NFG f = 1,
NOG o = 1, NIAF no tanh on g, NOAF h = o * c, NP no peepholes (PyTorch's nn.LSTM: the `lstm`
cell), CIFG f = 1 - i, FGR every gate also reads all gates of the previous step through nine H x H
matrices R_{ab} (a, b in i, f, o). A gate fixed at 1 has no weights and is not traced.

The GRU ablations drop one gate of PyTorch's GRU: `gru-nrg` r = 1, `gru-nug` z = 0 (h_t = n_t).
MGU (Zhou, Wu, Zhang & Zhou, "Minimal Gated Unit for Recurrent Neural Networks", IJAC 2016) keeps
one forget gate for both roles: f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf),
n_t = tanh(W_in x_t + b_in + f_t * (W_hn h_{t-1} + b_hn)), h_t = (1 - f_t) * h_{t-1} + f_t * n_t.
Zhou et al. write U_h (f_t * h_{t-1}); here f_t multiplies W_hn h_{t-1} + b_hn, where PyTorch's GRU
puts its reset gate, so every step keeps the split into an input part and a hidden part.

Every step uses tensor methods and operators only (no torch import), on (H,) or (B, H) alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from seqcore.cells.spec import LOOP_MODULE, CellSpec, ExtraParam, GateInfo, LoopStep, Parts, Values

if TYPE_CHECKING:  # annotations only: importing this module must not load torch
    from torch import Tensor

GATE_NAMES = {"i": "input gate", "f": "forget gate", "o": "output gate"}
GREFF = "Greff et al. 2017"


@dataclass(frozen=True)
class LstmParts:
    """Which parts of Greff et al.'s vanilla LSTM a variant keeps."""

    input_gate: bool = True
    forget: str = "gate"  # "gate", "one" (f = 1) or "coupled" (f = 1 - i)
    output_gate: bool = True
    input_activation: bool = True  # tanh on the candidate g
    output_activation: bool = True  # tanh on c before the output gate
    peepholes: bool = True
    full_recurrence: bool = False

    @property
    def blocks(self) -> tuple[str, ...]:
        keep = {"i": self.input_gate, "f": self.forget == "gate", "g": True, "o": self.output_gate}
        return tuple(b for b in "ifgo" if keep[b])

    @property
    def gates(self) -> tuple[str, ...]:
        """Traced in PyTorch's order: the blocks, CIFG's derived f beside them, then c and h."""
        keep = {"i": self.input_gate, "f": self.forget != "one", "g": True, "o": self.output_gate}
        return tuple(b for b in "ifgo" if keep[b]) + ("c", "h")

    @property
    def peephole_gates(self) -> tuple[str, ...]:
        return tuple(g for g in self.blocks if g != "g") if self.peepholes else ()

    def extras(self) -> tuple[ExtraParam, ...]:
        out = [ExtraParam(f"p_{g}", g, (1,), f"peephole: c to the {GATE_NAMES[g]}") for g in self.peephole_gates]
        if self.full_recurrence:  # Greff's nine H x H matrices, three side by side per gate: R_a = [R_ai R_af R_ao]
            out += [ExtraParam(f"R_{a}", a, (1, 3), f"the previous i, f and o into the {GATE_NAMES[a]}") for a in "ifo"]
        return tuple(out)


def _lstm_step(kind: LstmParts) -> LoopStep:
    """Return one step of the LSTM variant `kind` (the module docstring's equations)."""
    blocks, names = kind.blocks, kind.gates

    def step(xw: Tensor, hw: Tensor, prev: Values, w: Values) -> tuple[Parts, Values]:
        pre = dict(zip(blocks, (xw + hw).chunk(len(blocks), dim=-1)))  # (..., H) each
        c_prev = prev["c"]
        if kind.full_recurrence:  # [i_{t-1}; f_{t-1}; o_{t-1}] (..., 3H), built with tensor methods only
            H = c_prev.shape[-1]
            gates_prev = c_prev.new_empty(*c_prev.shape[:-1], 3 * H)
            for k, src in enumerate("ifo"):
                gates_prev[..., k * H : (k + 1) * H] = prev[src]

        def extra(gate: str, c: Tensor) -> Tensor:  # the gate's pre-activation with peephole and gate-to-gate terms
            out = pre[gate]
            if kind.peepholes:
                out = out + w[f"p_{gate}"] * c
            if kind.full_recurrence:
                out = out + gates_prev @ w[f"R_{gate}"].T  # R_a [i; f; o]_{t-1} = sum over b of R_ab b_{t-1}
            return out

        parts: Parts = {}
        for gate in ("i", "f"):
            if gate in blocks:
                a = extra(gate, c_prev)
                parts[gate] = (a, a.sigmoid())
        parts["g"] = (pre["g"], pre["g"].tanh() if kind.input_activation else pre["g"])
        v = {k: value for k, (_, value) in parts.items()}
        if kind.forget == "coupled":
            v["f"] = 1 - v["i"]
        written = v["i"] * v["g"] if "i" in v else v["g"]
        v["c"] = v["f"] * c_prev + written if "f" in v else c_prev + written
        if kind.output_gate:
            a = extra("o", v["c"])  # Greff's output peephole reads the new cell state
            parts["o"] = (a, a.sigmoid())
            v["o"] = parts["o"][1]
        squashed = v["c"].tanh() if kind.output_activation else v["c"]
        v["h"] = v["o"] * squashed if kind.output_gate else squashed
        return parts, {n: v[n] for n in names}

    return step


def _pre(gate: str, kind: LstmParts, c: str) -> str:
    terms = rf"W_{{i{gate}}} x_t + b_{{i{gate}}} + W_{{h{gate}}} h_{{t-1}} + b_{{h{gate}}}"
    if gate in kind.peephole_gates:
        terms += rf" + p_{gate} \odot {c}"
    if kind.full_recurrence and gate != "g":
        terms += "".join(rf" + R_{{{gate}{b}}} {b}_{{t-1}}" for b in "ifo")  # the blocks of R_gate
    return terms


def _lstm_latex(kind: LstmParts) -> str:
    lines = []
    if kind.input_gate:
        lines.append(rf"i_t &= \sigma({_pre('i', kind, 'c_{t-1}')}) && \text{{input gate}}")
    if kind.forget == "gate":
        lines.append(rf"f_t &= \sigma({_pre('f', kind, 'c_{t-1}')}) && \text{{forget gate}}")
    elif kind.forget == "coupled":
        lines.append(r"f_t &= 1 - i_t && \text{forget gate, coupled to the input gate}")
    g = _pre("g", kind, "")
    lines.append(
        rf"g_t &= \tanh({g}) && \text{{candidate cell}}"
        if kind.input_activation
        else rf"g_t &= {g} && \text{{candidate, no tanh}}"
    )
    c = ("f_t \\odot c_{t-1}" if kind.forget != "one" else "c_{t-1}") + (" + i_t \\odot g_t" if kind.input_gate else " + g_t")
    lines.append(rf"c_t &= {c} && \text{{cell state}}")
    if kind.output_gate:
        lines.append(rf"o_t &= \sigma({_pre('o', kind, 'c_t')}) && \text{{output gate}}")
    squashed = r"\tanh(c_t)" if kind.output_activation else "c_t"
    gated = r"o_t \odot " if kind.output_gate else ""
    lines.append(rf"h_t &= {gated}{squashed} && \text{{hidden state}}")
    return "\\begin{aligned}\n" + "\\\\\n".join(lines) + "\n\\end{aligned}"


def _lstm_variant(name: str, title: str, description: str, kind: LstmParts) -> CellSpec:
    infos = {
        "i": GateInfo("i", "input gate", "sigmoid", 0.0, 1.0),
        "f": GateInfo("f", "forget gate" + (" (1 - i)" if kind.forget == "coupled" else ""), "sigmoid", 0.0, 1.0),
        "g": GateInfo("g", "candidate cell", "tanh", -1.0, 1.0)
        if kind.input_activation
        else GateInfo("g", "candidate cell (no tanh)", "none", None, None),
        "o": GateInfo("o", "output gate", "sigmoid", 0.0, 1.0),
        "c": GateInfo("c", "cell state", "none", None, None),
        "h": GateInfo("h", "hidden state", "tanh", -1.0, 1.0)
        if kind.output_activation
        else GateInfo("h", "hidden state (o c, no tanh)", "none", None, None),
    }
    forget_bias = ("f", 1.0) if kind.forget == "gate" else ("i", -1.0) if kind.forget == "coupled" else None
    return CellSpec(
        name=name,
        title=title,
        module=LOOP_MODULE,
        gates=tuple(infos[g] for g in kind.gates),
        blocks=kind.blocks,
        latex=_lstm_latex(kind),
        loop_step=_lstm_step(kind),
        extras=kind.extras(),
        carries=("h", "c", "i", "f", "o") if kind.full_recurrence else ("h", "c"),
        family="lstm",
        description=description,
        forget_bias=forget_bias,
    )


# ----------------------------------------------------------------------------- the GRU's relatives


def _gru_nrg(xw: Tensor, hw: Tensor, prev: Values, w: Values) -> tuple[Parts, Values]:
    xz, xn = xw.chunk(2, dim=-1)
    hz, hn = hw.chunk(2, dim=-1)
    pre_z, pre_n = xz + hz, xn + hn  # r = 1: the whole hidden part reaches the candidate
    z, n = pre_z.sigmoid(), pre_n.tanh()
    return {"z": (pre_z, z), "n": (pre_n, n)}, {"z": z, "n": n, "h": (1 - z) * n + z * prev["h"]}


def _gru_nug(xw: Tensor, hw: Tensor, prev: Values, w: Values) -> tuple[Parts, Values]:
    xr, xn = xw.chunk(2, dim=-1)
    hr, hn = hw.chunk(2, dim=-1)
    pre_r = xr + hr
    r = pre_r.sigmoid()
    pre_n = xn + r * hn
    n = pre_n.tanh()
    return {"r": (pre_r, r), "n": (pre_n, n)}, {"r": r, "n": n, "h": n}  # z = 0: the candidate is the state


def _mgu(xw: Tensor, hw: Tensor, prev: Values, w: Values) -> tuple[Parts, Values]:
    xf, xn = xw.chunk(2, dim=-1)
    hf, hn = hw.chunk(2, dim=-1)
    pre_f = xf + hf
    f = pre_f.sigmoid()
    pre_n = xn + f * hn  # the one gate also resets
    n = pre_n.tanh()
    return {"f": (pre_f, f), "n": (pre_n, n)}, {"f": f, "n": n, "h": (1 - f) * prev["h"] + f * n}


_R = GateInfo("r", "reset gate", "sigmoid", 0.0, 1.0)
_Z = GateInfo("z", "update gate", "sigmoid", 0.0, 1.0)
_N = GateInfo("n", "candidate state", "tanh", -1.0, 1.0)
_H = GateInfo("h", "hidden state", "tanh", -1.0, 1.0)


def _gru_variant(name: str, title: str, description: str, gates: tuple[GateInfo, ...], latex: str, step: LoopStep) -> CellSpec:
    blocks = tuple(g.name for g in gates if g.name != "h")
    return CellSpec(name, title, LOOP_MODULE, gates, blocks, latex, loop_step=step, family="gru", description=description)


VARIANTS: tuple[CellSpec, ...] = (
    _lstm_variant("lstm-peephole", "LSTM (peephole)", f"{GREFF}'s vanilla LSTM: peepholes from c to i, f and o", LstmParts()),
    _lstm_variant("lstm-nig", "LSTM-NIG", f"no input gate (i = 1), {GREFF}", LstmParts(input_gate=False)),
    _lstm_variant("lstm-nfg", "LSTM-NFG", f"no forget gate (f = 1), {GREFF}", LstmParts(forget="one")),
    _lstm_variant("lstm-nog", "LSTM-NOG", f"no output gate (o = 1), {GREFF}", LstmParts(output_gate=False)),
    _lstm_variant("lstm-niaf", "LSTM-NIAF", f"no input activation (no tanh on g), {GREFF}", LstmParts(input_activation=False)),
    _lstm_variant("lstm-noaf", "LSTM-NOAF", f"no output activation (h = o c), {GREFF}", LstmParts(output_activation=False)),
    _lstm_variant("lstm-cifg", "LSTM-CIFG", f"coupled input and forget gate (f = 1 - i), {GREFF}", LstmParts(forget="coupled")),
    _lstm_variant(
        "lstm-fgr",
        "LSTM-FGR",
        f"full gate recurrence: i, f, o also read the previous i, f, o, {GREFF}",
        LstmParts(full_recurrence=True),
    ),
    _gru_variant(
        "gru-nrg",
        "GRU-NRG",
        "GRU without its reset gate (r = 1)",
        (_Z, _N, _H),
        r"""\begin{aligned}
z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) && \text{update gate}\\
n_t &= \tanh(W_{in} x_t + b_{in} + W_{hn} h_{t-1} + b_{hn}) && \text{candidate state, no reset}\\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} && \text{hidden state}
\end{aligned}""",
        _gru_nrg,
    ),
    _gru_variant(
        "gru-nug",
        "GRU-NUG",
        "GRU without its update gate (z = 0: h = n)",
        (_R, _N, _H),
        r"""\begin{aligned}
r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) && \text{reset gate}\\
n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) && \text{candidate state}\\
h_t &= n_t && \text{hidden state, no update gate}
\end{aligned}""",
        _gru_nug,
    ),
    _gru_variant(
        "mgu",
        "MGU",
        "minimal gated unit: one forget gate resets and updates (Zhou et al. 2016)",
        (GateInfo("f", "forget gate", "sigmoid", 0.0, 1.0), _N, _H),
        r"""\begin{aligned}
f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) && \text{forget gate}\\
n_t &= \tanh(W_{in} x_t + b_{in} + f_t \odot (W_{hn} h_{t-1} + b_{hn})) && \text{candidate state}\\
h_t &= (1 - f_t) \odot h_{t-1} + f_t \odot n_t && \text{hidden state}
\end{aligned}""",
        _mgu,
    ),
)

# Greff et al. 2017's findings (Section V-A; Fig. 3) and Zhou et al. 2016's, per variant, for the cell lab's comparison;
# the GRU ablations have no published table of this kind, and say so.
PAPER_FINDINGS: dict[str, str] = {
    "lstm": "NP: removing the peepholes did not change performance significantly.",
    "lstm-nig": "NIG: removing the input gate hurt significantly on speech and handwriting, slightly on music.",
    "lstm-nfg": "NFG: removing the forget gate hurt significantly on all three tasks.",
    "lstm-nog": "NOG: removing the output gate hurt significantly on speech and handwriting, slightly on music.",
    "lstm-niaf": "NIAF: removing the input activation hurt significantly on speech and handwriting, less on music.",
    "lstm-noaf": "NOAF: removing the output activation hurt significantly on all three tasks.",
    "lstm-cifg": "CIFG: coupling the input and forget gates did not change performance significantly.",
    "lstm-fgr": "FGR: full gate recurrence did not help, and made music modelling slightly worse.",
    "gru-nrg": "No published table here; expected: without a reset gate the candidate cannot drop the past.",
    "gru-nug": "No published table here; expected: without an update gate there is no additive path (h = n).",
    "mgu": "Zhou et al. 2016: one gate matched the GRU's accuracy with fewer parameters.",
}
# The one-sentence summary the Cell lab page states beside the measured table.
PAPER_SUMMARY = (
    "Greff et al. (2017), over speech, handwriting and music: removing the forget gate (NFG) or the output activation "
    "(NOAF) hurts most; coupling input and forget gates (CIFG) or dropping the peepholes (NP) costs nothing significant; "
    "full gate recurrence (FGR) adds nothing."
)
