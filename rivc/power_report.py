"""rivc-power checkpoint=PATH: energy, latency and power per inference, neurochip vs ARM Cortex-A72,
compared like for like at two levels.

* chip level: the neurochip's on-chip compute (counted events on the states the SNN itself visits,
  greedy episodes on the bit-exact emulator; barrier per timestep; chip static power) against one
  Cortex-A72 core of the BCM2711 running the quantized FPNN's MACs;
* system level: a Loihi system, or a Loihi chip hosted by a Raspberry Pi 4, with host I/O per
  observation, against a whole Raspberry Pi 4 board.

Every quantity is a band whose ends name their constants (neurochip/constants.py, printed in the
report with their sources); the model is checked against a published Loihi 2 measurement
(neurochip/calibration.py). This host's batch-1 timings (lean numpy and torch) are shown beside,
labelled as this host's. Writes power.json, power.md and power.png into the run directory.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np


def _median_time(fn, runs: int) -> float:
    for _ in range(min(50, runs)):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def host_latency_s(net, spec, obs, runs: int) -> dict:
    """Median seconds of one batch-1 inference on *this host*: the quantized FPNN in torch, and a
    lean numpy loop over the same layer shapes (float32 matmul + bias + quantized ReLU per layer,
    conv layers unrolled to their dense matrices)."""
    import torch

    x = torch.as_tensor(obs[:1])
    with torch.inference_mode():
        torch_s = _median_time(lambda: net(x), runs)
    layers = [(layer.dense_weights().astype(np.float32), layer.bias_mant.astype(np.float32),
               float(max(layer.vth, 1) << 6)) for layer in spec.layers]
    levels = float(2 ** spec.activation_bits - 1)
    h0 = np.asarray(net.encode(x).numpy()[0], np.float32)

    def lean():
        h = h0
        for i, (w, b, theta) in enumerate(layers):
            z = w @ h + b
            h = z if i == len(layers) - 1 else np.clip(np.floor(z / theta), 0.0, levels)
        return int(np.argmax(h))

    return {"torch_s": torch_s, "numpy_s": _median_time(lean, runs)}


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


def comparisons(counts, macs: int, n_inputs: int, control_hz: float) -> dict:
    """Both levels' rows, ratios (A72 / neurochip) and verdicts against the paper's figures."""
    from neurochip import calibration, constants
    from neurochip import energy as E

    pilotnet = calibration.checks()
    speed = calibration.loihi2_speed(pilotnet)
    compute = E.compute_latency(counts, speed)
    io = E.io_latency(n_inputs)
    dynamic = E.chip_dynamic_energy(counts)
    a72_lat = E.a72_latency(macs)
    power_x, speed_x = constants.value("paper_power_ratio"), constants.value("paper_speed_ratio")

    chip = {"name": "neurochip (compute only)", "energy_j": E.chip_energy(dynamic, compute),
            "latency_s": compute, "power_w": E.chip_power(dynamic, control_hz)}
    a72 = {"name": "Cortex-A72, one core of the BCM2711", "energy_j": E.a72_energy(a72_lat),
           "latency_s": a72_lat, "power_w": E.a72_power(a72_lat, control_hz)}
    e2e = compute + io
    systems = [vars(r) for r in E.neurochip_systems(dynamic, e2e, control_hz)]
    pi4 = vars(E.pi4_system(a72_lat, control_hz))

    def ratios(arm: dict, neuro: dict) -> dict:
        r = {k: arm[k].over(neuro[k]) for k in ("energy_j", "latency_s", "power_w")}
        return {"energy": r["energy_j"], "speed": r["latency_s"], "power": r["power_w"],
                "verdict": {"energy": E.verdict(r["energy_j"], power_x), "power": E.verdict(r["power_w"], power_x),
                            "speed": E.verdict(r["latency_s"], speed_x)}}

    return {
        "chip_level": {"neurochip": chip, "a72": a72, "ratio": ratios(a72, chip)},
        "system_level": {"neurochip": systems, "pi4": pi4, "ratio": [ratios(pi4, s) for s in systems]},
        "latency_split": {"compute_s": compute, "host_io_s": io, "end_to_end_s": e2e,
                          "dominant": E.dominant_term(compute, io)},
        "dynamic_energy_j": dynamic,
        "loihi2_check": {t: vars(c) for t, c in pilotnet.items()},
        "loihi2_speed": speed,
    }


def _plain(obj):
    """Bands -> dicts, recursively, for JSON."""
    from neurochip.energy import Band

    if isinstance(obj, Band):
        return obj.to_dict()
    if isinstance(obj, dict):
        return {k: _plain(x) for k, x in obj.items()}
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    return obj


def power_report(cfg, run_dir: Path) -> dict:
    import torch

    from envs import make_env
    from neurochip import constants
    from neurochip.opcount import count_inference_ops
    from rivc.checkpoint import load_checkpoint, write_json
    from rivc.config import check_run_config
    from rivc.convert import convert
    from rivc.power_text import bar_chart, markdown
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
    macs = ckpt.net.macs()          # one MAC per dense weight, C*k*k per conv output value
    n_inputs = int(x_int.shape[1])
    result = {
        "checkpoint": str(Path(cfg.checkpoint).resolve()), "env_id": ckpt.env_id, "states": int(len(x_int)),
        "scheme": spec.scheme, "timesteps_per_inference": spec.steps_per_inference,
        "op_counts_per_inference": counts.to_dict(), "fpnn_macs": macs, "observation_values": n_inputs,
        "control_hz": control_hz, "control_hz_source": control_source,
        **_plain(comparisons(counts, macs, n_inputs, control_hz)),
        "host": {**host_latency_s(ckpt.net, spec, rec.observations, cfg.host_timing_runs),
                 "note": f"median of {cfg.host_timing_runs} runs; this machine, not an ARM CPU"},
        "constants": constants.table(),
        "paper": {"power_ratio": constants.value("paper_power_ratio"), "speed_ratio": constants.value("paper_speed_ratio"),
                  "source": constants.C["paper_power_ratio"].source},
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(run_dir / "power.json", result)
    (run_dir / "power.md").write_text(markdown(result, cfg))
    bar_chart(result, run_dir / "power.png")
    return result
