"""rivc-train: Hydra app over configs/train.yaml. Writes checkpoint.pt, network.spec,
metrics.csv, tb/ and result.json into the run directory (hydra.run.dir=...)."""
from __future__ import annotations

import json
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rivc.entry import CONFIG_DIR, user_errors_as_one_line


@hydra.main(config_path=CONFIG_DIR, config_name="train", version_base="1.3")
@user_errors_as_one_line("rivc-train")
def _main(cfg: DictConfig) -> None:
    from rivc.cycle import train

    run_cfg = OmegaConf.to_object(cfg)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    result = train(run_cfg, run_dir)
    ev = result["final_eval"]
    print(json.dumps({"run_dir": str(run_dir), "wall_s": result["wall_s"], "fpnn_return": ev["fpnn_return"],
                      "snn_return": ev["snn_return"], "action_agreement": ev["action_agreement"]}))


def main() -> None:
    _main()


if __name__ == "__main__":
    main()
