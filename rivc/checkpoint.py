"""Checkpoints carry their own model arguments, observation scaling and config (nanoGPT-style),
written atomically; loading a missing, truncated or foreign file raises CheckpointError."""
from __future__ import annotations

import io
import json
import os
import pickle
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
    scaling_source: dict | None = None       # where the observation scaling came from (rivc.task)
    action_table: list | None = None         # continuous action per index (Box tasks), None for Discrete


def save_checkpoint(path: Path, net: QuantQNetwork, scaling: ObservationScaling, env_id: str,
                    action_bins, activation_bits: int, step: int, config: dict,
                    scaling_source: dict | None = None, action_table: list | None = None) -> Path:
    payload = {
        "scaling_source": scaling_source, "action_table": action_table,
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


def check_input_file(path: str | Path | None, what: str, key: str) -> Path:
    """`path` as a Path if it names a readable file; else CheckpointError naming the key
    (checkpoint=, spec=, ...), the path and what is wrong."""
    if path is None or str(path) in ("", "???"):
        raise CheckpointError(f"{key}=PATH is required (the {what} to read)")
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{key}={path} is a directory, not a {what} file")
    if not path.exists():
        raise CheckpointError(f"{key}={path}: {what} file does not exist")
    if not os.access(path, os.R_OK):
        raise CheckpointError(f"{key}={path}: {what} file cannot be read (permission denied)")
    return path


def safe_torch_load(path: Path, what: str):
    """torch.load with weights_only=True (tensors and plain data only: nothing is unpickled that
    could run code); any failure is a CheckpointError naming the file."""
    with open(path, "rb") as f:
        head = f.read(4)
    if not head:
        raise CheckpointError(f"{what} {path} is empty")
    if head != b"PK\x03\x04":                       # torch.save writes a zip archive
        raise CheckpointError(f"{what} {path} is not a {what} file (not a torch zip archive)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower() or "weights_only" in str(exc):
            raise CheckpointError(f"{what} {path} holds pickled objects other than tensors and plain data; "
                                  f"refused (loading it could run code)") from None
        raise CheckpointError(f"{what} {path} is corrupt (unpickling failed)") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError,
            AttributeError, IndexError) as exc:
        raise CheckpointError(f"{what} {path} is corrupt or truncated ({type(exc).__name__})") from None


def load_checkpoint(path: str | Path, key: str = "checkpoint") -> Checkpoint:
    path = check_input_file(path, "checkpoint", key)
    payload = safe_torch_load(path, "checkpoint")
    if not isinstance(payload, dict) or payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{path} is not a version-{CHECKPOINT_VERSION} RIVC checkpoint")
    try:
        net = QuantQNetwork(**payload["model_args"])
        net.load_state_dict(payload["model"])
        return Checkpoint(net, ObservationScaling.from_dict(payload["obs_scaling"]), payload["env_id"],
                          payload["action_bins"], payload["activation_bits"], payload["step"], payload["config"],
                          payload.get("scaling_source"), _action_table(payload))
    except (KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"checkpoint {path} is incomplete or inconsistent ({exc.__class__.__name__})") from None


def _action_table(payload: dict) -> list | None:
    """The stored action table; checkpoints written before it was stored get it from their task."""
    if "action_table" in payload:
        return payload["action_table"]
    from envs import EnvError, action_table, make_env

    try:
        env = make_env(payload["env_id"], ObservationScaling.from_dict(payload["obs_scaling"]), payload["action_bins"])
    except EnvError:
        return None
    table = action_table(env)
    env.close()
    return table


def write_json(path: Path, data: dict) -> Path:
    """Atomically write a JSON result file."""
    return atomic_write_bytes(Path(path), (json.dumps(data, indent=2) + "\n").encode())
