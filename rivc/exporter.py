"""rivc-export checkpoint=PATH|spec=PATH format=spec|netx|nir [out=PATH]

Writes the converted SNN in the framework's own NetworkSpec format (versioned, checksummed,
with the task metadata `rivc-deploy spec=PATH` needs), as a lava-dl netx HDF5 file (what Lava's
Loihi 2 flow loads), or as a NIR graph (snnTorch, Norse, Sinabs, ... read it). Units and neuron
models of netx and NIR: neurochip/export.py."""
from __future__ import annotations

import os
from pathlib import Path


FORMATS = {"spec": "network.spec", "netx": "network.net", "nir": "network.nir"}


def export(cfg, run_dir: Path) -> dict:
    from neurochip.export import to_nir, write_netx
    from neurochip.ir import NetworkSpec
    from rivc.checkpoint import check_input_file, load_checkpoint
    from rivc.config import ConfigError, check_run_config
    from rivc.convert import convert, task_meta

    check_run_config(cfg)
    if (cfg.checkpoint is None) == (cfg.spec is None):
        raise ConfigError("give exactly one of checkpoint=PATH or spec=PATH")
    if cfg.checkpoint is not None:
        ckpt = load_checkpoint(cfg.checkpoint)
        spec = convert(ckpt.net)
        spec.meta = task_meta(ckpt.env_id, ckpt.action_bins, ckpt.scaling, ckpt.action_table)
    else:
        spec = NetworkSpec.load(check_input_file(cfg.spec, "spec", "spec")).validate()
    out = Path(cfg.out) if cfg.out else run_dir / FORMATS[cfg.format]
    if out.is_dir():
        raise ConfigError(f"out={out} is a directory; give the file to write, e.g. out={out / FORMATS[cfg.format]}")
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
