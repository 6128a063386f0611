"""gatestats: saturation shares per gate, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from seqcore.gatestats import saturation


def test_saturation_counts_each_end_and_skips_the_cell_state():
    gates = {
        "i": np.array([[0.95, 0.05], [0.5, 0.99]]),
        "f": np.full((2, 2), 0.5),
        "g": np.array([[-0.95, 0.0], [0.95, 0.2]]),
        "o": np.zeros((2, 2)),
        "c": np.full((2, 2), 5.0),
        "h": np.zeros((2, 2)),
    }
    rows = {r["gate"]: r for r in saturation("lstm", gates)}
    assert "c" not in rows
    assert rows["i"]["share_high"] == 0.5 and rows["i"]["share_low"] == 0.25
    assert rows["f"]["share_saturated"] == 0.0
    assert rows["g"]["share_high"] == 0.25 and rows["g"]["share_low"] == 0.25
    assert rows["o"]["share_low"] == 1.0
    assert rows["g"]["low_rule"].startswith("v < -0.9")
    with pytest.raises(ValueError):
        saturation("lstm", gates, threshold=0.3)
