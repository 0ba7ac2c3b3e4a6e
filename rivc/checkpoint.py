"""Checkpoints carry their own model arguments, observation scaling and config (nanoGPT-style),
written atomically; loading a missing, truncated or foreign file raises CheckpointError."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

from envs import ObservationScaling
from neurochip.ir import atomic_write_bytes
from rivc.qnet import QuantQNetwork

CHECKPOINT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupt, or not a checkpoint of this framework."""


@dataclass
class Checkpoint:
    net: QuantQNetwork
    scaling: ObservationScaling
    env_id: str
    action_bins: object
    activation_bits: int
    step: int
    config: dict


def save_checkpoint(path: Path, net: QuantQNetwork, scaling: ObservationScaling, env_id: str,
                    action_bins, activation_bits: int, step: int, config: dict) -> Path:
    payload = {
        "version": CHECKPOINT_VERSION,
        "model_args": net.model_args(),
        "model": net.state_dict(),
        "obs_scaling": scaling.to_dict(),
        "env_id": env_id, "action_bins": action_bins, "activation_bits": activation_bits,
        "step": step, "config": config,
    }
    buf = io.BytesIO()
    torch.save(payload, buf)
    return atomic_write_bytes(Path(path), buf.getvalue())


def load_checkpoint(path: str | Path) -> Checkpoint:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated ({type(exc).__name__})") from None
    if not isinstance(payload, dict) or payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path} is not a version-{CHECKPOINT_VERSION} RIVC checkpoint")
    try:
        net = QuantQNetwork(**payload["model_args"])
        net.load_state_dict(payload["model"])
        return Checkpoint(net, ObservationScaling.from_dict(payload["obs_scaling"]), payload["env_id"],
                          payload["action_bins"], payload["activation_bits"], payload["step"], payload["config"])
    except (KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"checkpoint {path} is incomplete or inconsistent ({exc.__class__.__name__})") from None


def write_json(path: Path, data: dict) -> Path:
    """Atomically write a JSON result file."""
    return atomic_write_bytes(Path(path), (json.dumps(data, indent=2) + "\n").encode())
