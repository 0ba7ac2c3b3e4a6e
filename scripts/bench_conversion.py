"""Conversion cost against a learner update, side by side in one run.

usage: .venv/bin/python scripts/bench_conversion.py [--hidden 128] [--repeats 300] [--lava 20]

RIVC converts after every update, so converting must stay cheap next to the update it follows.
Times, for the demo-sized network (4 inputs, 7 actions) in both schemes, alternating as in
training: one learner update (batch 128, CVI target, Adam), then `convert` of the new weights
(quantized network -> validated NetworkSpec) and building the emulator for it; prints the
median ms of each and the ratio conversion / update.

--lava K: deploys K successive conversions on Lava's CPU simulator, each followed by one
inference, once by building a new network per conversion and once by updating one compiled
network in place (`LavaNetwork.update`), and prints both and the ratio (with how many
conversions Lava could take in place: rate specs need unchanged thresholds)."""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def lava_rebuild_vs_in_place(specs: list, x: np.ndarray) -> tuple[float, float, int]:
    """Seconds per conversion (deploy + one inference): new network each time, in place; and
    how many of the conversions were taken in place."""
    from neurochip.lava_backend import LavaNetwork

    t = time.perf_counter()
    for spec in specs[1:]:
        with LavaNetwork(spec) as lava:
            lava.infer(x)
    rebuild = (time.perf_counter() - t) / (len(specs) - 1)
    in_place = 0
    with LavaNetwork(specs[0]) as lava:
        lava.infer(x)
        t = time.perf_counter()
        for spec in specs[1:]:
            if lava.update(spec):
                in_place += 1
            else:
                lava.stop()
                lava = LavaNetwork(spec)
            lava.infer(x)
        update = (time.perf_counter() - t) / (len(specs) - 1)
        lava.stop()
    return rebuild, update, in_place


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=300)
    ap.add_argument("--lava", type=int, default=0, help="also time K conversions deployed on Lava")
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
        times, specs = {"update": [], "convert": [], "emulator": []}, []
        for _ in range(args.repeats):
            times["update"].append(timed(lambda: update(net, target, opt, buffer.sample(128, rng), 0.98, 0.9,
                                                        None, 10.0, "huber"))[1])
            spec, t = timed(lambda: convert(net))
            times["convert"].append(t)
            times["emulator"].append(timed(lambda: emulator_for(spec))[1])
            specs.append(spec)
        t_update, t_convert, t_emulator = (1e3 * float(np.median(times[k])) for k in ("update", "convert", "emulator"))
        print(f"{scheme:6s}: convert {t_convert:.3f} ms + emulator build {t_emulator:.3f} ms | learner update "
              f"{t_update:.3f} ms | conversion / update = {(t_convert + t_emulator) / t_update:.2f}")
        if args.lava:
            from rivc.convert import encode

            x = encode(spec, rng.uniform(-1, 1, (1, 4)))[0]
            rebuild, in_place, n = lava_rebuild_vs_in_place(specs[-args.lava - 1:], x)
            print(f"        Lava, per conversion + one inference: new network {1e3 * rebuild:.0f} ms, in place "
                  f"{1e3 * in_place:.0f} ms ({n}/{args.lava} taken in place): {rebuild / in_place:.1f}x")


if __name__ == "__main__":
    main()
