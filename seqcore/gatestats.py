"""Summaries of gate values: how often each gate sits near an end of its range (saturation).

Pure NumPy over the arrays a trace holds (`seqcore.traces`), with each gate's activation read
from `seqcore.cells`; imports neither torch nor spaCy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from seqcore.cells import cell_spec

# A value counts as saturated beyond this threshold (sigmoid: above t or below 1 - t; tanh: |v| > t).
DEFAULT_THRESHOLD = 0.9
THRESHOLD_RANGE = (0.55, 0.99)  # the thresholds a reader may choose (saturation needs 0.5 < t < 1)
THRESHOLD_STEP = 0.01


def saturation(cell: str, gates: Mapping[str, np.ndarray], threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """Share of values near each end of every bounded gate's range.

    Sigmoid gates (range 0..1): "high" is v > threshold (open), "low" is v < 1 - threshold (closed).
    Tanh values (range -1..1): "high" is v > threshold, "low" is v < -threshold; together |v| > threshold.
    The LSTM cell state c is unbounded, so it has no saturation and is left out.
    """
    if not 0.5 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0.5, 1), got {threshold}")
    rows = []
    for info in cell_spec(cell).gates:
        name = info.name
        if info.activation == "none" or name not in gates:
            continue
        v = np.asarray(gates[name], dtype=np.float64)
        n = int(v.size)
        if info.activation == "sigmoid":
            low_cut, low_rule, high_rule = 1.0 - threshold, f"v < {1 - threshold:.2g} (closed)", f"v > {threshold:.2g} (open)"
        else:
            low_cut, low_rule, high_rule = -threshold, f"v < -{threshold:.2g}", f"v > {threshold:.2g}"
        high = float((v > threshold).sum() / n) if n else 0.0
        low = float((v < low_cut).sum() / n) if n else 0.0
        rows.append(
            {
                "gate": name,
                "name": info.long_name,
                "activation": info.activation,
                "values": n,
                "high_rule": high_rule,
                "share_high": high,
                "low_rule": low_rule,
                "share_low": low,
                "share_saturated": high + low,
            }
        )
    return rows
