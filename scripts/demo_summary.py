"""Summarise a `make demo` run: the SNN's return on Lava, agreement, timesteps per action,
emulator-vs-Lava action hashes, and the run's training plot.

usage: python scripts/demo_summary.py runs/demo
Writes runs/demo/summary.json, summary.md and training.png; prints the table."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def main(demo_dir: str) -> None:
    d = Path(demo_dir)
    train, lava, emu = load(d / "train/result.json"), load(d / "deploy_lava/result.json"), load(d / "deploy_emulator/result.json")
    summary = {
        "env_id": train["env_id"], "weight_bits": train["weight_bits"], "activation_bits": train["activation_bits"],
        "train_env_steps": train["env_steps"], "train_wall_s": train["wall_s"],
        "lava_mean_return": lava["mean_return"], "lava_episode_returns": lava["episode_returns"],
        "lava_action_agreement": lava["action_agreement"], "lava_wall_s": lava["wall_s"],
        "lava_ms_per_action": lava["ms_per_action"],
        "emulator_mean_return": emu["mean_return"], "emulator_ms_per_action": emu["ms_per_action"],
        "timesteps": lava["timesteps"], "timesteps_per_action": lava["timesteps_per_action"],
        "same_actions_emulator_and_lava": lava["actions_sha256"] == emu["actions_sha256"],
        "actions_sha256": lava["actions_sha256"],
        "fpnn_return_at_train_end": train["final_eval"]["fpnn_return"],
    }
    (d / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    shutil.copyfile(d / "train/training.png", d / "training.png")     # rivc-train drew it
    lines = [
        "| quantity | value |", "|---|---|",
        f"| task | {summary['env_id']} ({summary['weight_bits']}-bit weights, {summary['activation_bits']}-bit spike counts) |",
        f"| training | {summary['train_env_steps']} env steps of SNN rollouts in {summary['train_wall_s']:.0f} s |",
        f"| SNN on Lava (fixed_pt), mean return over {len(lava['episode_returns'])} episodes | {summary['lava_mean_return']:.1f} "
        f"(episodes: {', '.join(f'{r:.0f}' for r in lava['episode_returns'])}) |",
        f"| action agreement SNN vs quantized FPNN (Lava) | {summary['lava_action_agreement']:.4f} |",
        f"| timesteps per action (T + pipeline) | {summary['timesteps_per_action']} (T = {summary['timesteps']}) |",
        f"| emulator and Lava take the same actions (sha256) | {summary['same_actions_emulator_and_lava']} |",
        f"| ms per action: Lava / emulator | {summary['lava_ms_per_action']:.2f} / {summary['emulator_ms_per_action']:.2f} |",
    ]
    (d / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nplot: {d / 'training.png'}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/demo")
