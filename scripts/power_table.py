"""rivc-power for every policy of an ablation sweep (or any run directories), as one table.

usage: .venv/bin/python scripts/power_table.py RUN_ROOT [--methods rivc] [--out docs/results/power.md] [--reuse]

Runs `rivc-power checkpoint=<run>/checkpoint.pt episodes=1 max_episode_steps=300` for each run
(output next to the checkpoint, in <run>/power/; --reuse keeps a power.json already there) and tabulates the
like-for-like ratios with their bands (chip level: A72 core / neurochip; system level: Raspberry Pi 4 board /
Loihi system) and whether each shows the paper's 15x (energy) and 5x (speed)."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--methods", default="rivc", help="comma-separated methods to include ('all' for every run)")
    ap.add_argument("--out", default="docs/results/power.md")
    ap.add_argument("--reuse", action="store_true", help="keep <run>/power/power.json where it exists")
    args = ap.parse_args()
    root = Path(args.root)
    methods = None if args.methods == "all" else set(args.methods.split(","))
    rivc_power = Path(sys.executable).parent / "rivc-power"
    lines = ["| run | scheme | timesteps | chip: energy A72/chip | chip: speed A72/chip | system: energy Pi 4/Loihi system "
             "| system: speed Pi 4/Loihi system | 15x energy (chip / system) | 5x speed (chip / system) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for result_path in sorted(root.rglob("result.json")):
        result = json.loads(result_path.read_text())
        if "method" not in result or (methods is not None and result["method"] not in methods):
            continue
        run_dir = result_path.parent
        out = run_dir / "power"
        if not (args.reuse and (out / "power.json").is_file()):
            subprocess.run([str(rivc_power), f"checkpoint={run_dir / 'checkpoint.pt'}", "episodes=1",
                            "max_episode_steps=300", "host_timing_runs=300", f"hydra.run.dir={out}"],
                           check=True, capture_output=True, text=True)
        p = json.loads((out / "power.json").read_text())
        chip, system = p["chip_level"]["ratio"], p["system_level"]["ratio"][0]

        def band(b):
            return f"{b['low']:.3g}x - {b['high']:.3g}x"

        lines.append(f"| {run_dir.relative_to(root)} | {p['scheme']} | {p['timesteps_per_inference']} | "
                     f"{band(chip['energy'])} | {band(chip['speed'])} | {band(system['energy'])} | {band(system['speed'])} | "
                     f"{chip['verdict']['energy']} / {system['verdict']['energy']} | "
                     f"{chip['verdict']['speed']} / {system['verdict']['speed']} |")
    cmd = f".venv/bin/python scripts/power_table.py {args.root} --methods {args.methods}"   # --reuse: same numbers
    if args.out != ap.get_default("out"):
        cmd += f" --out {args.out}"
    text = "\n".join([f"Command: `{cmd}` (paper: 15x power, 5x speed against a quad-core Cortex-A72)", "", *lines]) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
