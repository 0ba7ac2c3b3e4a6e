"""Every bad setting or path is one line `prog: error: key ... allowed ... got value`, exit 2, no
traceback, from every entry point; nothing already written is touched."""
import dataclasses
import os

import pytest

from conftest import TINY, run
from rivc.config import (Allowed, ConfigError, DeployRunConfig, ExportRunConfig, PowerRunConfig, TrainRunConfig,
                         check_run_config, check_train_config)


def one_line_error(proc, prog, fragment):
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), proc.stderr[-2000:]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def ranged_fields(cfg, prefix=""):
    """(key, Allowed) of every field with a rule, through nested dataclasses."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if dataclasses.is_dataclass(value):
            yield from ranged_fields(value, f"{prefix}{f.name}.")
        elif "allowed" in f.metadata:
            yield f"{prefix}{f.name}", f.metadata["allowed"]


def outside(allowed: Allowed):
    """A value the rule refuses."""
    if allowed.choices:
        return "no-such-choice"
    bad = allowed.lo - 1 if allowed.lo is not None else allowed.hi + 1
    if allowed.lo is not None and allowed.lo_open:
        bad = allowed.lo
    return [bad] if allowed.each else bad


def with_value(cfg, key, value):
    *path, name = key.split(".")
    node = cfg
    for p in path:
        node = getattr(node, p)
    setattr(node, name, value)
    return cfg


TRAIN_KEYS = list(ranged_fields(TrainRunConfig()))


def test_every_numeric_setting_has_a_rule():
    keys = {k for k, _ in TRAIN_KEYS}
    for key in ("agent.lr", "agent.gamma", "agent.batch_size", "agent.buffer_size", "agent.eps_start", "agent.eps_end",
                "agent.eps_fraction", "agent.tau", "agent.target_update_interval", "agent.train_freq",
                "agent.learning_starts", "agent.n_step", "env.action_bins", "quant.weight_bits", "snn.timesteps",
                "train.eval_episodes", "train.env_steps", "train.checkpoint_every", "train.log_every"):
        assert key in keys
    for schema in (TrainRunConfig, DeployRunConfig, PowerRunConfig, ExportRunConfig):
        for f in dataclasses.fields(schema):
            if f.type in ("int", "float", "Optional[int]", "Optional[float]") and f.name != "target_return":
                assert "allowed" in f.metadata, f"{schema.__name__}.{f.name} has no allowed range"


@pytest.mark.parametrize("key,allowed", TRAIN_KEYS, ids=[k for k, _ in TRAIN_KEYS])
def test_every_train_setting_out_of_range_names_key_value_and_range(key, allowed):
    bad = outside(allowed)
    with pytest.raises(ConfigError) as exc:
        check_train_config(with_value(TrainRunConfig(), key, bad))
    assert str(exc.value).startswith(f"{key} must ") and f"got {bad!r}" in str(exc.value)
    assert allowed.text() in str(exc.value)


@pytest.mark.parametrize("schema", [DeployRunConfig, PowerRunConfig, ExportRunConfig])
def test_every_deploy_power_export_setting_out_of_range(schema):
    for key, allowed in ranged_fields(schema()):
        with pytest.raises(ConfigError, match=f"^{key} must "):
            check_run_config(with_value(schema(), key, outside(allowed)))


@pytest.mark.parametrize("override,fragment", [
    ("agent.lr=-1", "agent.lr must be > 0 (Adam learning rate), got -1.0"),
    ("agent.buffer_size=0", "agent.buffer_size must be >= 1"),
    ("agent.gamma=2", "agent.gamma must be in [0, 1)"),
    ("agent.batch_size=0", "agent.batch_size must be >= 1, got 0"),
    ("agent.eps_end=1.5", "agent.eps_end must be in 0..1"),
    ("agent.target_update_interval=0", "agent.target_update_interval must be >= 1"),
    ("agent.train_freq=0", "agent.train_freq must be >= 1"),
    ("quant.weight_bits=16", "quant.weight_bits must be in 2..8"),
    ("quant.weight_bits=1", "quant.weight_bits must be in 2..8"),
    ("train.env_steps=-5", "train.env_steps must be >= 1 (the budget), got -5"),
    ("env.action_bins=[7,1]", "env.action_bins must have every entry an integer >= 2"),
    ("env.obs_scale=[1,0,2,4]", "env.obs_scale must have every entry > 0"),
    ("env.obs_scale=[1,2]", "env.obs_scale has 2 entries, InvertedPendulum-v5 has 4 observation dimensions"),
    ("agent.lr=abc", "agent.lr=abc"),
    ("agent.alpah=0.5", "agent.alpah"),
])
def test_bad_training_settings_through_rivc_train(tmp_path, cli_env, override, fragment):
    proc = run(["rivc-train", *TINY, override, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-train", fragment)
    assert not (tmp_path / "result.json").exists()


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "notes.txt").write_text("not a checkpoint\n")
    (d / "empty.pt").write_bytes(b"")
    (d / "folder.pt").mkdir()
    locked = d / "locked.pt"
    locked.write_bytes(b"PK\x03\x04")
    locked.chmod(0)
    return d


CASES = [("notes.txt", "is not a checkpoint file"), ("empty.pt", "is empty"), ("folder.pt", "is a directory"),
         ("missing.pt", "does not exist")]
if os.geteuid() != 0:                           # root reads any file
    CASES.append(("locked.pt", "cannot be read"))


@pytest.mark.parametrize("prog", ["rivc-deploy", "rivc-power", "rivc-export"])
@pytest.mark.parametrize("name,fragment", CASES)
def test_bad_checkpoint_paths(bad_files, tmp_path, cli_env, prog, name, fragment):
    proc = run([prog, f"checkpoint={bad_files / name}", f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, prog, fragment)


@pytest.mark.parametrize("prog,args,fragment", [
    ("rivc-power", [], "checkpoint=PATH is required"),
    ("rivc-deploy", [], "give exactly one of checkpoint=PATH or spec=PATH"),
    ("rivc-deploy", ["episodes=0"], "episodes must be >= 1, got 0"),
    ("rivc-deploy", ["backend=gpu"], "backend must be one of 'emulator', 'lava', 'loihi2', 'snntorch', got 'gpu'"),
    ("rivc-export", ["format=onnx"], "format must be one of 'spec', 'netx', 'nir', got 'onnx'"),
    ("rivc-power", ["episodes=abc"], "episodes=abc"),
    ("rivc-deploy", ["spec=/no/such.spec"], "spec=/no/such.spec: spec file does not exist"),
])
def test_bad_settings_of_deploy_power_export(tmp_path, cli_env, prog, args, fragment):
    proc = run([prog, *args, f"hydra.run.dir={tmp_path}"], cli_env, check=False)
    one_line_error(proc, prog, fragment)


def test_a_directory_as_export_target_is_refused(trained, tmp_path, cli_env):
    proc = run(["rivc-export", f"checkpoint={trained / 'checkpoint.pt'}", f"out={tmp_path}"], cli_env, check=False)
    one_line_error(proc, "rivc-export", "is a directory")


@pytest.mark.parametrize("prog,args,fragment", [
    ("rivc-train", ["hydra.run.dir={file}"], "is a file, not a directory"),
    ("rivc-train", ["hydra.run.dir={file}/run"], "cannot be created"),
    ("rivc-export", ["checkpoint={ckpt}", "out=/proc/rivc/x.spec"], "/proc/rivc"),
])
def test_output_paths_that_cannot_be_written(trained, tmp_path, cli_env, prog, args, fragment):
    afile = tmp_path / "afile"
    afile.write_text("keep me\\n")
    args = [a.format(file=afile, ckpt=trained / "checkpoint.pt") for a in args]
    proc = run([prog, *args], cli_env, check=False)
    one_line_error(proc, prog, fragment)
    assert afile.read_text() == "keep me\\n"
