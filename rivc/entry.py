"""What every console entry point shares: schemas registered with Hydra, user errors as one line."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

from hydra.core.config_store import ConfigStore

from envs import EnvError
from neurochip.ir import SpecError
from rivc.checkpoint import CheckpointError
from rivc.config import ConfigError, DeployRunConfig, ExportRunConfig, PowerRunConfig, TrainRunConfig

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
USER_ERRORS = (ConfigError, EnvError, SpecError, CheckpointError)

_cs = ConfigStore.instance()
_cs.store(name="train_schema", node=TrainRunConfig)
_cs.store(name="deploy_schema", node=DeployRunConfig)
_cs.store(name="power_schema", node=PowerRunConfig)
_cs.store(name="export_schema", node=ExportRunConfig)


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

        return inner

    return wrap
