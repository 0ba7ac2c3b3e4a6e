"""rivc-power checkpoint=PATH: energy and latency per inference, neurochip vs ARM Cortex-A72.

The neurochip side counts the converted SNN's operations on states the SNN itself visits
(greedy episodes on the bit-exact emulator) and prices them with published per-event
energies (two tables: a band); the ARM side prices the quantized FPNN's multiply-accumulates
with published Raspberry Pi 4 numbers (best and realistic case). The FPNN's batch-1 latency
measured on *this host* is reported beside them, labelled as such. Writes power.json,
power.md and power.png into the run directory."""
from __future__ import annotations

import statistics
import time
from pathlib import Path


PAPER = {"energy_ratio": 15.0, "speed_ratio": 5.0,
         "source": "Kadokawa et al., RAS 2024: 1/15 the power and 5x faster than a quad-core Cortex-A72"}


def host_latency_s(net, obs, runs: int) -> float:
    """Median seconds of one batch-1 forward of the quantized FPNN with torch on this host."""
    import torch

    x = torch.as_tensor(obs[:1])
    with torch.inference_mode():
        for _ in range(50):
            net(x)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def control_rate(env, setting: float | None) -> tuple[float, str]:
    """(Hz, where it came from): the control_hz setting, else 1 / the env's dt (MuJoCo tasks),
    else its tau (CartPole), else the metadata's render_fps (Gymnasium renders once per step)."""
    from rivc.config import ConfigError

    if setting is not None:
        return float(setting), "control_hz setting"
    base = env.unwrapped
    for attr in ("dt", "tau"):
        value = getattr(base, attr, None)
        if isinstance(value, (int, float)) and value > 0:
            return 1.0 / float(value), f"1 / env.unwrapped.{attr} ({value} s per step)"
    fps = base.metadata.get("render_fps")
    if isinstance(fps, (int, float)) and fps > 0:
        return float(fps), "env metadata render_fps (one rendered frame per step)"
    raise ConfigError(f"{env.spec.id if env.spec else type(base).__name__} states no control rate (no dt, tau or "
                      "render_fps); give control_hz=HZ")


def power_report(cfg, run_dir: Path) -> dict:
    import torch

    from envs import make_env
    from neurochip.energy import DAVIES_2018, SANA_FE_2025, ArmModel, ChipTiming, arm_estimates, chip_energy, chip_latency
    from neurochip.opcount import count_inference_ops
    from rivc.checkpoint import load_checkpoint, write_json
    from rivc.config import check_run_config
    from rivc.convert import convert
    from rivc.rollout import run_episodes
    from rivc.snn_policy import SNNPolicy

    check_run_config(cfg)
    torch.set_num_threads(1)
    ckpt = load_checkpoint(cfg.checkpoint)
    env = make_env(ckpt.env_id, ckpt.scaling, ckpt.action_bins)
    spec = convert(ckpt.net, ckpt.net.timesteps, ckpt.activation_bits)
    with SNNPolicy(spec, "emulator") as snn:
        rec = run_episodes(env, ckpt.net, snn, cfg.episodes, cfg.seed, cfg.max_episode_steps)
    control_hz, control_source = control_rate(env, cfg.control_hz)
    env.close()
    x_int = ckpt.net.encode(torch.as_tensor(rec.observations)).numpy()
    counts = count_inference_ops(spec, x_int)
    sizes = [layer.n_out for layer in spec.layers]
    latency = chip_latency(counts, sizes)
    chips = [chip_energy(counts, latency, table) for table in (DAVIES_2018, SANA_FE_2025)]
    macs = ckpt.net.macs()          # one MAC per dense weight, C*k*k per conv output value
    arms = arm_estimates(macs)
    host_s = host_latency_s(ckpt.net, rec.observations, cfg.host_timing_runs)

    energy_ratios = [a.energy_j / c.energy_j for a in arms for c in chips]
    latency_ratios = [a.latency_s / latency for a in arms]
    arm = ArmModel()
    chip_power = [c.dynamic_j * control_hz + t.static_w for c, t in zip(chips, (DAVIES_2018, SANA_FE_2025))]
    arm_power = [arm.board_idle_w + arms[0].energy_j * control_hz,
                 arm.board_idle_w + (arm.board_full_w - arm.board_idle_w) * arms[1].latency_s * control_hz]
    power_ratios = [a / c for a in arm_power for c in chip_power]
    result = {
        "checkpoint": str(Path(cfg.checkpoint).resolve()), "env_id": ckpt.env_id, "states": int(len(x_int)),
        "scheme": spec.scheme, "timesteps_per_inference": spec.steps_per_inference,
        "op_counts_per_inference": counts.to_dict(),
        "neurochip": [c.__dict__ for c in chips], "neurochip_timing": ChipTiming().__dict__,
        "arm_a72": [a.__dict__ for a in arms], "fpnn_macs": macs,
        "host_fpnn_latency_s": host_s, "host_note": "torch, batch 1, median; this machine, not an ARM CPU",
        "control_hz": control_hz, "control_hz_source": control_source,
        "energy_ratio_a72_over_chip": {"min": min(energy_ratios), "max": max(energy_ratios)},
        "latency_ratio_a72_over_chip": {"min": min(latency_ratios), "max": max(latency_ratios)},
        "power_at_control_rate_w": {"neurochip": chip_power, "a72": arm_power},
        "power_ratio_a72_over_chip": {"min": min(power_ratios), "max": max(power_ratios)},
        "paper": PAPER,
        "loihi2_note": "Loihi 2 has no published per-event energy table; Loihi (1) numbers stand in "
                       "(Davies 2018; SANA-FE 2025 as the other end of the band).",
    }
    result["beats_paper"] = {"energy": result["energy_ratio_a72_over_chip"]["min"] >= PAPER["energy_ratio"],
                             "latency": result["latency_ratio_a72_over_chip"]["min"] >= PAPER["speed_ratio"]}
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(run_dir / "power.json", result)
    (run_dir / "power.md").write_text(markdown(result, cfg))
    bar_chart(result, run_dir / "power.png")
    return result


def _fmt_j(j: float) -> str:
    return f"{j * 1e6:.3f} uJ" if j >= 1e-7 else f"{j * 1e9:.2f} nJ"


def markdown(r: dict, cfg) -> str:
    c = r["op_counts_per_inference"]
    rows = ["| system | energy / inference | latency / inference | power at control rate |", "|---|---|---|---|"]
    for chip, p in zip(r["neurochip"], r["power_at_control_rate_w"]["neurochip"]):
        rows.append(f"| {chip['table']} | {_fmt_j(chip['energy_j'])} | {chip['latency_s'] * 1e6:.1f} us | {p:.3f} W |")
    for arm, p in zip(r["arm_a72"], r["power_at_control_rate_w"]["a72"]):
        rows.append(f"| {arm['case']} ({arm['assumptions']}) | {_fmt_j(arm['energy_j'])} | {arm['latency_s'] * 1e6:.2f} us | {p:.3f} W |")
    rows.append(f"| this host, quantized FPNN in torch (measured, not ARM) | - | {r['host_fpnn_latency_s'] * 1e6:.1f} us | - |")
    e, l, p = r["energy_ratio_a72_over_chip"], r["latency_ratio_a72_over_chip"], r["power_ratio_a72_over_chip"]
    return "\n".join([
        f"# Power and latency: {r['env_id']}, {r['scheme']} SNN",
        "", f"Command: `rivc-power checkpoint={cfg.checkpoint} episodes={cfg.episodes} seed={cfg.seed}`",
        "", f"Per inference, averaged over {r['states']} states the SNN visited: {c['timesteps']} timesteps, "
            f"{c['synops']:.0f} synaptic ops ({c['synops_graded']:.0f} graded), {c['spikes']:.1f} spikes, "
            f"{c['neuron_updates_active']:.0f} active / {c['neuron_updates_inactive']:.0f} inactive neuron updates; "
            f"the FPNN needs {r['fpnn_macs']} MACs.",
        "", *rows, "",
        f"Ratios A72 / neurochip (band over the tables and cases): energy per inference {e['min']:.2f}x to {e['max']:.2f}x, "
        f"latency {l['min']:.2f}x to {l['max']:.2f}x, power at {r['control_hz']:.0f} Hz control ({r['control_hz_source']}) "
        f"{p['min']:.2f}x to {p['max']:.2f}x.",
        f"The paper reports {r['paper']['energy_ratio']:.0f}x power and {r['paper']['speed_ratio']:.0f}x speed ({r['paper']['source']}). "
        f"This model {'beats' if r['beats_paper']['energy'] else 'does not reach'} 15x energy and "
        f"{'beats' if r['beats_paper']['latency'] else 'does not reach'} 5x latency across the whole band.",
        "", f"Note: {r['loihi2_note']} Chip latency: {r['neurochip_timing']['source']}; per-event times are an "
            "assumption stated in neurochip/energy.py. ARM: Raspberry Pi 4 board power and peak NEON throughput "
            "(docs/references.md); the realistic case's efficiency and overhead are assumptions.", ""])


def bar_chart(r: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c["table"] for c in r["neurochip"]] + [a["case"] for a in r["arm_a72"]]
    energy = [c["energy_j"] for c in r["neurochip"]] + [a["energy_j"] for a in r["arm_a72"]]
    latency = [c["latency_s"] for c in r["neurochip"]] + [a["latency_s"] for a in r["arm_a72"]]
    power = r["power_at_control_rate_w"]["neurochip"] + r["power_at_control_rate_w"]["a72"]
    colors = ["tab:green"] * len(r["neurochip"]) + ["tab:gray"] * len(r["arm_a72"])
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    for ax, values, title in zip(axes, (energy, latency, power),
                                 ("energy per inference (J)", "latency per inference (s)",
                                  f"power at {r['control_hz']:.0f} Hz control (W)")):
        ax.bar(range(len(names)), values, color=colors)
        ax.set_yscale("log")
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
