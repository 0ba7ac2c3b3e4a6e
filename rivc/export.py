"""rivc-export checkpoint=PATH|spec=PATH format=spec|netx|nir [out=PATH]

Writes the converted SNN in the framework's own NetworkSpec format (versioned, checksummed,
with the task metadata `rivc-deploy spec=PATH` needs), as a lava-dl netx HDF5 file (what Lava's
Loihi 2 flow loads), or as a NIR graph (snnTorch, Norse, Sinabs, ... read it). Units and neuron
models of netx and NIR: neurochip/export.py."""
from __future__ import annotations

import json
import os
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rivc.entry import CONFIG_DIR, user_errors_as_one_line

FORMATS = {"spec": "network.spec", "netx": "network.net", "nir": "network.nir"}


def export(cfg, run_dir: Path) -> dict:
    from neurochip.export import to_nir, write_netx
    from neurochip.ir import NetworkSpec
    from rivc.checkpoint import load_checkpoint
    from rivc.config import ConfigError
    from rivc.convert import convert, task_meta

    if cfg.format not in FORMATS:
        raise ConfigError(f"format must be one of {tuple(FORMATS)}, got {cfg.format!r}")
    if (cfg.checkpoint is None) == (cfg.spec is None):
        raise ConfigError("give exactly one of checkpoint=PATH or spec=PATH")
    if cfg.checkpoint is not None:
        ckpt = load_checkpoint(cfg.checkpoint)
        spec = convert(ckpt.net)
        spec.meta = task_meta(ckpt.env_id, ckpt.action_bins, ckpt.scaling)
    else:
        spec = NetworkSpec.load(cfg.spec).validate()
    out = Path(cfg.out) if cfg.out else run_dir / FORMATS[cfg.format]
    out.parent.mkdir(parents=True, exist_ok=True)
    if cfg.format == "spec":
        spec.save(out)
    elif cfg.format == "netx":
        write_netx(spec, out)
    else:
        import nir

        graph = to_nir(spec)
        tmp = out.with_name(f".{out.name}.tmp")
        nir.write(tmp, graph)
        os.replace(tmp, out)
    return {"format": cfg.format, "out": str(out.resolve()), "scheme": spec.scheme,
            "layers": [layer.n_out for layer in spec.layers], "timesteps": spec.timesteps}


@hydra.main(config_path=CONFIG_DIR, config_name="export", version_base="1.3")
@user_errors_as_one_line("rivc-export")
def _main(cfg: DictConfig) -> None:
    print(json.dumps(export(OmegaConf.to_object(cfg), Path(HydraConfig.get().runtime.output_dir))))


def main() -> None:
    _main()


if __name__ == "__main__":
    main()
