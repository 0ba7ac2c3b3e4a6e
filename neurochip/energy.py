"""Energy and latency of one inference as bands, at chip level and at system level.

Every number comes from neurochip/constants.py (each with its source); each end of a band names
the constants that give it. Chip level: the neurochip's compute (per-event energies and times,
barrier synchronisation per timestep, chip static power) against one Cortex-A72 core of the
BCM2711 running the quantized FPNN's MACs in a lean loop. System level: the same plus host I/O
per observation on the neurochip side, a Loihi system's or a host board's base power, against a
whole Raspberry Pi 4 board.

Loihi 2 has no published per-event table: Loihi (1) numbers stand in (Davies 2018, SANA-FE 2025
as the other end), and the per-event times are rescaled at the low end by the check against a
published Loihi 2 measurement (neurochip/calibration.py).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from neurochip.constants import value as v
from neurochip.opcount import OpCounts


@dataclass
class Band:
    """[low, high] of one quantity (SI units: J, s, W, or a ratio) and what gives each end."""

    low: float
    high: float
    low_from: str
    high_from: str

    def __add__(self, other: "Band") -> "Band":
        return Band(self.low + other.low, self.high + other.high,
                    f"{self.low_from} + {other.low_from}", f"{self.high_from} + {other.high_from}")

    def over(self, other: "Band") -> "Band":
        """self / other as a band of ratios (low = self.low / other.high)."""
        return Band(self.low / other.high, self.high / other.low, "low / other's high", "high / other's low")

    def to_dict(self) -> dict:
        return asdict(self)


def core_step_ns(synops: float, active: float, inactive: float, spikes: float) -> float:
    """Nanoseconds one neurocore needs for one timestep's events (Davies 2018's times, maxima)."""
    return (synops * v("synop_ns") + active * v("neuron_active_ns") + inactive * v("neuron_inactive_ns")
            + spikes * v("spike_ns"))


def slowest_core_step_ns(counts: OpCounts) -> float:
    """Mean per-step event time of the slowest core, one neurocore per layer (layers in parallel)."""
    P = counts.timesteps
    return max(core_step_ns(s / P, a / P, i / P, k / P) for s, a, i, k in
               zip(counts.synops_per_layer, counts.active_per_layer, counts.inactive_per_layer,
                   counts.spikes_per_layer))


def compute_latency(counts: OpCounts, loihi2_speed: float = 1.0) -> Band:
    """Seconds of on-chip compute per inference: timesteps x (slowest core's events + barrier).
    loihi2_speed: measured / predicted step time of the published Loihi 2 workload (calibration);
    below 1 it lowers the low end, above 1 it raises the high end."""
    events = slowest_core_step_ns(counts)
    low = counts.timesteps * (events * min(1.0, loihi2_speed) + v("barrier_ns_1_tile")) * 1e-9
    high = counts.timesteps * (events * max(1.0, loihi2_speed) + v("barrier_ns_32_tiles")) * 1e-9
    b1, b32 = v("barrier_ns_1_tile"), v("barrier_ns_32_tiles")
    return Band(low, high, f"per-event times x {min(1.0, loihi2_speed):.2f} (Loihi 2 check) + {b1:.0f} ns barrier",
                f"per-event times (Loihi maxima) x {max(1.0, loihi2_speed):.2f} + {b32:.0f} ns barrier (32 tiles)")


def io_latency(n_inputs: int) -> Band:
    """Seconds of host <-> chip I/O per observation (one exchange in, the action out)."""
    return Band(n_inputs * v("io_s_per_value_loihi2"), v("io_s_per_exchange_loihi1"),
                f"{n_inputs} values x Loihi 2 PilotNet SDNN input rate", "Loihi 1 nengo-loihi host exchange")


def _dynamic_j(counts: OpCounts, table: str, graded_pj: float | None = None) -> float:
    """Event energy of one inference under a table ('davies' | 'sanafe'); graded ops at graded_pj
    (None: the table's binary synop)."""
    synop = v(f"synop_pj_{table}")
    return 1e-12 * (counts.synops_binary * synop + counts.synops_graded * (synop if graded_pj is None else graded_pj)
                    + counts.neuron_updates_active * v(f"neuron_active_pj_{table}")
                    + counts.neuron_updates_inactive * v(f"neuron_inactive_pj_{table}")
                    + counts.spikes * v("spike_pj"))


def chip_dynamic_energy(counts: OpCounts) -> Band:
    """Joules of event energy per inference over the two Loihi tables; graded ops priced from the
    binary synop (low) to the graded assumption (high)."""
    tables = ("davies", "sanafe")
    low = min(_dynamic_j(counts, t) for t in tables)
    high = max(_dynamic_j(counts, t, v("graded_synop_pj_high")) for t in tables)
    return Band(low, high, "the lower of Davies 2018 / SANA-FE 2025",
                "the higher table, graded synops at the assumption" if counts.synops_graded else "the higher table")


def chip_energy(dynamic: Band, latency: Band) -> Band:
    """Joules per inference at chip level: events + chip static power over the compute latency."""
    return Band(dynamic.low + v("static_w_loihi1") * latency.low, dynamic.high + v("static_w_loihi2") * latency.high,
                f"events + Loihi static {v('static_w_loihi1')} W", f"events + Loihi 2 measured static {v('static_w_loihi2')} W")


def chip_power(dynamic: Band, control_hz: float) -> Band:
    """Average chip power (W) at the control rate: static + event energy x rate."""
    return Band(v("static_w_loihi1") + dynamic.low * control_hz, v("static_w_loihi2") + dynamic.high * control_hz,
                "Loihi static + events", "Loihi 2 static + events")


def a72_core_w_high() -> float:
    """The board's power increment per busy core: (full - idle) / 4 (derived from Pi Dramble)."""
    return (v("pi4_full_w") - v("pi4_idle_w")) / 4


def a72_latency(macs: int) -> Band:
    """Seconds of one A72 core running `macs` FP32 MACs in a lean loop: NEON peak .. scalar."""
    clock = v("a72_clock_hz")
    return Band(macs / (v("a72_macs_per_cycle_neon") * clock), macs / (v("a72_macs_per_cycle_scalar") * clock),
                "4 MAC/cycle NEON peak at 1.5 GHz", "1 MAC/cycle scalar at 1.5 GHz")


def a72_energy(latency: Band) -> Band:
    """Joules per inference of the busy core (the cluster's idle share is unpublished: left out)."""
    return Band(v("a72_core_w_low") * latency.low, a72_core_w_high() * latency.high,
                f"{v('a72_core_w_low')} W per core (assumption)", f"{a72_core_w_high():.3f} W board increment per core")


def a72_power(latency: Band, control_hz: float) -> Band:
    """Average A72 cluster power (W) at the control rate: idle + busy core x duty."""
    return Band(v("a72_cluster_idle_w_low") + v("a72_core_w_low") * latency.low * control_hz,
                v("pi4_idle_w") + a72_core_w_high() * latency.high * control_hz,
                f"cluster idle {v('a72_cluster_idle_w_low')} W (assumption)",
                f"board idle {v('pi4_idle_w')} W (upper bound of the cluster's)")


@dataclass
class SystemRow:
    name: str
    energy_j: Band
    latency_s: Band
    power_w: Band


def neurochip_systems(dynamic: Band, latency: Band, control_hz: float) -> list[SystemRow]:
    """A Loihi system (per-chip share of Pohoiki Springs .. Hala Point) and a Loihi chip hosted by a
    Raspberry Pi 4 (its idle board + the chip's static power), each with the end-to-end latency."""
    base_loihi = Band(v("pohoiki_w_per_chip"), v("hala_point_w_per_chip"), "Pohoiki Springs per chip",
                      "Hala Point per chip")
    base_hosted = Band(v("pi4_idle_w") + v("static_w_loihi1"), v("pi4_idle_w") + v("static_w_loihi2"),
                       "Pi 4 idle + Loihi static", "Pi 4 idle + Loihi 2 static")
    rows = []
    for name, base in (("Loihi system (per-chip share)", base_loihi), ("Loihi chip + Raspberry Pi 4 host", base_hosted)):
        energy = Band(base.low * latency.low + dynamic.low, base.high * latency.high + dynamic.high,
                      f"{base.low_from} x latency + events", f"{base.high_from} x latency + events")
        power = Band(base.low + dynamic.low * control_hz, base.high + dynamic.high * control_hz,
                     base.low_from, base.high_from)
        rows.append(SystemRow(name, energy, latency, power))
    return rows


def pi4_system(latency: Band, control_hz: float) -> SystemRow:
    """The whole Raspberry Pi 4 board: idle + one busy core's increment while inferring."""
    busy_w = v("pi4_idle_w") + a72_core_w_high()
    return SystemRow("Raspberry Pi 4 board", Band(busy_w * latency.low, busy_w * latency.high,
                                                  "board at idle + 1 core", "board at idle + 1 core"),
                     latency, Band(v("pi4_idle_w") + a72_core_w_high() * latency.low * control_hz,
                                   v("pi4_idle_w") + a72_core_w_high() * latency.high * control_hz,
                                   "board idle + duty", "board idle + duty"))


def verdict(ratio: Band, target: float) -> str:
    """Whether an A72/neurochip ratio band shows the paper's factor."""
    if ratio.low >= target:
        return "shown across the band"
    if ratio.high >= target:
        return "shown only at the band's favourable end"
    return "not shown"


def dominant_term(compute: Band, io: Band) -> str:
    if io.low > compute.high:
        return "host I/O dominates across the band"
    if compute.low > io.high:
        return "on-chip compute dominates across the band"
    return "either, depending on the band (their ranges overlap)"
