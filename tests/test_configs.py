"""Every config composes against its schema, and a typo fails at compose time."""
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import rivc.entry  # noqa: F401  (registers the schemas)
from rivc.config import DeployRunConfig, ExportRunConfig, TrainRunConfig, check_train_config

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
GROUPS = {g.name: sorted(p.stem for p in g.glob("*.yaml")) for g in CONFIGS.iterdir() if g.is_dir()}


def group_overrides():
    for group, options in GROUPS.items():
        for option in options:
            yield f"+{group}={option}" if group == "experiment" else f"{group}={option}"   # experiments are opt-in


@pytest.mark.parametrize("override", list(group_overrides()))
def test_every_train_group_option_composes(override):
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        cfg = compose("train", overrides=[override])
    run = OmegaConf.to_object(cfg)
    assert isinstance(run, TrainRunConfig)
    check_train_config(run)


def test_user_facing_keys_exist():
    keys = ["env.id=Hopper-v5", "quant.weight_bits=8", "quant.activation_bits=2", "snn.timesteps=9",
            "agent.alpha=0.5", "agent.beta=10", "train.env_steps=123", "seed=7"]
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        cfg = compose("train", overrides=keys)
    assert (cfg.env.id, cfg.quant.weight_bits, cfg.snn.timesteps, cfg.train.env_steps, cfg.seed) == ("Hopper-v5", 8, 9, 123, 7)


def test_deploy_config_composes():
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        cfg = compose("deploy", overrides=["checkpoint=x.pt", "backend=lava", "episodes=3", "seed=2"])
    run = OmegaConf.to_object(cfg)
    assert isinstance(run, DeployRunConfig) and run.backend == "lava" and run.episodes == 3


def test_typo_fails_at_compose_time():
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        with pytest.raises(Exception, match="quant.weigth_bits"):
            compose("train", overrides=["quant.weigth_bits=4"])


def test_experiments_set_the_ablation_switches():
    want = {"fpnn_reference": (False, 0.0, "fpnn"), "naive": (False, 0.0, "snn"), "qat_only": (True, 0.0, "snn"),
            "gap_only": (False, 0.9, "snn"), "rivc": (True, 0.9, "snn")}
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        for method, (quantized, alpha, collector) in want.items():
            run = OmegaConf.to_object(compose("train", overrides=[f"+experiment={method}"]))
            got = (run.method, run.agent.quantized, run.agent.alpha, run.train.collector)
            assert got == (method, quantized, alpha, collector)
            assert run.agent.feedback.enabled == (method == "rivc")


def test_ablation_sweep_composes_with_joblib_and_slurm_launchers():
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        cfg = compose("ablation", return_hydra_config=True)
        assert "joblib" in cfg.hydra.launcher._target_.lower()
        assert set(cfg.hydra.sweeper.params["experiment"].split(",")) == {
            "fpnn_reference", "naive", "qat_only", "gap_only", "rivc"}
        assert cfg.train.target_return is None
        slurm = compose("ablation", overrides=["hydra/launcher=slurm"], return_hydra_config=True)
        assert "submitit" in slurm.hydra.launcher._target_.lower() and slurm.hydra.launcher.cpus_per_task == 1


def test_export_config_composes():
    with initialize_config_dir(str(CONFIGS), version_base="1.3"):
        run = OmegaConf.to_object(compose("export", overrides=["checkpoint=x.pt", "format=nir"]))
    assert isinstance(run, ExportRunConfig) and run.format == "nir"
