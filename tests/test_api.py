"""The Python door: rivc.train / rivc.Policy with a user's own gymnasium.Env class, one source of
defaults shared with rivc-train, and bad settings as ValueError with rivc-train's one line."""
import dataclasses
import subprocess

import numpy as np
import pytest
import yaml

import rivc
from conftest import TINY
from user_pkg import UserLine


def test_version_and_names():
    assert isinstance(rivc.__version__, str) and rivc.__version__[0].isdigit()
    for name in ("train", "Policy", "TrainResult", "deploy", "export", "power", "ConfigError"):
        assert hasattr(rivc, name)
    assert issubclass(rivc.ConfigError, ValueError)


def test_defaults_are_one_source(cli_env):
    """What rivc-train composes with no overrides is the schema's defaults, and what the API runs
    equals what the CLI composes for the same overrides."""
    assert rivc.compose_train_config() == rivc.TrainRunConfig()
    overrides = ["train.env_steps=20000", "agent.hidden=[32,32]"]
    proc = subprocess.run(["rivc-train", "env.id=InvertedDoublePendulum-v5", "seed=3", *overrides, "--cfg", "job"],
                          capture_output=True, text=True, check=True, timeout=120, env=cli_env)
    cli = yaml.safe_load(proc.stdout)
    api = dataclasses.asdict(rivc.compose_train_config("InvertedDoublePendulum-v5", 3, overrides))
    assert cli == api and api["env"]["calibration_steps"] == 5000


def test_train_a_users_env_class_and_deploy_it_on_lava(tmp_path):
    result = rivc.train(UserLine, seed=1, overrides=[*TINY, "train.final_episodes=2"], run_dir=tmp_path / "run",
                        progress=False)
    assert isinstance(result, rivc.TrainResult)
    assert result.env_id == "user_pkg:UserLine" and result.checkpoint.is_file() and result.spec.is_file()
    assert result.action_agreement == 1.0 and result.snn_return == result.fpnn_return
    assert result.data["final_eval"]["snn_return"] == result.snn_return
    env = UserLine()
    obs, _ = env.reset(seed=4)
    with rivc.Policy.load(result.checkpoint, backend="emulator") as emu, \
            rivc.Policy.load(result.checkpoint, backend="lava") as lava:
        for _ in range(12):
            action = lava.act(obs)          # raw observation in, the env's action out
            assert action == emu.act(obs) and action in (0, 1, 2)
            obs, *_ = env.step(action)


def test_policy_returns_the_continuous_action_of_a_box_task(trained):
    import gymnasium as gym

    env = gym.make("InvertedPendulum-v5")
    obs, _ = env.reset(seed=0)
    with rivc.Policy.load(trained / "checkpoint.pt") as policy, rivc.Policy.load(trained / "network.spec") as spec:
        action = policy.act(obs)
        assert action.shape == env.action_space.shape and env.action_space.contains(action)
        np.testing.assert_array_equal(action, spec.act(obs))
        assert policy.n_actions == 7


@pytest.mark.parametrize("overrides,fragment", [
    (["agent.lr=-1"], "agent.lr must be > 0"),
    (["agent.alpah=0.5"], "Could not override 'agent.alpah'"),
    (["agent.gamma=abc"], "agent.gamma=abc"),
])
def test_bad_settings_raise_value_errors_with_the_cli_line(tmp_path, overrides, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace("[", r"\[")):
        rivc.train("CartPole-v1", overrides=overrides, run_dir=tmp_path, progress=False)


def test_an_env_instance_is_refused_with_one_line(tmp_path):
    with pytest.raises(ValueError, match="pass its class or a lambda"):
        rivc.train(UserLine(), overrides=TINY, run_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match="backend must be one of"):
        rivc.Policy.load(tmp_path / "x.pt", backend="gpu")
