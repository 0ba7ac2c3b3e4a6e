"""Conversion fidelity of a trained policy: both schemes, T from 1 to 64, clip calibrations.

usage: .venv/bin/python scripts/conversion_report.py CHECKPOINT [--episodes 3] [--lava-states N] [--out DIR]

The greedy SNN (the checkpoint's own scheme) runs `--episodes` episodes; on the visited states
the trained quantized FPNN is the reference. The same weights are then converted
  * as a rate SNN at each T in 1..64 with the trained clips, and with clips calibrated from
    the visited states (max, 99.9th and 99th percentile of each layer's pre-activation);
  * as a graded SNN (Loihi 2 graded spikes) with the trained clips and the calibrated ones,
and run on the bit-exact emulator. With --lava-states N the first N states also run on Lava
in the checkpoint's own scheme, and the Lava readout must equal the emulator's.
Writes conversion.csv, conversion.md and conversion.png into --out (default: the checkpoint's
directory) and prints the table."""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
import torch

T_GRID = [1, 2, 3, 4, 6, 8, 12, 15, 16, 24, 31, 32, 48, 63, 64]
CALIBRATIONS = [("trained", None), ("max", 100.0), ("p99.9", 99.9), ("p99", 99.0)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--episodes", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lava-states", type=int, default=0, help="states also run on Lava (own scheme)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    from envs import make_env
    from neurochip.emulator import emulator_for
    from rivc.calibrate import calibrate_clips, with_scheme
    from rivc.checkpoint import load_checkpoint
    from rivc.convert import convert, readout_to_q
    from rivc.metrics import action_gap, agrees, greedy
    from rivc.rollout import run_episodes
    from rivc.snn_policy import SNNPolicy

    ckpt = load_checkpoint(args.checkpoint)
    net = ckpt.net
    out = Path(args.out) if args.out else Path(args.checkpoint).parent
    out.mkdir(parents=True, exist_ok=True)
    env = make_env(ckpt.env_id, ckpt.scaling, ckpt.action_bins)
    own_spec = convert(net)
    with SNNPolicy(own_spec, "emulator") as snn:
        rec = run_episodes(env, net, snn, args.episodes, args.seed, args.max_steps)
    env.close()
    obs = torch.as_tensor(rec.observations)
    with torch.no_grad():
        q_fpnn = net.readout(obs).numpy().astype(np.float64)
    a_fpnn = net.greedy_actions(obs)
    x = net.encode(obs).numpy()
    scale = float(np.abs(q_fpnn).mean())

    def measure(spec) -> dict:
        try:
            spec.validate()
            valid = True
        except ValueError:
            valid = False
        q_snn = readout_to_q(spec, emulator_for(spec).infer(x)[0])
        return {"timesteps_per_action": spec.steps_per_inference, "valid_on_loihi": valid,
                "action_agreement": float(agrees(a_fpnn, greedy(q_snn)).mean()),
                "q_error_rel": float(np.abs(q_snn - q_fpnn).mean()) / scale}

    rows = []
    with torch.no_grad():
        for name, pct in CALIBRATIONS:
            base = net if pct is None else calibrate_clips(net, obs, pct)
            for T in T_GRID:
                rate = with_scheme(base, "rate", T)
                rows.append({"scheme": "rate", "clips": name, "T": T, **measure(convert(rate, validate=False))})
            rows.append({"scheme": "graded", "clips": name, "T": 1,
                         **measure(convert(with_scheme(base, "graded"), validate=False))})

    lava_line = ""
    if args.lava_states:
        n = min(args.lava_states, len(x))
        emu_q = readout_to_q(own_spec, emulator_for(own_spec).infer(x[:n])[0])
        t0 = time.perf_counter()
        with SNNPolicy(own_spec, "lava") as lava:
            lava_q = np.concatenate([lava(x[i:i + 1]).q for i in range(n)])
        dt = time.perf_counter() - t0
        identical = bool(np.array_equal(lava_q, emu_q))
        lava_agree = float(agrees(a_fpnn[:n], greedy(lava_q)).mean())
        lava_line = (f"Lava ({own_spec.scheme} scheme, fixed_pt): {n} states, readout identical to the emulator: "
                     f"{'yes' if identical else 'NO'}; action agreement with the quantized FPNN {lava_agree:.4f}; "
                     f"{1e3 * dt / n:.1f} ms per inference.")
        if not identical:
            print(lava_line, file=sys.stderr)

    with open(out / "conversion.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    gap = action_gap(q_fpnn) / scale
    cmd = f".venv/bin/python scripts/conversion_report.py {args.checkpoint} --episodes {args.episodes}"
    if args.lava_states:
        cmd += f" --lava-states {args.lava_states}"
    lines = [f"# Conversion fidelity: {ckpt.env_id}, trained as a {net.scheme} network "
             f"(k_w = {net.weight_bits}, k_a = {net.activation_bits}"
             + (f", T = {net.timesteps})" if net.scheme == "rate" else ")"),
             "", f"Command: `{cmd}`",
             "", f"{len(x)} states visited by the greedy SNN (returns {[round(r) for r in rec.returns]}); "
                 f"reference: the trained quantized FPNN's actions. Action gap / mean |Q| of the FPNN: "
                 f"median {np.median(gap):.3f}, 5th percentile {np.percentile(gap, 5):.4f}.", ""]
    if lava_line:
        lines += [lava_line, ""]
    lines += ["| scheme | clips | T | timesteps per action | action agreement | mean |Q error| / mean |Q| | valid on Loihi |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['scheme']} | {r['clips']} | {r['T']} | {r['timesteps_per_action']} | {r['action_agreement']:.4f} | "
              f"{r['q_error_rel']:.4f} | {'yes' if r['valid_on_loihi'] else 'no'} |" for r in rows]
    (out / "conversion.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    plot(rows, net, out / "conversion.png")


def plot(rows: list[dict], net, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (name, _) in enumerate(CALIBRATIONS):
        rate = [r for r in rows if r["scheme"] == "rate" and r["clips"] == name]
        graded = next(r for r in rows if r["scheme"] == "graded" and r["clips"] == name)
        ts = [r["T"] for r in rate]
        for k, key in enumerate(("action_agreement", "q_error_rel")):
            line, = ax[k].plot(ts, [r[key] for r in rate], "o-", ms=3, label=f"rate, clips {name}")
            ax[k].axhline(graded[key], color=line.get_color(), ls=":", lw=1.2,
                          label=f"graded, clips {name}" if i == 0 or name == "trained" else None)
    ax[0].set_title("action agreement with the trained quantized FPNN", fontsize=10)
    ax[1].set_title("mean |Q_snn - Q_fpnn| / mean |Q|", fontsize=10)
    ax[1].set_yscale("symlog", linthresh=1e-3)
    for a in ax:
        a.set_xscale("log", base=2)
        a.set_xlabel("timesteps T (rate); dotted: graded, one pass")
        if net.scheme == "rate":
            a.axvline(net.timesteps, color="gray", ls="--", lw=1)
        a.grid(alpha=0.3)
    ax[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
