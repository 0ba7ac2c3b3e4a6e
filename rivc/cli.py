"""The console scripts: thin Hydra layers over the library functions the Python API calls.

    rivc-train  [key=value ...]      rivc.cycle.train           (configs/train.yaml)
    rivc-deploy checkpoint=PATH ...  rivc.deployment.deploy     (configs/deploy.yaml)
    rivc-power  checkpoint=PATH ...  rivc.power_report.power_report (configs/power.yaml)
    rivc-export checkpoint=PATH ...  rivc.exporter.export       (configs/export.yaml)

A user error prints one line `rivc-...: error: ...` and exits with status 2 (rivc.entry).
"""
from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rivc.entry import CONFIG_DIR, precheck_overrides, user_errors_as_one_line
from rivc.task import task_group_overrides


def _run_dir() -> Path:
    return Path(HydraConfig.get().runtime.output_dir)


def _resume_command(run_dir: Path) -> str:
    """The command that continues this run: its own overrides, resume=true, the same directory."""
    args = [a for a in HydraConfig.get().overrides.task if not a.startswith(("resume=", "hydra.run.dir="))]
    return shlex.join(["rivc-train", *args, "resume=true", f"hydra.run.dir={run_dir}"])


@hydra.main(config_path=CONFIG_DIR, config_name="train", version_base="1.3")
@user_errors_as_one_line("rivc-train")
def _train(cfg: DictConfig) -> None:
    from rivc.cycle import train

    run_dir = _run_dir()
    result = train(OmegaConf.to_object(cfg), run_dir, resume_hint=_resume_command(run_dir))
    ev = result["final_eval"]
    print(json.dumps({"run_dir": str(run_dir), "wall_s": result["wall_s"], "fpnn_return": ev["fpnn_return"],
                      "snn_return": ev["snn_return"], "action_agreement": ev["action_agreement"]}))


@hydra.main(config_path=CONFIG_DIR, config_name="deploy", version_base="1.3")
@user_errors_as_one_line("rivc-deploy")
def _deploy(cfg: DictConfig) -> None:
    from rivc.deployment import deploy

    result = deploy(OmegaConf.to_object(cfg), _run_dir())
    print(json.dumps({k: result[k] for k in ("backend", "mean_return", "action_agreement", "actions_sha256",
                                               "timesteps_per_action", "ms_per_action")}))


@hydra.main(config_path=CONFIG_DIR, config_name="power", version_base="1.3")
@user_errors_as_one_line("rivc-power")
def _power(cfg: DictConfig) -> None:
    from rivc.power_report import power_report

    result = power_report(OmegaConf.to_object(cfg), _run_dir())
    print(json.dumps({"control_hz": result["control_hz"], "chip_level": result["chip_level"]["ratio"]["verdict"],
                      "system_level": [r["verdict"] for r in result["system_level"]["ratio"]]}))


@hydra.main(config_path=CONFIG_DIR, config_name="export", version_base="1.3")
@user_errors_as_one_line("rivc-export")
def _export(cfg: DictConfig) -> None:
    from rivc.exporter import export

    print(json.dumps(export(OmegaConf.to_object(cfg), _run_dir())))


def train_main() -> None:
    """rivc-train; env.id=X also selects the task config of id X (rivc.task.task_group_overrides)."""
    sys.argv = [sys.argv[0], *task_group_overrides(sys.argv[1:])]
    precheck_overrides("rivc-train", "train", sys.argv[1:])
    _train()


def deploy_main() -> None:
    precheck_overrides("rivc-deploy", "deploy", sys.argv[1:])
    _deploy()


def power_main() -> None:
    precheck_overrides("rivc-power", "power", sys.argv[1:])
    _power()


def export_main() -> None:
    precheck_overrides("rivc-export", "export", sys.argv[1:])
    _export()
