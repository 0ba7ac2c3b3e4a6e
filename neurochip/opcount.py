"""Operation counts of one inference on the chip, from the bit-exact emulator.

Counted over all `steps_per_inference` timesteps of an inference that starts from a cleared
network (what the chip does, not only the readout window):

* synaptic ops: for each Dense, per timestep, (number of nonzero inputs) x fan-out (a conv
  layer's structural fan-out: output channels x the positions whose field holds the input). Inputs of
  the first layer are graded (multi-bit payloads); they are counted separately.
* neuron updates: every neuron is updated every timestep; an update is *active* if the neuron
  holds state (v != 0) after it or spiked, else *inactive* (Davies et al. 2018's distinction).
* spikes: per layer.

Graded specs: counted over the P steps of one inference after the quiet start (the load step
included); the observation enters at the load step only, every hidden payload is graded.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from neurochip.emulator import emulator_for
from neurochip.ir import NetworkSpec


@dataclass
class OpCounts:
    """Mean counts per inference (averaged over the observations given)."""

    timesteps: int
    synops_binary: float
    synops_graded: float
    neuron_updates_active: float
    neuron_updates_inactive: float
    spikes_per_layer: list[float]
    neurons: int
    synapses: int
    synops_per_layer: list[float] = field(default_factory=list)      # synaptic ops into each layer's core
    active_per_layer: list[float] = field(default_factory=list)      # active neuron updates of each layer
    inactive_per_layer: list[float] = field(default_factory=list)

    @property
    def synops(self) -> float:
        return self.synops_binary + self.synops_graded

    @property
    def spikes(self) -> float:
        return float(sum(self.spikes_per_layer))

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(synops=self.synops, spikes=self.spikes)
        return d


def count_inference_ops(spec: NetworkSpec, x_int: np.ndarray) -> OpCounts:
    """x_int: (B, n_in) int encoded observations. Returns mean counts per inference."""
    x_int = np.asarray(x_int, np.int64)
    B = x_int.shape[0]
    trace = emulator_for(spec).run_sequence(x_int[None])     # one inference per row, from a cleared state
    P = spec.steps_per_inference
    start = P if spec.scheme == "graded" else 0              # skip the graded quiet start
    synops_binary = synops_graded = 0.0
    synops_l, active_l, inactive_l, spikes = [], [], [], []
    if spec.scheme == "graded":                              # the observation is sent at the load step only
        inputs = np.zeros((P, B, x_int.shape[1]), np.int64)
        inputs[0] = x_int
    else:
        inputs = np.broadcast_to(x_int, (P, B, x_int.shape[1]))
    for i, layer in enumerate(spec.layers):
        # every nonzero input (spike or payload) reaches its fan-out, summed over the P steps
        synops = float(((inputs != 0) * layer.fan_out()).sum()) / B
        if layer.num_message_bits > 0:
            synops_graded += synops
        else:
            synops_binary += synops
        v, s = trace.voltages[i][start:], trace.spikes[i][start:]   # (P, B, n_out)
        busy = float(((v != 0) | (s != 0)).sum()) / B
        synops_l.append(synops)
        active_l.append(busy)
        inactive_l.append(P * layer.n_out - busy)
        spikes.append(float((s != 0).sum()) / B if layer.spiking else 0.0)   # a readout's output goes nowhere
        inputs = s
    return OpCounts(timesteps=P, synops_binary=synops_binary, synops_graded=synops_graded,
                    neuron_updates_active=sum(active_l), neuron_updates_inactive=sum(inactive_l),
                    spikes_per_layer=spikes, neurons=sum(layer.n_out for layer in spec.layers),
                    synapses=sum(layer.synapse_count for layer in spec.layers),
                    synops_per_layer=synops_l, active_per_layer=active_l, inactive_per_layer=inactive_l)
