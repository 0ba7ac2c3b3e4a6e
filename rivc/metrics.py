"""Conversion-error metrics: how far the SNN is from the quantized FPNN on the same states."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


def optimal_mask(q: np.ndarray, rel_tol: float = 1e-5) -> np.ndarray:
    """(B, A) bool: actions whose Q is the maximum up to float32 rounding (ties count as optimal)."""
    q = np.asarray(q, np.float64)
    top = q.max(axis=1, keepdims=True)
    return q >= top - rel_tol * (1.0 + np.abs(top))


def agrees(q_fpnn: np.ndarray, snn_actions: np.ndarray) -> np.ndarray:
    """(B,) bool: the SNN's action is an optimal action of the quantized FPNN."""
    return optimal_mask(q_fpnn)[np.arange(len(snn_actions)), snn_actions]


def action_gap(q: np.ndarray) -> np.ndarray:
    """(B,) best minus second-best Q."""
    top2 = np.sort(np.asarray(q, np.float64), axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


class ConversionMetrics(NamedTuple):
    action_agreement: float        # fraction of states where the SNN picks an optimal FPNN action
    q_error: float                 # mean |Q_snn - Q_fpnn|
    q_error_rel: float             # q_error / mean |Q_fpnn|
    action_gap: float              # mean gap of the FPNN
    action_gap_rel: float          # mean gap / mean |Q_fpnn|
    action_gap_p05_rel: float      # 5th percentile of the gap / mean |Q_fpnn| (the states at risk)
    spike_rate: list[float]        # per hidden layer: mean spikes per neuron per timestep
    count_error: list[float]       # per hidden layer: mean |n_snn - n_fpnn| (spikes)


def conversion_metrics(q_fpnn: np.ndarray, q_snn: np.ndarray, counts_fpnn: list[np.ndarray],
                       counts_snn: list[np.ndarray], timesteps: int) -> ConversionMetrics:
    """All arrays are over the same B states: q_* (B, A), counts_* per hidden layer (B, n_l)."""
    q_fpnn, q_snn = np.asarray(q_fpnn, np.float64), np.asarray(q_snn, np.float64)
    scale = float(np.abs(q_fpnn).mean()) + 1e-12
    gap = action_gap(q_fpnn)
    err = float(np.abs(q_snn - q_fpnn).mean())
    return ConversionMetrics(
        action_agreement=float(agrees(q_fpnn, q_snn.argmax(axis=1)).mean()),
        q_error=err, q_error_rel=err / scale,
        action_gap=float(gap.mean()), action_gap_rel=float(gap.mean()) / scale,
        action_gap_p05_rel=float(np.percentile(gap, 5)) / scale,
        spike_rate=[float(c.mean()) / timesteps for c in counts_snn],
        count_error=[float(np.abs(a - b).mean()) for a, b in zip(counts_snn, counts_fpnn)],
    )
