"""The model checked against a published Loihi 2 measurement: PilotNet LIF through Lava.

lava-dl's benchmark notebook (neurochip/constants.py: PILOTNET_NB) runs PilotNet LIF on one
Loihi 2 chip with the frame held on chip (no host I/O): 408.91 inferences/s at 16 timesteps each,
0.679 W of which 0.232 W static, on 74 neurocores. Its layer sizes and core counts are printed in
the same notebook; its activity is not published in text. The check:

1. infer the mean spike activity (spikes per neuron per timestep, uniform over the network) at
   which the model's per-event energies give the measured dynamic energy per inference (every
   neuron holds state in a rate-coded LIF network, so its updates count as active);
2. predict the step time from the per-event times of the slowest core at that activity, plus the
   barrier, and the step time if the events were spread evenly over all 74 cores (a lower bound);
   compare with the measured 1 / (fps x 16).

The ratio measured / predicted is what `compute_latency` uses as `loihi2_speed`.
"""
from __future__ import annotations

from dataclasses import dataclass

from neurochip.constants import value as v
from neurochip.energy import core_step_ns

# (name, neurons, incoming synapses per neuron, neurocores), from the notebook's network table
# (200x66x3 input; conv 3x3 layers 24/36/48/64/64 channels; dense 100/50/10/1) and its per-core table.
PILOTNET = [
    ("input", 200 * 66 * 3, 0, 13),
    ("conv1", 99 * 32 * 24, 3 * 3 * 3, 25),
    ("conv2", 49 * 15 * 36, 3 * 3 * 24, 13),
    ("conv3", 24 * 7 * 48, 3 * 3 * 36, 3),
    ("conv4", 22 * 4 * 64, 3 * 3 * 48, 3),
    ("conv5", 20 * 2 * 64, 3 * 3 * 64, 2),
    ("dense1", 100, 20 * 2 * 64, 12),
    ("dense2", 50, 100, 1),
    ("dense3", 10, 50, 1),
    ("dense4", 1, 10, 1),
]


@dataclass
class PilotNetCheck:
    table: str
    activity: float                  # spikes per neuron per timestep that reproduce the measured energy
    predicted_step_s: float          # slowest core (each layer's events split evenly over its cores)
    balanced_step_s: float           # every event of a step spread evenly over all 74 cores (a lower bound)
    measured_step_s: float
    slowest_layer: str

    @property
    def measured_over_predicted(self) -> float:
        return self.measured_step_s / self.predicted_step_s


def measured() -> dict:
    fps, steps = v("pilotnet_fps"), v("pilotnet_steps")
    dynamic_w = v("pilotnet_total_w") - v("static_w_loihi2")
    return {"step_s": 1.0 / (fps * steps), "energy_j": v("pilotnet_total_w") / fps, "dynamic_j": dynamic_w / fps,
            "static_j": v("static_w_loihi2") / fps, "cores": sum(c for *_, c in PILOTNET)}


def check(table: str) -> PilotNetCheck:
    """table: 'davies' or 'sanafe' (the per-event energies used to infer the activity)."""
    m = measured()
    steps = v("pilotnet_steps")
    neurons = sum(n for _, n, _, _ in PILOTNET)
    synapses = sum(n * k for _, n, k, _ in PILOTNET)
    per_step_j = m["dynamic_j"] / steps
    neuron_j = neurons * v(f"neuron_active_pj_{table}") * 1e-12
    activity = (per_step_j - neuron_j) / (synapses * v(f"synop_pj_{table}") * 1e-12 + neurons * v("spike_pj") * 1e-12)
    per_core = {name: core_step_ns(activity * n * k / cores, n / cores, 0.0, activity * n / cores)
                for name, n, k, cores in PILOTNET}
    slowest = max(per_core, key=per_core.get)
    predicted = (per_core[slowest] + v("barrier_ns_32_tiles")) * 1e-9   # 74 cores: the 32-tile barrier at least
    total = core_step_ns(activity * synapses, neurons, 0.0, activity * neurons)
    balanced = (total / m["cores"] + v("barrier_ns_32_tiles")) * 1e-9
    return PilotNetCheck(table, activity, predicted, balanced, m["step_s"], slowest)


def checks() -> dict[str, PilotNetCheck]:
    """The check under each energy table."""
    return {t: check(t) for t in ("davies", "sanafe")}


def loihi2_speed(done: dict[str, PilotNetCheck] | None = None) -> float:
    """The smallest measured / predicted step-time ratio over the two tables (`done`: checks() already run)."""
    return min(c.measured_over_predicted for c in (done or checks()).values())
