"""rivc.Policy: a converted SNN that takes the task's raw observations and returns its actions."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from envs import ObservationScaling
from neurochip.backends import ClosesOnExit
from rivc.config import DEPLOY_BACKENDS, ConfigError
from rivc.convert import encode
from rivc.metrics import greedy
from rivc.snn_policy import SNNPolicy


class Policy(ClosesOnExit):
    """The deployed SNN of a checkpoint or spec file on a backend (emulator | lava | loihi2 |
    snntorch). `act(obs)` scales and encodes a raw observation exactly as in training, runs the
    SNN and returns the env's action (an int for Discrete tasks, the bin's continuous action for
    Box tasks). Use as a context manager: the Lava backends hold OS processes."""

    def __init__(self, spec, scaling: ObservationScaling, action_table: list | None, backend: str, env_id: str):
        _check_backend(backend)
        self.spec, self.scaling, self.env_id, self.backend = spec, scaling, env_id, backend
        self.action_table = None if action_table is None else np.asarray(action_table, np.float32)
        self._snn = SNNPolicy(spec, backend)

    @classmethod
    def load(cls, path: str | Path, backend: str = "emulator") -> "Policy":
        """A checkpoint.pt (converted here, in its scheme) or a network.spec file (a path ending in .spec)."""
        from neurochip.ir import NetworkSpec, SpecError
        from rivc.checkpoint import check_input_file, load_checkpoint
        from rivc.convert import convert

        _check_backend(backend)
        if str(path).endswith(".spec"):
            spec = NetworkSpec.load(check_input_file(path, "spec", "spec")).validate()
            if not {"env_id", "obs_scaling"} <= set(spec.meta):
                raise SpecError(f"spec file {path} has no task metadata (env_id, obs_scaling)")
            return cls(spec, ObservationScaling.from_dict(spec.meta["obs_scaling"]), spec.meta.get("action_table"),
                       backend, spec.meta["env_id"])
        ckpt = load_checkpoint(path)
        return cls(convert(ckpt.net, ckpt.net.timesteps, ckpt.activation_bits), ckpt.scaling, ckpt.action_table,
                   backend, ckpt.env_id)

    @property
    def n_actions(self) -> int:
        return int(self.spec.layers[-1].n_out)

    def encode(self, obs: np.ndarray) -> np.ndarray:
        """Raw observations (B, *obs_shape) -> the chip's integer input (B, n_in) int64."""
        obs = np.asarray(obs)
        flat = obs.reshape(obs.shape[0], -1)
        if flat.shape[1] != self.spec.layers[0].n_in:
            raise ConfigError(f"observation has {flat.shape[1]} values, the policy for {self.env_id} takes "
                              f"{self.spec.layers[0].n_in}")
        return encode(self.spec, self.scaling.apply(flat))

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """(B, *obs_shape) raw observations -> (B, n_actions) float64 SNN readout in Q units."""
        return self._snn(self.encode(obs)).q

    def act_index(self, obs: np.ndarray) -> np.ndarray:
        """(B, *obs_shape) -> (B,) int64 greedy action indices (rivc.metrics.greedy)."""
        return greedy(self.q_values(obs))

    def act(self, obs):
        """One raw observation -> the env's action."""
        index = int(self.act_index(np.asarray(obs)[None])[0])
        return index if self.action_table is None else self.action_table[index].copy()

    def close(self) -> None:
        self._snn.close()



def _check_backend(backend: str) -> None:
    if backend not in DEPLOY_BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(map(repr, DEPLOY_BACKENDS))}, got {backend!r}")
