"""Everything a training run needs to continue after a crash, saved atomically at episode
boundaries: networks, optimizer, replay buffer, RNG states (ours, torch's, the env's) and the
loop's counters. `rivc-train ... resume=true` in the same run directory loads it; with the same
seed on CPU the resumed run ends with the same metrics as an uninterrupted one."""
from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from neurochip.ir import atomic_write_bytes
from rivc.checkpoint import CheckpointError, safe_torch_load
from rivc.replay import ReplayBuffer

STATE_VERSION = 2                  # 2: plain data only (to_plain), wall_s
STATE_FILE = "train_state.pt"

@dataclass
class LoopState:
    """The training loop's own counters and running records."""

    step: int = 0                                  # env steps completed
    n_updates: int = 0
    ep_return: list = field(default_factory=lambda: [0.0])       # per environment
    last_return: float = math.nan
    ep_returns: list = field(default_factory=list)
    losses: list = field(default_factory=list)     # since the last log row
    q_means: list = field(default_factory=list)
    window: dict = field(default_factory=lambda: {k: [] for k in ("q_fpnn", "q_snn", "a_fpnn", "c_fpnn", "c_snn")})
    last_agreement: float = math.nan
    evals: list = field(default_factory=list)
    best: dict = field(default_factory=lambda: {"return": -math.inf, "env_step": None, "state": None})   # acting policy
    alpha: float = math.nan                        # current gap coefficient (feedback-controlled)
    alpha_trajectory: list = field(default_factory=list)   # [env_step, alpha] per log row
    needs_reset: list = field(default_factory=lambda: [True])    # per environment: reset before its next step
    first_reset_done: bool = False
    wall_s: float = 0.0                            # wall-clock of the run up to this state (all parts)


class TrainingInterrupted(Exception):
    """Ctrl-C ended training; the message says where the state was saved and how to resume."""


_ARRAY = "__ndarray__"


def to_plain(x):
    """numpy arrays -> {"__ndarray__": tensor} and numpy scalars -> Python numbers, recursively, so
    the file holds only what torch.load(weights_only=True) reads: tensors and plain data."""
    if isinstance(x, np.ndarray):
        return {_ARRAY: torch.from_numpy(np.ascontiguousarray(x))}
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, dict):
        return {k: to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_plain(v) for v in x)
    return x


def from_plain(x):
    """The inverse of to_plain."""
    if isinstance(x, dict):
        if set(x) == {_ARRAY}:
            return x[_ARRAY].numpy()
        return {k: from_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(from_plain(v) for v in x)
    return x


def save_train_state(run_dir: Path, st: LoopState, net, target, optimizer, buffer: ReplayBuffer,
                     rng: np.random.Generator, env, config: dict) -> Path:
    payload = {
        "version": STATE_VERSION, "config": config, "loop": asdict(st),
        "net": net.state_dict(), "target": target.state_dict(), "optimizer": optimizer.state_dict(),
        "buffer": buffer.state(),
        "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
        "env_rng": env.unwrapped.np_random.bit_generator.state,
    }
    buf = io.BytesIO()
    torch.save(to_plain(payload), buf)
    return atomic_write_bytes(Path(run_dir) / STATE_FILE, buf.getvalue())


def load_train_state(run_dir: Path, config: dict, net, target, optimizer, buffer: ReplayBuffer,
                     rng: np.random.Generator, env) -> LoopState:
    """Restore into the freshly built objects; CheckpointError if missing, corrupt or from another config."""
    path = Path(run_dir) / STATE_FILE
    if not path.is_file():
        raise CheckpointError(f"resume=true but {path} does not exist (no training state saved yet in this run directory)")
    payload = from_plain(safe_torch_load(path, "training state"))      # weights_only: nothing that runs code
    if not isinstance(payload, dict) or payload.get("version") != STATE_VERSION:
        got = payload.get("version") if isinstance(payload, dict) else type(payload).__name__
        raise CheckpointError(f"training state {path} has version {got}, expected {STATE_VERSION}")
    saved = {k: v for k, v in payload["config"].items() if k not in ("resume",)}
    now = {k: v for k, v in config.items() if k not in ("resume",)}
    if saved != now:
        diff = sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k))
        raise CheckpointError(f"resume=true with a different configuration than the saved run (differs in: {', '.join(diff)})")
    net.load_state_dict(payload["net"])
    target.load_state_dict(payload["target"])
    optimizer.load_state_dict(payload["optimizer"])
    buffer.restore(payload["buffer"])
    rng.bit_generator.state = payload["rng"]
    torch.set_rng_state(payload["torch_rng"])
    env_rng = np.random.default_rng()
    env_rng.bit_generator.state = payload["env_rng"]
    env.unwrapped.np_random = env_rng
    return LoopState(**payload["loop"])
