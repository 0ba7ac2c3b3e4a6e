"""The 4-bit RIVC learner (its SNN collecting, converted after every update) against the peer a user
would pick, Stable-Baselines3's FP32 DQN in a tuned configuration, in one run: the same wrapped
task (envs.make_env, the same observation scaling and action bins), the same seeds and budget, the
same delivery rule for both (the best of the greedy evaluations every --eval-every steps on 10
episodes with the same episode seeds, then 20 fresh episodes of those weights), and per seed the
env steps and wall-clock until the first evaluation at or above --solve.

usage: .venv/bin/python scripts/bench_learners.py --task InvertedPendulum-v5 --steps 30000 --seeds 0-9 \
           [--rivc "overrides"] [--sb3 tuned|atari] [--jobs 2] [--out docs/bench_learners/InvertedPendulum-30k]
Needs Stable-Baselines3, a benchmark-only dependency:
    .venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4   (keep numpy < 2 for Lava)
Writes summary.json (per-seed rows, IQM with stratified-bootstrap 95 % intervals beside mean +- std,
performance profiles, the ratios) and profile.png into --out; prints the table.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_stats import performance_profile, summary  # noqa: E402

# The tuned configuration measured in the issue (docs/references.md, "Peers"); SB3's own defaults are Atari's.
SB3_CONFIGS = {
    "tuned": dict(learning_rate=1e-3, buffer_size=50_000, learning_starts=1000, batch_size=64, train_freq=4,
                  target_update_interval=500, exploration_fraction=0.2, exploration_final_eps=0.02, gamma=0.99),
    "atari": {},
}
# rl-baselines3-zoo's hyperparams/dqn.yml (commit 019107eb), for the tasks it tunes ("zoo"): what an
# SB3 user would take for those tasks; its budgets are 2e5 (CartPole, "almost tuned") and 1.5e5 (Acrobot).
ZOO = {
    "CartPole-v1": dict(learning_rate=2.5e-4, batch_size=512, buffer_size=100_000, learning_starts=0, gamma=0.99,
                        target_update_interval=5000, train_freq=16, gradient_steps=4, exploration_fraction=0.06,
                        exploration_final_eps=0.11),
    "Acrobot-v1": dict(learning_rate=2.5e-4, batch_size=512, buffer_size=100_000, learning_starts=0, gamma=0.99,
                       target_update_interval=5000, train_freq=16, gradient_steps=4, exploration_fraction=0.06,
                       exploration_final_eps=0.11),
}


def sb3_config(name: str, task: str) -> dict:
    if name == "zoo":
        if task not in ZOO:
            sys.exit(f"bench_learners: --sb3 zoo has no configuration for {task}; allowed: {', '.join(ZOO)}")
        return ZOO[task]
    return SB3_CONFIGS[name]
EVAL_EPISODES, FINAL_EPISODES = 10, 20


def eval_seed(seed: int) -> int:
    return 10_000 + 1000 * seed          # rivc.cycle's evaluation episodes: the same for both learners


def final_seed(seed: int) -> int:
    return 20_000 + 1000 * seed          # rivc.cycle's fresh final episodes


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


def time_to_solve(evals: list[dict], solve: float, budget: int, wall: float) -> tuple[int, float, bool]:
    """(env steps, seconds, solved) of the first evaluation >= solve; the budget and the whole run's
    wall-clock for a seed that never gets there."""
    for e in evals:
        if e["return"] >= solve:
            return e["env_step"], e["wall_s"], True
    return budget, wall, False


def run_rivc(task: str, seed: int, steps: int, every: int, extra: list[str], out: Path, solve: float) -> dict:
    import rivc

    r = rivc.train(task, seed=seed, run_dir=out, progress=False,
                   overrides=[f"train.env_steps={steps}", f"train.eval_every={every}",
                              f"train.eval_episodes={EVAL_EPISODES}", f"train.final_episodes={FINAL_EPISODES}",
                              "train.target_return=null", "train.keep_best=true", *extra])
    evals = r.data["evals"]
    steps_to, secs_to, solved = time_to_solve(evals, solve, steps, r.wall_s)
    return {"learner": "rivc", "seed": seed, "final_return": r.snn_return, "best_eval": max(e["return"] for e in evals),
            "evals": [[e["env_step"], e["return"]] for e in evals], "wall_s": r.wall_s,
            "solve_steps": steps_to, "solve_s": secs_to, "solved": solved, "agreement": r.action_agreement}


def run_sb3(task: str, seed: int, steps: int, every: int, config: str, solve: float) -> dict:
    import copy

    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    import rivc
    from envs import make_env
    from rivc.task import observation_scaling

    torch.set_num_threads(1)
    cfg = rivc.compose_train_config(task, seed)
    scaling, _ = observation_scaling(cfg.env, seed)
    env, eval_env = (make_env(task, scaling, cfg.env.action_bins) for _ in range(2))
    model = DQN("MlpPolicy", env, seed=seed, verbose=0, policy_kwargs={"net_arch": [64, 64]}, **sb3_config(config, task))
    evals, best = [], {"return": -np.inf, "state": None}
    start = time.perf_counter()

    def act(obs):
        return int(model.predict(obs, deterministic=True)[0])

    class Evaluate(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps % every == 0 and self.num_timesteps >= model.learning_starts:
                mean = greedy_return(eval_env, act, EVAL_EPISODES, eval_seed(seed))
                evals.append({"env_step": self.num_timesteps, "return": mean, "wall_s": time.perf_counter() - start})
                if mean >= best["return"]:
                    best.update(state=copy.deepcopy(model.policy.state_dict()), **{"return": mean})
            return True

    model.learn(steps, callback=Evaluate())
    if not evals or evals[-1]["env_step"] != steps:
        # the last weights are evaluated too, as rivc does
        mean = greedy_return(eval_env, act, EVAL_EPISODES, eval_seed(seed))
        evals.append({"env_step": steps, "return": mean, "wall_s": time.perf_counter() - start})
        if mean >= best["return"]:
            best.update(state=copy.deepcopy(model.policy.state_dict()), **{"return": mean})
    wall = time.perf_counter() - start
    model.policy.load_state_dict(best["state"])
    final = greedy_return(eval_env, act, FINAL_EPISODES, final_seed(seed))
    steps_to, secs_to, solved = time_to_solve(evals, solve, steps, wall)
    return {"learner": f"sb3_{config}", "seed": seed, "final_return": final, "best_eval": best["return"],
            "evals": [[e["env_step"], e["return"]] for e in evals], "wall_s": wall,
            "solve_steps": steps_to, "solve_s": secs_to, "solved": solved}


def parse_seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def plot_profiles(rows: dict, out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = np.concatenate([[r["final_return"] for r in rs] for rs in rows.values()])
    taus = np.linspace(scores.min(), scores.max(), 200)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, rs in rows.items():
        axes[0].plot(taus, performance_profile([r["final_return"] for r in rs], taus), label=name)
        steps = np.array([e[0] for e in rs[0]["evals"]])
        curves = np.array([[e[1] for e in r["evals"]] for r in rs if len(r["evals"]) == len(steps)])
        axes[1].plot(steps, np.median(curves, axis=0), label=f"{name} (median over seeds)")
        axes[1].fill_between(steps, *np.percentile(curves, [25, 75], axis=0), alpha=0.2)
    axes[0].set(xlabel="final return (20 fresh episodes)", ylabel="fraction of seeds > tau", title="performance profile")
    axes[1].set(xlabel="environment steps", ylabel="greedy evaluation (10 episodes)", title="learning curves, IQR band")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="InvertedPendulum-v5")
    ap.add_argument("--steps", type=int, default=30_000)
    ap.add_argument("--seeds", default="0-9", help="a range 0-9 or a list 0,1,2")
    ap.add_argument("--eval-every", type=int, default=2500)
    ap.add_argument("--solve", type=float, default=None, help="return that counts as solved (default: the task's "
                                                                 "Gymnasium reward_threshold)")
    ap.add_argument("--rivc", default="", help="extra rivc-train overrides, space-separated (default: none)")
    ap.add_argument("--sb3", default="tuned", choices=(*SB3_CONFIGS, "zoo"),
                    help="tuned: the InvertedPendulum-tuned configuration; zoo: rl-baselines3-zoo's for the task; "
                         "atari: SB3 defaults")
    ap.add_argument("--jobs", type=int, default=2, help="runs in parallel (each uses one core)")
    ap.add_argument("--only", choices=("rivc", "sb3"), default=None,
                    help="run one learner (screening a setting); the summary then has no ratios")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    try:
        import stable_baselines3  # noqa: F401
    except ImportError:
        sys.exit("bench_learners: Stable-Baselines3 is not installed; run: "
                 ".venv/bin/pip install stable-baselines3==2.9.2 pandas==2.2.3 numpy==1.26.4")
    import gymnasium as gym

    seeds = parse_seeds(args.seeds)
    solve = args.solve if args.solve is not None else gym.spec(args.task).reward_threshold
    out = Path(args.out or f"runs/bench_learners/{args.task}-{args.steps}")
    out.mkdir(parents=True, exist_ok=True)
    extra = args.rivc.split()
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_rivc, args.task, s, args.steps, args.eval_every, extra, out / f"rivc_seed{s}", solve)
                   for s in seeds if args.only != "sb3"]
        futures += [pool.submit(run_sb3, args.task, s, args.steps, args.eval_every, args.sb3, solve)
                    for s in seeds if args.only != "rivc"]
        results = []
        for f in futures:
            results.append(f.result())
            r = results[-1]
            print(f"{r['learner']} seed {r['seed']}: final {r['final_return']:.1f}, best eval {r['best_eval']:.1f}, "
                  f"solved at {r['solve_steps'] if r['solved'] else '-'} steps, {r['wall_s']:.1f} s", flush=True)
    names = [n for n in ("rivc", f"sb3_{args.sb3}") if args.only is None or n.startswith(args.only)]
    rows = {name: sorted([r for r in results if r["learner"] == name], key=lambda r: r["seed"]) for name in names}
    agg = {}
    for name, rs in rows.items():
        agg[name] = {"final_return": summary([r["final_return"] for r in rs]),
                     "seeds_at_or_above_solve": sum(r["final_return"] >= solve for r in rs),
                     "median_solve_steps": float(np.median([r["solve_steps"] for r in rs])),
                     "median_solve_s": float(np.median([r["solve_s"] for r in rs])),
                     "median_wall_s": float(np.median([r["wall_s"] for r in rs]))}
    both = args.only is None
    a, b = (agg["rivc"], agg[f"sb3_{args.sb3}"]) if both else (None, None)
    result = {
        "task": args.task, "env_steps": args.steps, "seeds": seeds, "solve": solve, "eval_every": args.eval_every,
        "delivery": f"best of the greedy evaluations ({EVAL_EPISODES} episodes, seeds 10000 + 1000 seed + i), then "
                    f"{FINAL_EPISODES} fresh episodes (seeds 20000 + 1000 seed + i), both learners",
        "rivc_config": "rivc-train defaults (rivc/config.py), 4-bit SNN collecting, converted after every update"
                       + (f", overrides {extra}" if extra else ""),
        "sb3_config": f"DQN('MlpPolicy', net_arch=[64, 64], {sb3_config(args.sb3, args.task) or 'SB3 defaults (Atari)'}), "
                      "torch 1 thread, same wrapped task",
        "per_seed": rows, "aggregate": agg,
        # a ratio only where both IQMs are positive (Acrobot's returns are negative: the difference says it)
        "iqm_ratio_rivc_over_sb3": a["final_return"]["iqm"] / b["final_return"]["iqm"]
        if both and min(a["final_return"]["iqm"], b["final_return"]["iqm"]) > 0 else None,
        "iqm_difference_rivc_minus_sb3": a["final_return"]["iqm"] - b["final_return"]["iqm"] if both else None,
        "median_solve_s_ratio_rivc_over_sb3": a["median_solve_s"] / b["median_solve_s"] if both else None,
        "bench_wall_s": round(time.perf_counter() - start, 1),
        "command": "python scripts/bench_learners.py " + " ".join(sys.argv[1:]),
    }
    (out / "summary.json").write_text(json.dumps(result, indent=2) + "\n")
    plot_profiles(rows, out / "profile.png", f"{args.task}, {args.steps} env steps, seeds {args.seeds}")
    print(f"\n{args.task}, {args.steps} env steps, seeds {args.seeds}, solved = greedy evaluation >= {solve}")
    print("| learner | " + " | ".join(f"seed {s}" for s in seeds) + " | IQM [95% CI] | mean +- std | seeds >= solve "
          "| median steps to solve | median s to solve | median wall-clock |")
    print("|---|" + "---|" * len(seeds) + "---|---|---|---|---|---|")
    for name, rs in rows.items():
        f = agg[name]["final_return"]
        print(f"| {name} | " + " | ".join(f"{r['final_return']:.0f}" for r in rs)
              + f" | {f['iqm']:.0f} [{f['iqm_ci95'][0]:.0f}, {f['iqm_ci95'][1]:.0f}] | {f['mean']:.0f} +- {f['std']:.0f} "
              f"| {agg[name]['seeds_at_or_above_solve']}/{len(rs)} | {agg[name]['median_solve_steps']:.0f} "
              f"| {agg[name]['median_solve_s']:.1f} | {agg[name]['median_wall_s']:.1f} |")
    if both:
        ratio = result["iqm_ratio_rivc_over_sb3"]
        print(f"IQM rivc - SB3: {result['iqm_difference_rivc_minus_sb3']:+.1f}"
              + (f" (ratio {ratio:.2f})" if ratio is not None else "")
              + f"; median time-to-solve ratio rivc / SB3: {result['median_solve_s_ratio_rivc_over_sb3']:.2f}")


if __name__ == "__main__":
    main()
