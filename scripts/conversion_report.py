"""Conversion fidelity of a trained policy against the number of timesteps T (rate scheme).

usage: .venv/bin/python scripts/conversion_report.py CHECKPOINT [--episodes 3] [--out DIR]

The SNN is converted at each T in 1..64 and run on the bit-exact emulator over the states the
SNN visits at its training T (greedy episodes); it is compared with the quantized FPNN as
trained. Writes conversion.csv, conversion.md and conversion.png into --out (default: the
checkpoint's directory) and prints the table."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import torch

T_GRID = [1, 2, 3, 4, 6, 8, 12, 15, 16, 24, 31, 32, 48, 63, 64]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--episodes", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    from envs import make_env
    from neurochip.emulator import Emulator
    from rivc.checkpoint import load_checkpoint
    from rivc.convert import convert, readout_to_q
    from rivc.metrics import action_gap, agrees
    from rivc.rollout import run_episodes
    from rivc.snn_policy import SNNPolicy

    ckpt = load_checkpoint(args.checkpoint)
    out = Path(args.out) if args.out else Path(args.checkpoint).parent
    out.mkdir(parents=True, exist_ok=True)
    env = make_env(ckpt.env_id, ckpt.scaling, ckpt.action_bins)
    with SNNPolicy(convert(ckpt.net), "emulator") as snn:
        rec = run_episodes(env, ckpt.net, snn, args.episodes, args.seed, args.max_steps)
    env.close()
    obs = torch.as_tensor(rec.observations)
    with torch.no_grad():
        q_fpnn = ckpt.net.readout(obs).numpy().astype(np.float64)
    x = ckpt.net.encode(obs).numpy()
    scale = float(np.abs(q_fpnn).mean())
    rows = []
    for T in T_GRID:
        spec = convert(ckpt.net, T, ckpt.activation_bits, validate=False)
        try:
            spec.validate()
            valid = True
        except ValueError:
            valid = False
        q_snn = readout_to_q(spec, Emulator(spec).infer(x)[0])
        rows.append({"T": T, "timesteps_per_action": spec.steps_per_inference, "valid_on_loihi": valid,
                     "action_agreement": float(agrees(q_fpnn, q_snn.argmax(axis=1)).mean()),
                     "q_error_rel": float(np.abs(q_snn - q_fpnn).mean()) / scale})
    with open(out / "conversion.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    gap = action_gap(q_fpnn) / scale
    lines = [f"# Conversion fidelity vs T: {ckpt.env_id}, trained at T = {ckpt.net.timesteps}",
             "", f"Command: `.venv/bin/python scripts/conversion_report.py {args.checkpoint} --episodes {args.episodes}`",
             "", f"{len(x)} states visited by the greedy SNN; action gap / mean |Q| of the FPNN: "
                 f"median {np.median(gap):.3f}, 5th percentile {np.percentile(gap, 5):.4f}.", "",
             "| T | timesteps per action | action agreement | mean |Q error| / mean |Q| | valid on Loihi |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['T']} | {r['timesteps_per_action']} | {r['action_agreement']:.4f} | {r['q_error_rel']:.4f} | "
              f"{'yes' if r['valid_on_loihi'] else 'no'} |" for r in rows]
    (out / "conversion.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    ts = [r["T"] for r in rows]
    ax[0].plot(ts, [r["action_agreement"] for r in rows], "o-")
    ax[0].set_title("action agreement SNN vs quantized FPNN", fontsize=10)
    ax[1].plot(ts, [r["q_error_rel"] for r in rows], "o-")
    ax[1].set_title("mean |Q_snn - Q_fpnn| / mean |Q|", fontsize=10)
    for a in ax:
        a.set_xscale("log", base=2)
        a.set_xlabel("timesteps T")
        a.axvline(ckpt.net.timesteps, color="gray", ls="--", lw=1)
        a.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "conversion.png", dpi=110)


if __name__ == "__main__":
    main()
