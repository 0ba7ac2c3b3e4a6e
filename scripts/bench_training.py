"""RIVC (4-bit, SNN rollouts, conversion after every update) against Stable-Baselines3's FP32 DQN
on the same discretised task, the same number of environment steps, in one run.

usage: .venv/bin/python scripts/bench_training.py [--steps 25000] [--seed 0] [--out runs/bench_training]
                                                 [--rivc "train.num_envs=8 agent.train_freq=4"]
Needs Stable-Baselines3, a benchmark-only dependency:
    .venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4   (keep numpy < 2 for Lava)
Prints wall-clock, env steps/s and the final greedy return (10 episodes) of both, and the ratios."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def greedy_return(env, act, episodes: int, seed: int) -> float:
    returns = []
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        total, done = 0.0, False
        while not done:
            obs, r, term, trunc, _ = env.step(act(obs))
            total += float(r)
            done = term or trunc
        returns.append(total)
    return float(np.mean(returns))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="runs/bench_training")
    ap.add_argument("--rivc", default="", help="extra rivc-train overrides, space-separated")
    args = ap.parse_args()
    try:
        from stable_baselines3 import DQN
    except ImportError:
        sys.exit("bench_training: Stable-Baselines3 is not installed; run: .venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4")
    import torch
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    import rivc.entry
    from envs import make_env
    from rivc.cycle import observation_scaling, train

    torch.set_num_threads(1)
    out = Path(args.out)
    overrides = [f"train.env_steps={args.steps}", f"seed={args.seed}", "train.eval_every=0", "train.keep_best=false",
                 "train.target_return=null", "train.eval_episodes=10", *args.rivc.split()]
    with initialize_config_dir(rivc.entry.CONFIG_DIR, version_base="1.3"):
        cfg = OmegaConf.to_object(compose("train", overrides=overrides))
    rivc_result = train(cfg, out / "rivc", show_progress=False)

    scaling = observation_scaling(cfg.env, cfg.seed)
    env = make_env(cfg.env.id, scaling, cfg.env.action_bins)
    model = DQN("MlpPolicy", env, seed=args.seed, verbose=0, policy_kwargs={"net_arch": [64, 64]})
    t = time.perf_counter()
    model.learn(args.steps)
    sb3_s = time.perf_counter() - t
    sb3_return = greedy_return(env, lambda o: int(model.predict(o, deterministic=True)[0]), 10, 20_000 + 1000 * args.seed)

    result = {
        "task": cfg.env.id, "env_steps": args.steps, "seed": args.seed,
        "rivc": {"wall_s": rivc_result["loop_s"], "steps_per_s": args.steps / rivc_result["loop_s"],
                 "final_snn_return": rivc_result["final_eval"]["snn_return"],
                 "final_fpnn_return": rivc_result["final_eval"]["fpnn_return"],
                 "config": "configs/train.yaml (4-bit, SNN rollouts on the emulator, conversion every update), "
                           "no periodic evaluation, last weights", "overrides": args.rivc.split()},
        "sb3_dqn": {"wall_s": sb3_s, "steps_per_s": args.steps / sb3_s, "final_fpnn_return": sb3_return,
                    "config": "DQN('MlpPolicy', net_arch=[64, 64]), SB3 defaults, same wrappers"},
    }
    result["wall_clock_ratio_rivc_over_sb3"] = result["rivc"]["wall_s"] / sb3_s
    result["return_rivc_snn_minus_sb3_fpnn"] = result["rivc"]["final_snn_return"] - sb3_return
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_training.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"\nrivc / SB3 wall-clock: {result['wall_clock_ratio_rivc_over_sb3']:.2f}x; final return: rivc SNN "
          f"{result['rivc']['final_snn_return']:.0f} vs SB3 FPNN {sb3_return:.0f} ({args.steps} steps, seed {args.seed})")


if __name__ == "__main__":
    main()
