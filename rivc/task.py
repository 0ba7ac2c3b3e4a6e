"""Which task a run trains on and how its observations are encoded.

`observation_scaling` gives every task a scaling of its own, and says where it came from: the
`env.obs_scale` setting, the task's hand-set scaling (envs.tasks), or a calibration on that very
task. `task_group_overrides` makes `env.id=X` pick the task config configs/env/*.yaml whose id is
X, so a task's other settings (action bins, calibration steps) come along; no value of another
task's config is ever kept.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from envs import EnvSource, ObservationScaling, calibrate_observation_scaling, env_name, observation_dim, task_scale
from rivc.config import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def observation_scaling(env_cfg, seed: int, env: EnvSource | None = None) -> tuple[ObservationScaling, dict]:
    """(scaling, provenance) for the task `env` (default: env_cfg.id). provenance: {"source":
    "setting" | "task" | "calibrated", "detail": ...}, written to result.json and the checkpoint."""
    env = env if env is not None else env_cfg.id
    if env_cfg.obs_scale is not None:
        scaling, where = _fixed(env_cfg.obs_scale), {"source": "setting", "detail": "env.obs_scale"}
        _check_size(env, scaling, "env.obs_scale")
        return scaling, where
    known = task_scale(env) if isinstance(env, str) else None
    if known is not None:
        scaling = _fixed(known.scale)
        _check_size(env, scaling, f"envs.tasks scaling of {env}")
        return scaling, {"source": "task", "detail": known.reason}
    scaling = calibrate_observation_scaling(env, env_cfg.calibration_steps, seed, env_cfg.scale_margin)
    return scaling, {"source": "calibrated",
                     "detail": f"{env_cfg.calibration_steps} random-policy steps of {env_name(env)} "
                               f"(seed {seed}, margin {env_cfg.scale_margin}); finite space bounds used as they are"}


def _fixed(scale) -> ObservationScaling:
    scale = np.asarray(scale, np.float64)
    return ObservationScaling(np.zeros_like(scale), scale)


def _check_size(env: EnvSource, scaling: ObservationScaling, what: str) -> None:
    n = observation_dim(env)
    if n != len(scaling.scale):
        raise ConfigError(f"{what} has {len(scaling.scale)} entries, {env_name(env)} has {n} observation dimensions")


def task_configs(config_dir: Path = CONFIG_DIR) -> dict[str, str]:
    """Gymnasium id -> the env group option (configs/env/<option>.yaml) that configures it."""
    out = {}
    for path in sorted((Path(config_dir) / "env").glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        if isinstance(data.get("id"), str):
            out[data["id"]] = path.stem
    return out


def task_group_overrides(overrides: list[str], config_dir: Path = CONFIG_DIR) -> list[str]:
    """`overrides` with `env=<option>` put first when `env.id=X` is set without an env group and a
    task config of id X exists (a sweep over several ids is left to the runtime lookup)."""
    ids = [o.split("=", 1)[1] for o in overrides if o.startswith("env.id=")]
    if not ids or any(o.startswith(("env=", "+env=", "~env")) for o in overrides) or "," in ids[-1]:
        return list(overrides)
    option = task_configs(config_dir).get(ids[-1].strip("'\""))
    return [f"env={option}", *overrides] if option else list(overrides)
