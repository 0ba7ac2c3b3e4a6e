"""Shared fixtures."""
from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TINY = ["train.env_steps=300", "agent.learning_starts=100", "env.calibration_steps=200", "train.eval_episodes=1",
        "train.log_every=100", "train.checkpoint_every=200", "agent.hidden=[16]"]


def run(cmd, env, check=True):
    """Run a console entry point; with check, fail the test with its stderr unless it exits 0."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc

def _cli_env() -> dict:
    """Environment for running the console entry points in a subprocess."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("HYDRA_FULL_ERROR", None)
    return env


@pytest.fixture
def cli_env():
    return _cli_env()


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A tiny rivc-train run (300 steps, one hidden layer of 16, 2 final episodes), shared by the
    entry-point tests."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    run_dir = tmp_path_factory.mktemp("train")
    run(["rivc-train", *TINY, "train.final_episodes=2", f"hydra.run.dir={run_dir}"], env)
    return run_dir


@pytest.fixture(scope="module")
def cli_env_module():
    """cli_env for module-scoped fixtures."""
    return _cli_env()


# Markers, from what a test uses (`make test-fast` runs neither kind):
#   slow: a console entry point in a subprocess, or a training run (the fixtures below, rivc.train)
#   lava: Lava's simulator (LavaNetwork, backend lava, the emulator-vs-Lava check)
SLOW_FIXTURES = {"cli_env", "cli_env_module", "trained", "task_runs", "bad_files", "visited"}
LAVA_USES = re.compile(r"LavaNetwork|assert_emulator_equals_lava|backend=\"?lava|\"lava\"|'lava'")


def pytest_collection_modifyitems(items):
    for item in items:
        try:
            source = inspect.getsource(item.function)
        except (AttributeError, OSError, TypeError):
            source = ""
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or "rivc.train(" in source or "subprocess" in source:
            item.add_marker(pytest.mark.slow)
        if LAVA_USES.search(source):
            item.add_marker(pytest.mark.lava)
