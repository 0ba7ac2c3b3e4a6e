"""make_env: a Gymnasium task as the SNN sees it.

* Box actions become a Discrete product of per-dimension bins (`DiscretizeActions`);
  Discrete actions pass through.
* Observations become x = clip((obs - center) / scale, -1, 1) (`ScaleObservation`); the
  scaling comes from the space's finite bounds, or, where they are infinite, from states
  visited by a random policy. It is stored in the checkpoint so deployment encodes alike.
* Image observations ((stack, H, W) uint8 frames) are flattened (`FlatFrames`) and scaled to
  [0, 1] as u8 / 255; `frame_shape(env)` tells the learner their shape.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Sequence, Union

import gymnasium as gym
import numpy as np


class EnvError(ValueError):
    """The environment id is unknown, or its spaces are ones the SNN encoder cannot take."""


# A task: a Gymnasium id ("pkg.module:Name-v0" imports pkg.module first; "pkg.module:Class" calls
# that class), or a callable returning a new gymnasium.Env (a class works).
EnvSource = Union[str, Callable[[], gym.Env]]


def env_name(env: EnvSource) -> str:
    """The id a task is recorded under: the id itself, or "module:QualName" of a callable."""
    if isinstance(env, str):
        return env
    return f"{getattr(env, '__module__', '?')}:{getattr(env, '__qualname__', type(env).__name__)}"


def _from_callable(env: Callable[[], gym.Env], name: str) -> gym.Env:
    made = env()
    if not isinstance(made, gym.Env):
        raise EnvError(f"env {name} returned {type(made).__name__}, not a gymnasium.Env")
    return made


def _import_attr(env_id: str):
    """The callable named by "module:attr", or None."""
    module, _, attr = env_id.partition(":")
    try:
        obj = importlib.import_module(module)
    except ImportError:
        return None
    for part in attr.split("."):
        obj = getattr(obj, part, None)
    return obj if callable(obj) else None


@dataclass
class ObservationScaling:
    """Affine map of raw observations to [-1, 1]. center, scale: (obs_dim,) float64."""

    center: np.ndarray
    scale: np.ndarray

    def apply(self, obs: np.ndarray) -> np.ndarray:
        """obs: (..., obs_dim) -> (..., obs_dim) float32 in [-1, 1]."""
        return np.clip((np.asarray(obs, np.float64) - self.center) / self.scale, -1.0, 1.0).astype(np.float32)

    def to_dict(self) -> dict:
        return {"center": self.center.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "ObservationScaling":
        return cls(np.asarray(d["center"], np.float64), np.asarray(d["scale"], np.float64))


class ScaleObservation(gym.ObservationWrapper):
    """Observations scaled and clipped to [-1, 1] (the SNN input range)."""

    def __init__(self, env: gym.Env, scaling: ObservationScaling):
        super().__init__(env)
        self.scaling = scaling
        shape = env.observation_space.shape
        self.observation_space = gym.spaces.Box(-1.0, 1.0, shape, np.float32)

    def observation(self, observation):
        return self.scaling.apply(observation)


class DiscretizeActions(gym.ActionWrapper):
    """A Box action space as Discrete(prod(bins)): index -> evenly spaced grid point per dimension.

    table: (n_actions, action_dim) float32, the continuous action of each index."""

    def __init__(self, env: gym.Env, bins: int | Sequence[int]):
        super().__init__(env)
        space = env.action_space
        dims = int(np.prod(space.shape))
        bins = [int(bins)] * dims if np.isscalar(bins) else [int(b) for b in bins]
        if len(bins) != dims or min(bins) < 2:
            raise EnvError(f"action bins must be one int >= 2 or {dims} ints >= 2, got {bins}")
        if not (np.all(np.isfinite(space.low)) and np.all(np.isfinite(space.high))):
            raise EnvError("a Box action space needs finite bounds to be discretised")
        axes = [np.linspace(lo, hi, b) for lo, hi, b in zip(space.low.ravel(), space.high.ravel(), bins)]
        grid = np.meshgrid(*axes, indexing="ij")
        self.table = np.stack([g.ravel() for g in grid], axis=1).astype(np.float32)
        self.action_space = gym.spaces.Discrete(len(self.table))

    def action(self, action):
        return self.table[int(action)].reshape(self.env.action_space.shape)


class FlatFrames(gym.ObservationWrapper):
    """(stack, H, W) uint8 frames -> a flat (stack * H * W,) uint8 vector; `frame_shape` keeps the shape."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.frame_shape = tuple(int(v) for v in env.observation_space.shape)
        self.observation_space = gym.spaces.Box(0, 255, (int(np.prod(self.frame_shape)),), np.uint8)

    def observation(self, observation):
        return np.asarray(observation).reshape(-1)


def _is_image(space) -> bool:
    return isinstance(space, gym.spaces.Box) and space.dtype == np.uint8 and len(space.shape) == 3


def frame_shape(env: gym.Env) -> tuple[int, int, int] | None:
    """(stack, H, W) of an env made by make_env on an image task, else None."""
    try:
        return env.get_wrapper_attr("frame_shape")
    except AttributeError:
        return None


def _check_spaces(env: gym.Env, env_id: str) -> None:
    obs, act = env.observation_space, env.action_space
    if not isinstance(obs, gym.spaces.Box) or len(obs.shape) != 1:
        raise EnvError(f"{env_id}: observation space {obs} is not supported; the SNN encoder takes a flat Box (1-D)")
    if not isinstance(act, (gym.spaces.Box, gym.spaces.Discrete)):
        raise EnvError(f"{env_id}: action space {act} is not supported; allowed: Box (discretised) or Discrete")


def _make_raw(env: EnvSource, **kwargs) -> gym.Env:
    env_id = env_name(env)
    if isinstance(env, gym.Env):
        raise EnvError(f"env must be a Gymnasium id or a callable returning a new gymnasium.Env, got an instance "
                       f"of {type(env).__name__}: pass its class or a lambda (training, evaluation and vector envs "
                       f"each need their own)")
    if not isinstance(env, str):
        env = _from_callable(env, env_id)
    else:
        try:
            env = gym.make(env_id, **kwargs)
        except (gym.error.Error, ModuleNotFoundError) as exc:
            factory = _import_attr(env_id) if ":" in env_id else None
            if factory is None:
                raise EnvError(f"unknown environment id {env_id!r} ({exc}); use a registered Gymnasium id such "
                               f"as InvertedPendulum-v5, or module:Name of a task your module registers") from None
            env = _from_callable(factory, env_id)
    if _is_image(env.observation_space):
        env = FlatFrames(env)
    _check_spaces(env, env_id)
    return env


def observation_dim(env: EnvSource) -> int:
    """Size of the task's flat observation (raises EnvError like make_env)."""
    raw = _make_raw(env)
    n = int(raw.observation_space.shape[0])
    raw.close()
    return n


def calibrate_observation_scaling(env_id: EnvSource, steps: int, seed: int, margin: float = 1.0) -> ObservationScaling:
    """Scaling from the space's bounds where finite, else from `steps` random-policy states.

    scale = margin * max |obs - center| over the visited states (at least 1e-3)."""
    env = _make_raw(env_id)
    space = env.observation_space
    low, high = space.low.astype(np.float64), space.high.astype(np.float64)
    finite = np.isfinite(low) & np.isfinite(high)
    center = np.where(finite, (np.where(finite, low, 0) + np.where(finite, high, 0)) / 2, 0.0)
    scale = np.where(finite, (np.where(finite, high, 1) - np.where(finite, low, -1)) / 2, 1.0)
    if frame_shape(env) is not None:                    # pixels: u8 / 255, black = 0 (no input)
        center, scale = np.zeros_like(low), np.full_like(high, 255.0)
    if not finite.all():
        rng = np.random.default_rng(seed)
        env.action_space.seed(int(rng.integers(2**31)))
        obs, _ = env.reset(seed=int(rng.integers(2**31)))
        seen = [obs]
        for _ in range(steps):
            obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
            seen.append(obs)
            if terminated or truncated:
                obs, _ = env.reset()
                seen.append(obs)
        peak = np.abs(np.asarray(seen, np.float64)).max(axis=0)
        scale = np.where(finite, scale, np.maximum(margin * peak, 1e-3))
    env.close()
    return ObservationScaling(center, np.maximum(scale, 1e-6))


def make_env(env_id: EnvSource, scaling: ObservationScaling, action_bins: int | Sequence[int] = 5,
             **kwargs) -> gym.Env:
    """A Gymnasium env with Discrete actions and observations in [-1, 1].

    Raises EnvError for an unknown id or spaces the encoder cannot take."""
    env = _make_raw(env_id, **kwargs)
    if scaling.center.shape != env.observation_space.shape:
        raise EnvError(f"{env_name(env_id)}: observation size {env.observation_space.shape[0]} does not match "
                       f"the scaling's {scaling.center.shape[0]} (a checkpoint, spec or env.obs_scale of another task?)")
    if isinstance(env.action_space, gym.spaces.Box):
        env = DiscretizeActions(env, action_bins)
    return ScaleObservation(env, scaling)


def action_table(env: gym.Env) -> list | None:
    """The continuous action of every Discrete index of an env made by make_env (a list of
    (action_dim,) lists), or None where the task's own actions are Discrete."""
    try:
        return env.get_wrapper_attr("table").tolist()
    except AttributeError:
        return None


def make_vector_env(env_id: EnvSource, scaling: ObservationScaling, action_bins: int | Sequence[int],
                    num_envs: int) -> gym.vector.SyncVectorEnv:
    """`num_envs` copies of `make_env(...)` as a Gymnasium SyncVectorEnv with autoreset set
    explicitly to DISABLED: a finished sub-env returns its true final observation, and the
    caller resets exactly the finished ones (`reset(options={"reset_mask": done})`), so no
    transition ever pairs a final state with the next episode's first state."""
    from gymnasium.vector import AutoresetMode, SyncVectorEnv

    make_env(env_id, scaling, action_bins).close()      # a bad id or observation space fails here, in one line
    return SyncVectorEnv([lambda: make_env(env_id, scaling, action_bins) for _ in range(num_envs)],
                         autoreset_mode=AutoresetMode.DISABLED)
