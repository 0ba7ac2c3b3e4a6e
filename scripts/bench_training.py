"""RIVC (4-bit, SNN rollouts, conversion after every update) against Stable-Baselines3's FP32 DQN
on the same discretised task, the same number of environment steps, in one run.

usage: .venv/bin/python scripts/bench_training.py [--steps 25000] [--seeds 0,1,2] [--repeats 2]
                                                 [--out runs/bench_training] [--rivc "overrides"]
--rivc defaults to the throughput configuration THROUGHPUT_CONFIG below; --rivc "" is configs/train.yaml.
Needs Stable-Baselines3, a benchmark-only dependency:
    .venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4   (keep numpy < 2 for Lava)
Prints, per seed, the wall-clock of both (the fastest of interleaved repeats: rivc, SB3, SB3, rivc,
so that drift in a noisy machine's speed hits both sides) and the final greedy return (10 episodes),
and the ratio of the mean wall-clocks."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_learners import greedy_return  # noqa: E402  (one episode loop for both benchmarks)


THROUGHPUT_CONFIG = "train.num_envs=16 agent.train_freq=8 agent.batch_size=128"


def compose_rivc_config(steps: int, seed: int, extra: list[str]):
    """configs/train.yaml with the benchmark's overrides (no periodic evaluation, last weights)."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    import rivc.entry

    overrides = [f"train.env_steps={steps}", f"seed={seed}", "train.eval_every=0", "train.keep_best=false",
                 "train.target_return=null", "train.eval_episodes=10", *extra]
    with initialize_config_dir(rivc.entry.CONFIG_DIR, version_base="1.3"):
        return OmegaConf.to_object(compose("train", overrides=overrides))


def run_rivc(cfg, out: Path) -> dict:
    """One rivc-train run; wall-clock of its training loop (no final evaluation) and final returns."""
    from rivc.cycle import train

    result = train(cfg, out, show_progress=False)
    return {"wall_s": result["loop_s"], "final_snn_return": result["final_eval"]["snn_return"],
            "final_fpnn_return": result["final_eval"]["fpnn_return"]}


def run_sb3(steps: int, seed: int, cfg) -> dict:
    """SB3 DQN (defaults, [64, 64]) on the same wrapped task; wall-clock of learn() only."""
    from stable_baselines3 import DQN

    from envs import make_env
    from rivc.cycle import observation_scaling

    env = make_env(cfg.env.id, observation_scaling(cfg.env, cfg.seed), cfg.env.action_bins)
    model = DQN("MlpPolicy", env, seed=seed, verbose=0, policy_kwargs={"net_arch": [64, 64]})
    t = time.perf_counter()
    model.learn(steps)
    wall = time.perf_counter() - t
    ret = greedy_return(env, lambda o: int(model.predict(o, deterministic=True)[0]), 10, 20_000 + 1000 * seed)
    return {"wall_s": wall, "final_fpnn_return": ret}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=25_000)
    ap.add_argument("--seeds", default="0", help="comma-separated, e.g. 0,1,2")
    ap.add_argument("--repeats", type=int, default=2,
                    help="timed runs per seed and framework, interleaved rivc, SB3, SB3, rivc, ...; the fastest counts")
    ap.add_argument("--out", default="runs/bench_training")
    ap.add_argument("--rivc", default=THROUGHPUT_CONFIG, help="extra rivc-train overrides, space-separated")
    args = ap.parse_args()
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        sys.exit(f"bench_training: --seeds must be comma-separated integers, got {args.seeds!r}")
    if args.repeats < 1 or args.steps < 1:
        sys.exit("bench_training: --repeats and --steps must be >= 1")
    try:
        import stable_baselines3  # noqa: F401
    except ImportError:
        sys.exit("bench_training: Stable-Baselines3 is not installed; run: .venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4")
    import torch

    torch.set_num_threads(1)
    out = Path(args.out)
    extra = args.rivc.split()
    rows = []
    for seed in seeds:
        cfg = compose_rivc_config(args.steps, seed, extra)
        walls, finals = {"rivc": [], "sb3": []}, {"rivc": set(), "sb3": set()}
        for rep in range(args.repeats):      # ABBA order: drift in the machine's speed hits both sides
            for side in (("rivc", "sb3") if rep % 2 == 0 else ("sb3", "rivc")):
                if side == "rivc":
                    rivc_run = run = run_rivc(cfg, out / f"rivc_seed{seed}")
                    finals["rivc"].add(run["final_snn_return"])
                else:
                    sb3_run = run = run_sb3(args.steps, seed, cfg)
                    finals["sb3"].add(run["final_fpnn_return"])
                walls[side].append(run["wall_s"])
                print(f"seed {seed} repeat {rep} {side}: {run['wall_s']:.1f} s", flush=True)
        if any(len(v) > 1 for v in finals.values()):   # both are seeded: repeats must train the same policy
            print(f"warning: repeats of seed {seed} ended with different returns {finals}", flush=True)
        rows.append({"seed": seed, "rivc_wall_s": min(walls["rivc"]), "sb3_wall_s": min(walls["sb3"]),
                     "rivc_walls_s": walls["rivc"], "sb3_walls_s": walls["sb3"],
                     "ratio": min(walls["rivc"]) / min(walls["sb3"]),
                     "rivc_final_snn_return": rivc_run["final_snn_return"],
                     "rivc_final_fpnn_return": rivc_run["final_fpnn_return"],
                     "sb3_final_fpnn_return": sb3_run["final_fpnn_return"]})
    def mean(k):
        return float(np.mean([r[k] for r in rows]))
    result = {
        "task": cfg.env.id, "env_steps": args.steps, "seeds": seeds, "repeats": args.repeats,
        "rivc_config": "configs/train.yaml (4-bit, SNN rollouts on the emulator, converted before the SNN acts "
                       "after every update), no periodic evaluation, last weights", "rivc_overrides": extra,
        "sb3_config": "DQN('MlpPolicy', net_arch=[64, 64]), SB3 defaults, same wrappers",
        "timing": "fastest of the interleaved repeats, training loop only (no final evaluation)",
        "per_seed": rows,
        "wall_clock_ratio_rivc_over_sb3": mean("rivc_wall_s") / mean("sb3_wall_s"),
        "mean_rivc_final_snn_return": mean("rivc_final_snn_return"),
        "mean_sb3_final_fpnn_return": mean("sb3_final_fpnn_return"),
        "command": "python scripts/bench_training.py " + " ".join(sys.argv[1:]),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_training.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{args.steps} env steps, {result['task']}, rivc overrides: {args.rivc or '(none)'}")
    print("| seed | rivc wall-clock | SB3 DQN wall-clock | ratio | rivc final SNN return | SB3 final FPNN return |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['seed']} | {r['rivc_wall_s']:.1f} s | {r['sb3_wall_s']:.1f} s | {r['ratio']:.2f}x | "
              f"{r['rivc_final_snn_return']:.0f} | {r['sb3_final_fpnn_return']:.0f} |")
    print(f"| mean | {mean('rivc_wall_s'):.1f} s | {mean('sb3_wall_s'):.1f} s | "
          f"{result['wall_clock_ratio_rivc_over_sb3']:.2f}x | {result['mean_rivc_final_snn_return']:.0f} | "
          f"{result['mean_sb3_final_fpnn_return']:.0f} |")


if __name__ == "__main__":
    main()
