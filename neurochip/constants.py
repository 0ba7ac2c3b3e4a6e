"""Every constant of the power and latency model, each with its source (docs/references.md).

A `Constant` is published (a citation), derived (arithmetic on published figures, shown), or an
ASSUMPTION (with the reason no source exists). `rivc-power` prints all of them with their
sources; nothing in neurochip/energy.py uses a number that is not here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constant:
    value: float
    unit: str
    what: str
    source: str                 # a citation, "derived: ...", or "ASSUMPTION: <why no source exists>"

    @property
    def kind(self) -> str:
        if self.source.startswith("ASSUMPTION"):
            return "assumption"
        return "derived" if self.source.startswith("derived") else "published"


DAVIES = "Davies et al., IEEE Micro 2018, Table 2 (Loihi, 14 nm; pre-silicon simulation at 0.75 V: energies minima, times maxima)"
SANA_FE = "Boyle et al., IEEE TCAD 2025 (SANA-FE, calibrated Loihi model)"
PILOTNET_NB = ("lava-nc/lava-dl tutorials/lava/lib/dl/netx/pilotnet_snn/benchmark.ipynb at commit dad9dfad "
               "(Loihi 2, Oheo Gulch, Lava power and runtime probes)")
PILOTNET_SDNN_NB = "lava-nc/lava-dl tutorials/lava/lib/dl/netx/pilotnet_sdnn/benchmark.ipynb (Loihi 2, Oheo Gulch)"
NENGO = ("nengo/nengo-loihi PR #26 (Loihi 1 through nengo-loihi: about 8 ms per step with host I/O every step, "
         "1.5 ms with I/O every 10 steps)")
DRAMBLE = "Raspberry Pi Dramble, pidramble.com/wiki/benchmarks/power-consumption (Pi 4 B, Raspbian Lite, no peripherals)"
BCM2711 = "Raspberry Pi 4 Model B product brief (BCM2711, 4x Cortex-A72 at 1.5 GHz); Arm Cortex-A72 TRM (128-bit NEON)"

C = {
    # --- Loihi per-event energies (two tables: the band) ---
    "synop_pj_davies": Constant(23.6, "pJ", "energy per synaptic spike op (min)", DAVIES),
    "synop_pj_sanafe": Constant(35.5, "pJ", "energy per dense synaptic spike op", SANA_FE),
    "neuron_active_pj_davies": Constant(81.0, "pJ", "energy per active neuron update", DAVIES),
    "neuron_active_pj_sanafe": Constant(72.8, "pJ", "energy per active LIF update", SANA_FE),
    "neuron_inactive_pj_davies": Constant(52.0, "pJ", "energy per inactive neuron update", DAVIES),
    "neuron_inactive_pj_sanafe": Constant(51.2, "pJ", "energy per inactive LIF update", SANA_FE),
    "spike_pj": Constant(1.7, "pJ", "energy per spike delivered within a tile", DAVIES),
    "graded_synop_pj_high": Constant(71.0, "pJ", "energy per graded (multi-bit payload) synaptic op, high end",
                                     "ASSUMPTION: Loihi 2 publishes no per-event table; a graded op multiplies "
                                     "payload x weight instead of adding, taken as 2x SANA-FE's dense synop "
                                     "(the low end is the binary synop: the same synapse pipeline)"),
    # --- Loihi per-event times (maxima) and synchronisation ---
    "synop_ns": Constant(3.5, "ns", "time per synaptic spike op (max)", DAVIES),
    "neuron_active_ns": Constant(8.4, "ns", "time per active neuron update (max)", DAVIES),
    "neuron_inactive_ns": Constant(5.3, "ns", "time per inactive neuron update (max)", DAVIES),
    "spike_ns": Constant(2.1, "ns", "time per spike within a tile (max)", DAVIES),
    "barrier_ns_1_tile": Constant(113.0, "ns", "barrier synchronisation per timestep, 1 tile", DAVIES),
    "barrier_ns_32_tiles": Constant(465.0, "ns", "barrier synchronisation per timestep, 32 tiles", DAVIES),
    # --- chip static power ---
    "static_w_loihi1": Constant(0.1, "W", "chip static power, Loihi", "Davies et al. 2018 as listed in docs/references.md "
                                "(about 0.1 W per chip)"),
    "static_w_loihi2": Constant(0.232, "W", "static power measured with PilotNet LIF running, Loihi 2", PILOTNET_NB),
    # --- the published Loihi 2 measurement the model is checked against (neurochip/calibration.py) ---
    "pilotnet_fps": Constant(408.91, "1/s", "PilotNet LIF throughput at reset_interval 16, frame held on chip "
                             "(no host I/O)", PILOTNET_NB),
    "pilotnet_total_w": Constant(0.679, "W", "PilotNet LIF total power", PILOTNET_NB),
    "pilotnet_steps": Constant(16, "steps", "timesteps per PilotNet inference (reset_interval)", PILOTNET_NB),
    # --- host <-> chip I/O per observation ---
    "io_s_per_value_loihi2": Constant(1.0 / (16.87 * 200 * 66 * 3), "s", "host-to-chip input time per input value, "
                                      "low end (times the observation's size)",
                                      "derived: PilotNet SDNN 16.87 fps 'bottlenecked by the communication of input "
                                      "frames' of 200x66x3 values, " + PILOTNET_SDNN_NB + "; no fixed per-message cost "
                                      "is published, so this is a lower bound"),
    "io_s_per_exchange_loihi1": Constant((8e-3 - 1.5e-3) * 10 / 9, "s", "host I/O time per exchange, high end",
                                         "derived: 8 ms = x + c and 1.5 ms = x + c/10 give c = 7.2 ms, " + NENGO),
    # --- ARM Cortex-A72 / Raspberry Pi 4 ---
    "a72_clock_hz": Constant(1.5e9, "Hz", "Cortex-A72 clock in the BCM2711", BCM2711),
    "a72_macs_per_cycle_neon": Constant(4.0, "MAC/cycle", "FP32 MACs per cycle per core, 128-bit NEON FMA (peak)", BCM2711),
    "a72_macs_per_cycle_scalar": Constant(1.0, "MAC/cycle", "FP32 MACs per cycle per core, scalar loop",
                                          "ASSUMPTION: no published batch-1 tiny-MLP time on a Pi 4; one scalar "
                                          "FMA per cycle with no runtime overhead stands for a lean C loop"),
    "pi4_idle_w": Constant(2.7, "W", "Raspberry Pi 4 B board, idle", DRAMBLE),
    "pi4_full_w": Constant(6.4, "W", "Raspberry Pi 4 B board, 400% CPU load (stress --cpu 4)", DRAMBLE),
    "a72_core_w_low": Constant(0.5, "W", "power of one busy A72 core, low end",
                               "ASSUMPTION: no published BCM2711 per-core or cluster power; the board's increment "
                               "per busy core (high end) also pays DRAM and regulator losses, so the core's own "
                               "share is below it"),
    "a72_cluster_idle_w_low": Constant(0.2, "W", "BCM2711 A72 cluster idle power, low end",
                                       "ASSUMPTION: not published; the board idle power is the upper bound"),
    # --- Loihi systems (per-chip share of a published system's power) ---
    "pohoiki_w_per_chip": Constant(500.0 / 768, "W", "Pohoiki Springs: under 500 W for 768 Loihi chips, per chip",
                                   "derived: Intel newsroom, 2020-03-18 (Pohoiki Springs)"),
    "hala_point_w_per_chip": Constant(2600.0 / 1152, "W", "Hala Point: at most 2,600 W for 1,152 Loihi 2 chips, per chip",
                                      "derived: Intel newsroom, 2024-04-17 (Hala Point)"),
    # --- the paper's figures ---
    "paper_power_ratio": Constant(15.0, "x", "RIVC on a neurochip: 1/15 the power of a quad-core Cortex-A72",
                                  "Kadokawa et al., RAS 2024, abstract"),
    "paper_speed_ratio": Constant(5.0, "x", "RIVC on a neurochip: 5x faster than a quad-core Cortex-A72",
                                  "Kadokawa et al., RAS 2024, abstract"),
}


def value(name: str) -> float:
    return C[name].value


def table() -> list[dict]:
    """Every constant as rows (name, value, unit, what, kind, source) for a report."""
    return [{"name": k, "value": c.value, "unit": c.unit, "what": c.what, "kind": c.kind, "source": c.source}
            for k, c in C.items()]
