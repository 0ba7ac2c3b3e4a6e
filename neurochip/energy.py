"""Energy and latency of one inference: the neurochip from counted operations, the ARM
Cortex-A72 from the network's multiply-accumulates. Every constant names its source
(docs/references.md); assumptions are fields of the result so a report can print them.

Loihi 2 has no published per-event energy table: the Loihi (1) numbers of Davies et al. 2018
stand in, with SANA-FE's calibrated Loihi numbers (Boyle et al. 2025) as the other end of the band.
"""
from __future__ import annotations

from dataclasses import dataclass

from neurochip.opcount import OpCounts


@dataclass(frozen=True)
class ChipEnergyTable:
    name: str
    source: str
    synop_pj: float              # per synaptic spike operation
    neuron_active_pj: float
    neuron_inactive_pj: float
    spike_pj: float              # spike delivered within a tile
    static_w: float              # static power of the chip


DAVIES_2018 = ChipEnergyTable("Loihi (Davies 2018)", "Davies et al., IEEE Micro 2018, Table 2 (14 nm, 0.75 V)",
                              23.6, 81.0, 52.0, 1.7, 0.1)
SANA_FE_2025 = ChipEnergyTable("Loihi (SANA-FE 2025)", "Boyle et al., IEEE TCAD 2025 (calibrated Loihi model)",
                               35.5, 72.8, 51.2, 1.7, 0.1)


@dataclass(frozen=True)
class ChipTiming:
    """Per-event times of a Loihi neurocore. Davies et al. 2018 report, beside the energies,
    the minimum time of each event; these are the values used here (ASSUMPTION: read from
    that table; docs/references.md now lists them with their caveats: maxima, pre-silicon)."""

    synop_ns: float = 3.5
    neuron_update_ns: float = 8.4    # active update; inactive updates counted at the same time (upper bound)
    spike_ns: float = 2.1
    source: str = "Davies et al., IEEE Micro 2018, Table 2 (time column); one neurocore per layer, layers in parallel"


@dataclass(frozen=True)
class ArmModel:
    """ARM Cortex-A72, Raspberry Pi 4 (BCM2711, 4 cores at 1.5 GHz), docs/references.md."""

    cores: int = 4
    clock_hz: float = 1.5e9
    flop_per_cycle_per_core: float = 8.0     # 4-wide NEON FMA, FP32
    board_idle_w: float = 2.1
    board_full_w: float = 6.4
    mac_pj_best: float = 180.0               # dynamic energy per FP32 MAC at full load (derived best case)
    mac_pj_total: float = 267.0              # total board energy per MAC at full load (derived)
    realistic_efficiency: float = 0.05       # ASSUMPTION: batch-1 GEMV of a tiny MLP on one core reaches 5% of peak
    realistic_overhead_s: float = 20e-6      # ASSUMPTION: per-inference framework/dispatch overhead


@dataclass
class ChipEstimate:
    table: str
    energy_j: float
    dynamic_j: float
    static_j: float
    latency_s: float


def chip_latency(counts: OpCounts, layer_sizes: list[int], timing: ChipTiming = ChipTiming()) -> float:
    """Seconds per inference: timesteps x the slowest core's work per step (layers run in
    parallel, one core each; per-step work = its synops + its neuron updates + its spikes)."""
    steps = counts.timesteps
    per_step_synops = counts.synops / steps
    per_step_spikes = counts.spikes / steps
    slowest_core_ns = max(layer_sizes) * timing.neuron_update_ns + per_step_synops * timing.synop_ns \
        + per_step_spikes * timing.spike_ns            # upper bound: all synops on one core
    return steps * slowest_core_ns * 1e-9


def chip_energy(counts: OpCounts, latency_s: float, table: ChipEnergyTable) -> ChipEstimate:
    dynamic = 1e-12 * (counts.synops * table.synop_pj + counts.neuron_updates_active * table.neuron_active_pj
                       + counts.neuron_updates_inactive * table.neuron_inactive_pj + counts.spikes * table.spike_pj)
    static = table.static_w * latency_s
    return ChipEstimate(table.name, dynamic + static, dynamic, static, latency_s)


@dataclass
class ArmEstimate:
    case: str
    energy_j: float
    latency_s: float
    assumptions: str


def arm_estimates(macs: int, arm: ArmModel = ArmModel()) -> list[ArmEstimate]:
    """Best case: all cores at peak FP32 throughput, dynamic energy per MAC only.
    Realistic: one core at `realistic_efficiency` of its peak plus a fixed overhead, the whole
    board at full-load power for that time."""
    peak_macs_per_s = arm.cores * arm.clock_hz * arm.flop_per_cycle_per_core / 2
    best_latency = macs / peak_macs_per_s
    core_macs_per_s = arm.clock_hz * arm.flop_per_cycle_per_core / 2 * arm.realistic_efficiency
    real_latency = macs / core_macs_per_s + arm.realistic_overhead_s
    return [
        ArmEstimate("A72 best case", macs * arm.mac_pj_best * 1e-12, best_latency,
                    "4 cores at peak NEON FP32, 180 pJ dynamic per MAC"),
        ArmEstimate("A72 realistic", arm.board_full_w * real_latency, real_latency,
                    f"1 core at {arm.realistic_efficiency:.0%} of peak + {arm.realistic_overhead_s * 1e6:.0f} us overhead, "
                    f"board at {arm.board_full_w} W"),
    ]
