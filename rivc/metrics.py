"""Conversion-error metrics: how far the SNN is from the quantized FPNN on the same states."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


def greedy(q: np.ndarray) -> np.ndarray:
    """(B, A) readouts -> (B,) int64 greedy actions; a tie goes to the lowest action index.

    The one tie rule of the framework: the quantized FPNN applies it to its readout in the
    SNN's integer units (`QuantQNetwork.readout_units`), the SNN to its own readout, so equal
    readouts give equal actions and, with the same seeds, identical episodes."""
    return np.asarray(q).argmax(axis=1).astype(np.int64)


def agrees(fpnn_actions: np.ndarray, snn_actions: np.ndarray) -> np.ndarray:
    """(B,) bool: the SNN took the quantized FPNN's greedy action (both by `greedy`)."""
    return np.asarray(fpnn_actions) == np.asarray(snn_actions)


def action_gap(q: np.ndarray) -> np.ndarray:
    """(B,) best minus second-best Q."""
    top2 = np.sort(np.asarray(q, np.float64), axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


class ConversionMetrics(NamedTuple):
    action_agreement: float        # fraction of states where the SNN takes the FPNN's greedy action (same tie rule)
    q_error: float                 # mean |Q_snn - Q_fpnn|
    q_error_rel: float             # q_error / mean |Q_fpnn|
    action_gap: float              # mean gap of the FPNN
    action_gap_rel: float          # mean gap / mean |Q_fpnn|
    action_gap_p05_rel: float      # 5th percentile of the gap / mean |Q_fpnn| (the states at risk)
    spike_rate: list[float]        # per hidden layer: mean spikes per neuron per timestep
    count_error: list[float]       # per hidden layer: mean |n_snn - n_fpnn| (spikes)


def conversion_metrics(q_fpnn: np.ndarray, q_snn: np.ndarray, counts_fpnn: list[np.ndarray],
                       counts_snn: list[np.ndarray], timesteps: int,
                       fpnn_actions: np.ndarray | None = None) -> ConversionMetrics:
    """All arrays are over the same B states: q_* (B, A), counts_* per hidden layer (B, n_l);
    fpnn_actions (B,): the FPNN's greedy actions by the integer readout (default greedy(q_fpnn))."""
    q_fpnn, q_snn = np.asarray(q_fpnn, np.float64), np.asarray(q_snn, np.float64)
    scale = float(np.abs(q_fpnn).mean()) + 1e-12
    gap = action_gap(q_fpnn)
    err = float(np.abs(q_snn - q_fpnn).mean())
    return ConversionMetrics(
        action_agreement=float(agrees(greedy(q_fpnn) if fpnn_actions is None else fpnn_actions,
                                      greedy(q_snn)).mean()),
        q_error=err, q_error_rel=err / scale,
        action_gap=float(gap.mean()), action_gap_rel=float(gap.mean()) / scale,
        action_gap_p05_rel=float(np.percentile(gap, 5)) / scale,
        spike_rate=[float(c.mean()) / timesteps for c in counts_snn],
        count_error=[float(np.abs(a - b).mean()) for a, b in zip(counts_snn, counts_fpnn)],
    )
