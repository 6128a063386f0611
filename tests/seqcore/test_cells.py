"""Cell specs: each spec's equations equal one step of its fused torch.nn module, and its metadata is consistent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from seqcore import models
from seqcore.cells import CELL_SPECS, CELLS, FUSED_CELLS, VARIANT_CELLS, CellSpec, cell_spec, gate_info
from seqcore.models import make_rnn

ROOT = Path(__file__).resolve().parents[2]


def test_registry_is_the_one_list_of_cells():
    assert CELLS == tuple(CELL_SPECS) == models.CELLS == FUSED_CELLS + VARIANT_CELLS
    assert set(FUSED_CELLS) == {"rnn", "gru", "lstm"}
    greff = {"lstm-peephole", "lstm-nig", "lstm-nfg", "lstm-nog", "lstm-niaf", "lstm-noaf", "lstm-cifg", "lstm-fgr"}
    assert greff | {"gru-nrg", "gru-nug", "mgu"} == set(VARIANT_CELLS)
    assert all(cell_spec(v).description and not cell_spec(v).fused for v in VARIANT_CELLS)
    assert all(cell_spec(name).name == name for name in CELLS)
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        cell_spec("transformer")


def test_trace_order_and_weight_blocks_are_pytorchs():
    assert CELL_SPECS["lstm"].names == ("i", "f", "g", "o", "c", "h")
    assert CELL_SPECS["gru"].names == ("r", "z", "n", "h")
    assert CELL_SPECS["rnn"].names == ("h",)
    assert CELL_SPECS["lstm"].blocks == ("i", "f", "g", "o")
    assert CELL_SPECS["gru"].blocks == ("r", "z", "n")
    assert CELL_SPECS["rnn"].blocks == ("h",)


@pytest.mark.parametrize("cell", CELLS)
def test_weight_blocks_match_the_fused_module(cell):
    spec = cell_spec(cell)
    rnn = make_rnn(cell, 5, 3)
    assert type(rnn).__name__ == spec.module
    assert rnn.weight_ih_l0.shape == (len(spec.blocks) * 3, 5)
    assert rnn.weight_hh_l0.shape == (len(spec.blocks) * 3, 3)


@pytest.mark.parametrize("cell", CELLS)
def test_ranges_follow_the_activation_and_latex_names_every_gate(cell):
    spec = cell_spec(cell)
    bounds = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "none": (None, None)}
    for g in spec.gates:
        assert (g.low, g.high) == bounds[g.activation], g
        assert g.long_name and gate_info(cell, g.name) is g
        assert f"{g.name}_t" in spec.latex, f"the {cell} LaTeX never writes {g.name}_t"
    for extra in spec.extras:  # every parameter beyond the blocks appears in the equations
        assert extra.name.split("_")[0] + "_" in spec.latex and extra.gate in spec.names
    assert spec.title and spec.latex.count("\\tanh") >= 1
    with pytest.raises(ValueError, match="has no gate 'q'"):
        gate_info(cell, "q")


@pytest.mark.parametrize("cell", FUSED_CELLS)
@pytest.mark.parametrize("batch_shape", [(), (4,)])
def test_one_step_of_the_spec_equals_the_fused_module(cell, batch_shape):
    spec = cell_spec(cell)
    torch.manual_seed(0)
    H, E = 6, 5
    rnn = make_rnn(cell, E, H)
    with torch.no_grad():
        for p in rnn.parameters():
            p.uniform_(-1.5, 1.5)  # saturating weights: a wrong sign or block order shows
    x = torch.randn(*batch_shape, E)
    h_prev = torch.randn(*batch_shape, H).tanh()
    c_prev = torch.randn(*batch_shape, H) if spec.memory is not None else None
    with torch.no_grad():
        xw = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
        hw = h_prev @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
        parts, values = spec.step(xw, hw, h_prev, c_prev)
        xs, h0 = x.reshape(-1, 1, E), h_prev.reshape(1, -1, H)  # (B, 1, E), (1, B, H)
        if c_prev is not None:
            _, (h, c) = rnn(xs, (h0, c_prev.reshape(1, -1, H)))
        else:
            _, h = rnn(xs, h0)
            c = None
    assert list(values) == list(spec.names) and list(parts) == list(spec.blocks)
    torch.testing.assert_close(values["h"], h.reshape(*batch_shape, H), atol=1e-6, rtol=0)
    if c is not None:
        torch.testing.assert_close(values["c"], c.reshape(*batch_shape, H), atol=1e-6, rtol=0)
    for name, (pre, value) in parts.items():
        act = cell_spec(cell).gate(name).activation
        torch.testing.assert_close(value, pre.sigmoid() if act == "sigmoid" else pre.tanh())


def test_a_step_with_a_cell_state_needs_it():
    spec = cell_spec("lstm")
    with pytest.raises(ValueError, match="needs the previous cell state"):
        spec.step(torch.zeros(8), torch.zeros(8), torch.zeros(2))


def test_plots_and_cells_load_neither_torch_nor_spacy():
    code = (
        "import sys, seqcore.cells, seqcore.plots; "
        "loaded = [m for m in ('torch', 'spacy') if m in sys.modules]; "
        "assert not loaded, f'importing seqcore.plots loaded {loaded}'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_new_spec_must_list_its_gates_in_trace_order():
    gru = cell_spec("gru")
    with pytest.raises(ValueError, match="must be the blocks, then c"):
        CellSpec(
            name="bad",
            title="BAD",
            module="GRU",
            gates=tuple(reversed(gru.gates)),
            blocks=gru.blocks,
            latex=gru.latex,
            preactivate=gru.preactivate,
            output=gru.output,
        )
