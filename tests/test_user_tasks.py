"""Any Gymnasium task through plain `env.id=...`: each run encodes observations with a scaling of
its own task, its SNN and its quantized FPNN run identical episodes, and rivc-power reports on it."""
import json
import os
from pathlib import Path

import numpy as np
import pytest

from conftest import TINY, run

TASKS = {"CartPole-v1": 4, "Acrobot-v1": 6, "InvertedDoublePendulum-v5": 9}
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def task_runs(tmp_path_factory, cli_env_module):
    out = {}
    for env_id in TASKS:
        run_dir = tmp_path_factory.mktemp(env_id.split("-")[0])
        run(["rivc-train", f"env.id={env_id}", *TINY, "train.final_episodes=2", f"hydra.run.dir={run_dir}"],
            cli_env_module)
        out[env_id] = run_dir
    return out


@pytest.mark.parametrize("env_id", list(TASKS))
def test_plain_env_id_uses_a_scaling_of_its_own_task(task_runs, env_id):
    from envs import calibrate_observation_scaling
    from rivc.checkpoint import load_checkpoint

    result = json.loads((task_runs[env_id] / "result.json").read_text())
    scaling = result["obs_scaling"]
    assert result["env_id"] == env_id and len(scaling["scale"]) == TASKS[env_id]
    assert scaling["source"] == "calibrated" and env_id in scaling["detail"]
    # the very calibration of this task (200 steps, seed 0): nothing of InvertedPendulum's [1, 0.2, 2, 4]
    want = calibrate_observation_scaling(env_id, 200, 0)
    np.testing.assert_allclose(scaling["scale"], want.scale)
    ckpt = load_checkpoint(task_runs[env_id] / "checkpoint.pt")
    assert ckpt.scaling_source["source"] == "calibrated"
    np.testing.assert_allclose(ckpt.scaling.scale, want.scale)
    assert (task_runs[env_id] / "training.png").stat().st_size > 1000


def test_env_id_of_a_task_config_takes_that_config():
    from rivc.api import compose_train_config

    assert compose_train_config("InvertedDoublePendulum-v5").env.calibration_steps == 5000   # configs/env/
    assert compose_train_config("Reacher-v5").env.action_bins == 5
    cartpole = compose_train_config("CartPole-v1")
    assert cartpole.env.obs_scale is None and cartpole.env.calibration_steps == 2000


def test_inverted_pendulum_keeps_its_hand_set_scaling(trained):
    result = json.loads((trained / "result.json").read_text())
    assert result["obs_scaling"]["scale"] == [1.0, 0.2, 2.0, 4.0] and result["obs_scaling"]["source"] == "task"


@pytest.mark.parametrize("env_id", list(TASKS))
def test_snn_and_quantized_fpnn_run_identical_episodes(task_runs, env_id):
    """The same integer readout and tie rule on both sides: same seeds, same episodes."""
    from envs import make_env
    from rivc.checkpoint import load_checkpoint
    from rivc.convert import convert
    from rivc.rollout import run_episodes
    from rivc.snn_policy import SNNPolicy

    ckpt = load_checkpoint(task_runs[env_id] / "checkpoint.pt")
    env = make_env(ckpt.env_id, ckpt.scaling, ckpt.action_bins)
    fpnn = run_episodes(env, ckpt.net, None, 3, seed=7, max_steps=300)
    with SNNPolicy(convert(ckpt.net), "emulator") as snn:
        spiking = run_episodes(env, ckpt.net, snn, 3, seed=7, max_steps=300)
    env.close()
    np.testing.assert_array_equal(fpnn.actions, spiking.actions)
    assert fpnn.returns == spiking.returns and spiking.agreement == 1.0


@pytest.mark.parametrize("env_id,hz,source", [("CartPole-v1", 50.0, "tau"), ("Acrobot-v1", 5.0, "dt")])
def test_power_report_on_tasks_of_any_control_rate(task_runs, tmp_path, cli_env_module, env_id, hz, source):
    run(["rivc-power", f"checkpoint={task_runs[env_id] / 'checkpoint.pt'}", "episodes=1", "max_episode_steps=30",
         "host_timing_runs=20", f"hydra.run.dir={tmp_path}"], cli_env_module)
    report = json.loads((tmp_path / "power.json").read_text())
    assert report["env_id"] == env_id and report["control_hz"] == pytest.approx(hz)
    assert source in report["control_hz_source"]
    assert report["control_hz_source"] in (tmp_path / "power.md").read_text()
    run(["rivc-power", f"checkpoint={task_runs[env_id] / 'checkpoint.pt'}", "episodes=1", "max_episode_steps=30",
         "host_timing_runs=20", "control_hz=100", f"hydra.run.dir={tmp_path / 'set'}"], cli_env_module)
    assert json.loads((tmp_path / "set" / "power.json").read_text())["control_hz_source"] == "control_hz setting"


def test_a_task_registered_in_the_users_own_module(tmp_path, cli_env_module):
    """env.id=user_pkg:UserLine-v0 imports the user's module, which registers the task."""
    env = dict(cli_env_module, PYTHONPATH=os.pathsep.join([str(HERE), cli_env_module.get("PYTHONPATH", "")]))
    run(["rivc-train", "env.id=user_pkg:UserLine-v0", *TINY, f"hydra.run.dir={tmp_path}"], env)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["env_id"] == "user_pkg:UserLine-v0" and len(result["obs_scaling"]["scale"]) == 2
    run(["rivc-deploy", f"checkpoint={tmp_path / 'checkpoint.pt'}", "episodes=1", f"hydra.run.dir={tmp_path / 'd'}"],
        env)
    assert json.loads((tmp_path / "d" / "result.json").read_text())["steps"] == 40
