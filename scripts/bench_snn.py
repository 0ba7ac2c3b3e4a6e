"""Emulator vs Lava on the same NetworkSpec and inputs: ms per SNN inference and the ratios.

usage: .venv/bin/python scripts/bench_snn.py [--checkpoint PATH | --scheme rate|graded] [--lava-inferences 200] [--batch 4096]
Without a checkpoint a random 4-128-7 network like the demo's is converted (in --scheme). Checks
that the readouts are identical before printing any ratio."""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--lava-inferences", type=int, default=200)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scheme", default="rate", choices=["rate", "graded"])
    args = ap.parse_args()

    from neurochip.emulator import emulator_for
    from neurochip.lava_backend import LavaNetwork
    from rivc.convert import convert
    from rivc.qnet import QuantQNetwork

    if args.checkpoint:
        from rivc.checkpoint import load_checkpoint

        net = load_checkpoint(args.checkpoint).net
    else:
        torch.manual_seed(args.seed)
        net = QuantQNetwork(4, 7, [128], 4, 15, clip_init=0.5, scheme=args.scheme)
    spec = convert(net)
    rng = np.random.default_rng(args.seed)
    obs = torch.as_tensor(rng.uniform(-1, 1, (args.batch, net.shape.obs_dim)), dtype=torch.float32)
    x = net.encode(obs).numpy()
    n = args.lava_inferences
    emu = emulator_for(spec)

    t = time.perf_counter()
    with LavaNetwork(spec) as lava:
        lava.infer(x[0])                                   # compile and first run
        t_compile = time.perf_counter() - t
        t = time.perf_counter()
        v_lava = np.stack([lava.infer(row) for row in x[:n]])
        lava_ms = 1000 * (time.perf_counter() - t) / n

    emu.infer(x[:1])
    t = time.perf_counter()
    v_emu1 = np.concatenate([emu.infer(x[i:i + 1])[0] for i in range(n)])
    emu1_ms = 1000 * (time.perf_counter() - t) / n
    t = time.perf_counter()
    v_batch, _ = emu.infer(x)
    batch_ms = 1000 * (time.perf_counter() - t) / len(x)

    identical = bool(np.array_equal(v_lava, v_emu1) and np.array_equal(v_batch[:n], v_lava))
    if not identical:
        raise SystemExit("outputs differ between emulator and Lava: no ratio printed")
    result = {
        "scheme": spec.scheme,
        "network": [spec.layers[0].n_in] + [layer.n_out for layer in spec.layers],
        "timesteps_per_inference": spec.steps_per_inference, "lava_inferences": n, "batch": len(x),
        "lava_compile_and_first_run_s": round(t_compile, 3),
        "ms_per_inference": {"lava": lava_ms, "emulator_batch1": emu1_ms, "emulator_batched": batch_ms},
        "speedup_batch1": lava_ms / emu1_ms, "speedup_batched_throughput": lava_ms / batch_ms,
        "outputs_identical": identical,
    }
    print(json.dumps(result, indent=2))
    print(f"\nemulator vs Lava: {result['speedup_batch1']:.0f}x at batch 1, "
          f"{result['speedup_batched_throughput']:.0f}x batched ({len(x)}), identical readouts: {identical}")


if __name__ == "__main__":
    main()
