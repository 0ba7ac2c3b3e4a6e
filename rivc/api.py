"""The Python door into the framework: the same functions the console scripts call.

    import rivc
    result = rivc.train("CartPole-v1", seed=0, overrides=["train.env_steps=20000"], run_dir="runs/cartpole")
    with rivc.Policy.load(result.checkpoint, backend="lava") as policy:
        action = policy.act(obs)          # raw observation in, the env's action out

`train` composes configs/train.yaml with the overrides exactly as `rivc-train` does (one source
of defaults: rivc/config.py); bad settings raise ConfigError (a ValueError) with the same one
line the console scripts print.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Sequence

from envs import EnvSource, env_name
from rivc.config import ConfigError, DeployRunConfig, ExportRunConfig, PowerRunConfig, TrainRunConfig
from rivc.task import CONFIG_DIR, task_group_overrides


@dataclass(frozen=True)
class TrainResult:
    """What result.json of a training run holds; `data` is all of it."""

    run_dir: Path
    env_id: str
    snn_return: float             # the delivered SNN's mean return on the final fresh episodes
    fpnn_return: float            # the quantized FPNN's, on the same episode seeds
    action_agreement: float       # fraction of the SNN's states where it took the FPNN's greedy action
    checkpoint: Path              # the delivered network (best-evaluated SNN unless train.keep_best=false)
    spec: Path                    # its NetworkSpec (deployable alone)
    env_steps: int
    wall_s: float
    data: dict

    @classmethod
    def from_run_dir(cls, run_dir: str | Path) -> "TrainResult":
        run_dir = Path(run_dir)
        data = json.loads((run_dir / "result.json").read_text())
        ev = data["final_eval"]
        return cls(run_dir, data["env_id"], ev["snn_return"], ev["fpnn_return"], ev["action_agreement"],
                   Path(data["checkpoint"]), Path(data["spec"]), data["env_steps"], data["wall_s"], data)


def compose_train_config(env: str | None = None, seed: int | None = None,
                         overrides: Sequence[str] = ()) -> TrainRunConfig:
    """configs/train.yaml composed with `overrides` as rivc-train composes its command line
    (env.id=X picks the task config of id X). ConfigError for a key or value Hydra refuses."""
    args = [*([f"env.id={env}"] if env is not None else []), *([f"seed={seed}"] if seed is not None else []),
            *overrides]
    return compose_config("train", task_group_overrides(list(args)))


def compose_config(name: str, overrides: list[str]):
    """configs/<name>.yaml composed with `overrides` into its schema dataclass (TrainRunConfig,
    DeployRunConfig, ...); ConfigError with one line for whatever Hydra or OmegaConf refuses."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from rivc.entry import one_line     # also registers the schemas

    if isinstance(overrides, str) or not all(isinstance(o, str) for o in overrides):
        raise ConfigError(f"overrides must be a list of 'key=value' strings, got {overrides!r}")
    try:
        with initialize_config_dir(str(CONFIG_DIR), version_base="1.3"):
            cfg = OmegaConf.to_object(compose(name, overrides=overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        message = one_line(exc)
    else:
        return cfg
    raise ConfigError(message)


def train(env: EnvSource = "InvertedPendulum-v5", seed: int = 0, overrides: Sequence[str] = (),
          run_dir: str | Path | None = None, progress: bool = True) -> TrainResult:
    """Train a RIVC policy on `env` (a Gymnasium id, or a callable returning a new gymnasium.Env:
    training, evaluation and vector envs each get their own instance) and return its result.

    overrides: rivc-train's `key=value` settings (e.g. "train.env_steps=20000", "resume=true").
    run_dir: where checkpoint.pt, network.spec, metrics.csv, training.png and result.json go
    (default outputs/train/<time>). Ctrl-C saves the training state and raises
    rivc.cycle.TrainingInterrupted; overrides + ["resume=true"] with the same run_dir continues."""
    from rivc.cycle import train as run_cycle

    cfg = compose_train_config(env if isinstance(env, str) else None, seed, overrides)
    if not isinstance(env, str):
        if not callable(env):
            raise ConfigError(f"env must be a Gymnasium id or a callable returning a new gymnasium.Env, got "
                              f"{type(env).__name__}: pass its class or a lambda (training, evaluation and "
                              f"vector envs each need their own instance)")
        cfg.env.id = env_name(env)
    run_dir = Path(run_dir) if run_dir is not None else Path("outputs/train") / time.strftime("%Y-%m-%d_%H-%M-%S")
    hint = f"rivc.train({env!r}, seed={seed}, overrides={[*overrides, 'resume=true']!r}, run_dir={str(run_dir)!r})"
    run_cycle(cfg, run_dir, show_progress=progress, env_source=None if isinstance(env, str) else env,
              resume_hint=hint)
    return TrainResult.from_run_dir(run_dir)


def _run_config(schema: type, kwargs: dict):
    names = {f.name for f in fields(schema)}
    unknown = sorted(set(kwargs) - names)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; allowed: {', '.join(sorted(names))}")
    return schema(**{k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()})


def deploy(run_dir: str | Path, progress: bool = True, **settings) -> dict:
    """rivc-deploy from Python: deploy(run_dir, checkpoint=PATH | spec=PATH, backend=, episodes=, seed=, ...);
    returns what its result.json holds."""
    from rivc.deployment import deploy as run_deploy

    return run_deploy(_run_config(DeployRunConfig, settings), Path(run_dir), show_progress=progress)


def export(run_dir: str | Path, **settings) -> dict:
    """rivc-export from Python: export(run_dir, checkpoint=PATH | spec=PATH, format="spec" | "netx" | "nir", out=)."""
    from rivc.exporter import export as run_export

    return run_export(_run_config(ExportRunConfig, settings), Path(run_dir))


def power(run_dir: str | Path, **settings) -> dict:
    """rivc-power from Python: power(run_dir, checkpoint=PATH, episodes=, control_hz=, ...)."""
    from rivc.power_report import power_report

    return power_report(_run_config(PowerRunConfig, settings), Path(run_dir))
