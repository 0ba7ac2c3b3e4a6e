"""rivc-deploy checkpoint=PATH|spec=PATH backend=emulator|lava|loihi2|snntorch episodes=N seed=S

Converts the checkpoint's quantized network to a NetworkSpec, lets the SNN control the task
for N greedy episodes on the chosen backend, compares every action with the quantized FPNN,
and writes result.json (and the deployed network.spec) into the run directory."""
from __future__ import annotations

import time
from pathlib import Path

from tqdm import tqdm


def deploy(cfg, run_dir: Path, show_progress: bool = True) -> dict:
    from envs import ObservationScaling, make_env
    from neurochip.ir import NetworkSpec, SpecError
    from rivc.checkpoint import check_input_file, load_checkpoint, write_json
    from rivc.config import ConfigError, check_run_config
    from rivc.convert import convert, task_meta
    from rivc.rollout import actions_sha256, run_episodes
    from rivc.snn_policy import SNNPolicy

    check_run_config(cfg)
    if (cfg.checkpoint is None) == (cfg.spec is None):
        raise ConfigError("give exactly one of checkpoint=PATH or spec=PATH")
    if cfg.checkpoint is not None:
        ckpt = load_checkpoint(cfg.checkpoint)
        net, env_id, bins, scaling = ckpt.net, ckpt.env_id, ckpt.action_bins, ckpt.scaling
        if cfg.timesteps is not None and net.scheme == "graded":
            raise ConfigError("timesteps= applies to rate-scheme checkpoints; a graded network sends each "
                              "observation once (one step per layer)")
        spec = convert(net, cfg.timesteps or net.timesteps, ckpt.activation_bits)
        spec.meta = task_meta(env_id, bins, scaling, ckpt.action_table)
    else:
        if cfg.timesteps is not None:
            raise ConfigError("timesteps= needs checkpoint=PATH (a spec file is deployed as converted)")
        spec = NetworkSpec.load(check_input_file(cfg.spec, "spec", "spec")).validate()
        if not {"env_id", "action_bins", "obs_scaling"} <= set(spec.meta):
            raise SpecError(f"spec file {cfg.spec} has no task metadata (env_id, action_bins, obs_scaling)")
        net, env_id, bins = None, spec.meta["env_id"], spec.meta["action_bins"]
        scaling = ObservationScaling.from_dict(spec.meta["obs_scaling"])
    env_id = cfg.env_id or env_id
    env = make_env(env_id, scaling, bins)
    if env.action_space.n != spec.layers[-1].n_out:
        raise ConfigError(f"the network has {spec.layers[-1].n_out} actions, {env_id} with action_bins={bins} "
                          f"has {env.action_space.n}")
    run_dir.mkdir(parents=True, exist_ok=True)
    spec.save(run_dir / "network.spec")
    start = time.perf_counter()
    with tqdm(total=cfg.episodes, desc=f"rivc-deploy[{cfg.backend}]", unit="episode",
              disable=not show_progress, dynamic_ncols=True) as bar, SNNPolicy(spec, cfg.backend) as snn:
        rec = run_episodes(env, net, snn, cfg.episodes, cfg.seed, cfg.max_episode_steps, progress=bar)
    env.close()
    wall = time.perf_counter() - start
    result = {
        "backend": cfg.backend, "checkpoint": str(Path(cfg.checkpoint).resolve()) if cfg.checkpoint else None,
        "spec": str(Path(cfg.spec).resolve()) if cfg.spec else None, "env_id": env_id,
        "seed": cfg.seed, "episodes": cfg.episodes,
        "episode_returns": rec.returns, "mean_return": sum(rec.returns) / len(rec.returns),
        "action_agreement": rec.agreement if net is not None else None, "actions_sha256": actions_sha256(rec.actions),
        "steps": rec.steps, "timesteps": spec.timesteps, "timesteps_per_action": spec.steps_per_inference,
        "weight_bits": spec.weight_bits, "activation_bits": spec.activation_bits,
        "wall_s": round(wall, 2), "ms_per_action": round(1000 * wall / max(rec.steps, 1), 3),
    }
    write_json(run_dir / "result.json", result)
    return result
