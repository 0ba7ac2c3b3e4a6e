"""What every console entry point shares: schemas registered with Hydra, user errors as one line."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from hydra.core.config_store import ConfigStore

from envs import EnvError
from neurochip.ir import SpecError
from rivc.checkpoint import CheckpointError
from rivc.config import ConfigError, DeployRunConfig, ExportRunConfig, PowerRunConfig, TrainRunConfig
from rivc.train_state import TrainingInterrupted

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
USER_ERRORS = (ConfigError, EnvError, SpecError, CheckpointError)

_cs = ConfigStore.instance()
_cs.store(name="train_schema", node=TrainRunConfig)
_cs.store(name="deploy_schema", node=DeployRunConfig)
_cs.store(name="power_schema", node=PowerRunConfig)
_cs.store(name="export_schema", node=ExportRunConfig)


def precheck_overrides(prog: str, config_name: str, argv: list[str]) -> None:
    """Compose the command line's overrides once before Hydra runs the app, so a key Hydra does
    not know or a value of the wrong type is one line `prog: error: ...` with exit status 2 like
    every other bad setting. Command lines with flags (-m, --cfg, --config-name, ...) are left
    to Hydra."""
    for arg in argv:
        key, _, value = arg.partition("=")
        if key in ("hydra.run.dir", "hydra.sweep.dir") and value and "," not in value:
            problem = output_dir_problem(Path(value))
            if problem:
                print(f"{prog}: error: {key}={value} {problem}", file=sys.stderr)
                sys.exit(2)
    if any(a.startswith("-") for a in argv):
        return
    from rivc.api import compose_config      # the Python API's composition: the same one-line errors

    try:
        compose_config(config_name, argv)
    except ConfigError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        sys.exit(2)


def output_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be (or become) a run directory, or None."""
    if path.exists():
        return None if path.is_dir() and os.access(path, os.W_OK) else (
            "is a file, not a directory" if not path.is_dir() else "is not writable")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot be created: {parent} is a file"
    return None if os.access(parent, os.W_OK) else f"cannot be created: {parent} is not writable"


def one_line(exc: Exception) -> str:
    """Hydra's and OmegaConf's multi-line messages as one line."""
    parts = []
    while exc is not None:
        text = str(exc).split("Config search path")[0]
        lines = [ln.strip().rstrip(":") for ln in text.splitlines() if ln.strip()]
        parts += [ln for ln in lines if "$VALUE" not in ln
                  and not ln.startswith(("object_type", "reference_type", "Set the environment", "full_key"))]
        exc = exc.__cause__ or exc.__context__
    return ": ".join(dict.fromkeys(parts))


def user_errors_as_one_line(prog: str):
    """Decorator: a user error prints `prog: error: ...` on stderr and exits with status 2."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except USER_ERRORS as exc:
                print(f"{prog}: error: {exc}", file=sys.stderr)
                sys.exit(2)
            except FloatingPointError as exc:
                print(f"{prog}: error: {exc}", file=sys.stderr)
                sys.exit(3)
            except OSError as exc:          # a file the user named cannot be written or read
                where = f": {exc.filename}" if exc.filename and str(exc.filename) not in str(exc.strerror) else ""
                print(f"{prog}: error: {exc.strerror or exc}{where}", file=sys.stderr)
                sys.exit(2)
            except TrainingInterrupted as exc:
                print(f"{prog}: {exc}", file=sys.stderr)
                sys.exit(130)

        return inner

    return wrap
