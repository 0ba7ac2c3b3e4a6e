"""Conversion cost against a learner update, side by side in one run.

usage: .venv/bin/python scripts/bench_conversion.py [--hidden 128] [--repeats 300]

RIVC converts after every update, so converting must stay cheap next to the update it follows.
Times, for the demo-sized network (4 inputs, 7 actions) in both schemes: `convert` (quantized
network -> validated NetworkSpec), building the emulator for it, and one learner update
(batch 128, CVI target, Adam); prints ms for each and the ratio conversion / update."""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=300)
    args = ap.parse_args()
    torch.set_num_threads(1)

    from neurochip.emulator import emulator_for
    from rivc.convert import convert
    from rivc.learner import update
    from rivc.qnet import QuantQNetwork
    from rivc.replay import ReplayBuffer

    rng = np.random.default_rng(0)
    buffer = ReplayBuffer(5000, 4, 1, 0.98)
    for _ in range(2000):
        buffer.add(rng.uniform(-1, 1, 4).astype(np.float32), int(rng.integers(7)), 1.0,
                   rng.uniform(-1, 1, 4).astype(np.float32), False, False)
    print(f"network 4-{args.hidden}-7, median of {args.repeats} repeats, 1 torch thread")
    for scheme in ("rate", "graded"):
        torch.manual_seed(0)
        net = QuantQNetwork(4, 7, [args.hidden], 4, 15, clip_init=0.5, scheme=scheme)
        target = copy.deepcopy(net)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        t_convert = median_ms(lambda: convert(net), args.repeats)
        spec = convert(net)
        t_emulator = median_ms(lambda: emulator_for(spec), args.repeats)
        t_update = median_ms(lambda: update(net, target, opt, buffer.sample(128, rng), 0.98, 0.9, None, 10.0, "huber"),
                             args.repeats)
        print(f"{scheme:6s}: convert {t_convert:.3f} ms + emulator build {t_emulator:.3f} ms | learner update "
              f"{t_update:.3f} ms | conversion / update = {(t_convert + t_emulator) / t_update:.2f}")


if __name__ == "__main__":
    main()
