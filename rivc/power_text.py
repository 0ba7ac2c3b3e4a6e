"""power.md and power.png of rivc-power, from the power.json dict (bands as {low, high, ...})."""
from __future__ import annotations

from pathlib import Path


def _j(j: float) -> str:
    if j >= 1e-3:
        return f"{j * 1e3:.3g} mJ"
    return f"{j * 1e6:.3g} uJ" if j >= 1e-7 else f"{j * 1e9:.3g} nJ"


def _s(s: float) -> str:
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us" if s >= 1e-7 else f"{s * 1e9:.3g} ns"


def _band(b: dict, fmt) -> str:
    return f"{fmt(b['low'])} - {fmt(b['high'])}"


def _x(b: dict) -> str:
    return f"{b['low']:.3g}x - {b['high']:.3g}x"


def _row(r: dict) -> str:
    return (f"| {r['name']} | {_band(r['energy_j'], _j)} | {_band(r['latency_s'], _s)} | "
            f"{_band(r['power_w'], lambda w: f'{w:.3g} W')} |")


def _verdicts(ratio: dict, paper: dict) -> str:
    v = ratio["verdict"]
    return (f"energy per inference {_x(ratio['energy'])} ({paper['power_ratio']:.0f}x: {v['energy']}), "
            f"average power {_x(ratio['power'])} ({paper['power_ratio']:.0f}x: {v['power']}), "
            f"speed {_x(ratio['speed'])} ({paper['speed_ratio']:.0f}x: {v['speed']})")


def markdown(r: dict, cfg) -> str:
    c, chip, sys_ = r["op_counts_per_inference"], r["chip_level"], r["system_level"]
    head = ["| | energy / inference | latency / inference | average power at the control rate |",
            "|---|---|---|---|"]
    split = r["latency_split"]
    checks = r["loihi2_check"]
    check_rows = [f"| {t} | {c_['activity']:.3f} | {c_['balanced_step_s'] * 1e6:.0f} us | "
                  f"{c_['predicted_step_s'] * 1e6:.0f} us ({c_['slowest_layer']}) | {c_['measured_step_s'] * 1e6:.0f} us |"
                  for t, c_ in checks.items()]
    consts = [f"| {k['name']} | {k['value']:.4g} {k['unit']} | {k['what']} | {k['kind']} | {k['source']} |"
              for k in r["constants"]]
    host = r["host"]
    return "\n".join([
        f"# Power and latency: {r['env_id']}, {r['scheme']} SNN",
        "", f"Command: `rivc-power checkpoint={cfg.checkpoint} episodes={cfg.episodes} seed={cfg.seed}`",
        "", f"Per inference, averaged over {r['states']} states the SNN visited: {c['timesteps']} timesteps, "
            f"{c['synops']:.0f} synaptic ops ({c['synops_graded']:.0f} graded), {c['spikes']:.1f} spikes, "
            f"{c['neuron_updates_active']:.0f} active / {c['neuron_updates_inactive']:.0f} inactive neuron updates; "
            f"the FPNN needs {r['fpnn_macs']} MACs; an observation is {r['observation_values']} values. "
            f"Control rate {r['control_hz']:.4g} Hz ({r['control_hz_source']}).",
        "", "Every cell is a band: low - high. Each end's constants are listed below with their sources.",
        "", "## Chip level: neurochip vs one Cortex-A72 core", "", *head, _row(chip["neurochip"]), _row(chip["a72"]),
        "", f"A72 / neurochip: {_verdicts(chip['ratio'], r['paper'])}.",
        "", "## System level: a neurochip system vs a Raspberry Pi 4 board", "", *head,
        *[_row(s) for s in sys_["neurochip"]], _row(sys_["pi4"]), "",
        *[f"Raspberry Pi 4 / {s['name']}: {_verdicts(ratio, r['paper'])}." for s, ratio in
          zip(sys_["neurochip"], sys_["ratio"])],
        "", "## Where the neurochip's latency goes", "",
        f"On-chip compute {_band(split['compute_s'], _s)} (per-event times of the slowest core plus barrier "
        f"synchronisation, every timestep), host I/O per observation {_band(split['host_io_s'], _s)}; "
        f"end to end {_band(split['end_to_end_s'], _s)}: {split['dominant']}.",
        "", "## The model against a published Loihi 2 measurement", "",
        "PilotNet LIF on Loihi 2 through Lava (lava-dl benchmark notebook, frame held on chip): the activity "
        "that reproduces its measured dynamic energy under each table, and the step time the per-event "
        "times then predict, with the events spread evenly over its 74 cores (a lower bound) and on its "
        "slowest core:",
        "", "| energy table | inferred spikes / neuron / step | predicted, balanced | predicted, slowest core | measured |",
        "|---|---|---|---|---|", *check_rows, "",
        f"The measurement lies between the two predictions; the compute band's low end is the per-event model "
        f"scaled by measured / slowest-core = {r['loihi2_speed']:.2f} (scripts/power_check.py, docs/power_check.md).",
        "", "## This host (not an ARM CPU)", "",
        f"Batch-1 inference of the quantized FPNN on this machine: lean numpy {_s(host['numpy_s'])}, "
        f"torch {_s(host['torch_s'])} ({host['note']}).",
        "", "## Constants", "", "| name | value | what | kind | source |", "|---|---|---|---|---|", *consts, ""])


def bar_chart(r: dict, out: Path) -> None:
    """Three log-scale panels (energy, latency, power), each row a band drawn as a bar from low to high."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    chip, sys_ = r["chip_level"], r["system_level"]
    rows = [("chip: " + chip["neurochip"]["name"], chip["neurochip"], "tab:green"),
            ("chip: A72 core", chip["a72"], "tab:gray"),
            *[("system: " + s["name"], s, "tab:olive") for s in sys_["neurochip"]],
            ("system: Raspberry Pi 4 board", sys_["pi4"], "tab:brown")]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, key, title in zip(axes, ("energy_j", "latency_s", "power_w"),
                              ("energy per inference (J)", "latency per inference (s)",
                               f"average power at {r['control_hz']:.3g} Hz (W)")):
        for i, (name, row, color) in enumerate(rows):
            lo, hi = row[key]["low"], row[key]["high"]
            ax.barh(i, max(hi - lo, lo * 0.04), left=lo, color=color, height=0.6)   # a point band stays visible
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_yticks(range(len(rows)), [n for n, _, _ in rows] if ax is axes[0] else [""] * len(rows), fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{r['env_id']}, {r['scheme']} SNN: bands (low - high) at chip and system level", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
