"""One learner update (CVI target, quantization-aware forward and backward, clipping, Adam) of
this checkout against the same update at an earlier git revision and against a plain FP32 MLP
update shaped like SB3's DQN, interleaved in one process (the fastest of the repeats counts).

usage: .venv/bin/python scripts/bench_update.py [--against 116877d] [--batch 64] [--scheme rate]
       .venv/bin/python scripts/bench_update.py --vision --against 9ee0623 --batch 128
(--vision: the vision task's graded CNN, conv [[8, 4, 2], [16, 3, 2]] + [128] on 2 x 32 x 32 frames,
against a plain FP32 CNN of the same shape; the revision must have conv support, 9ee0623 or later.)
Prints microseconds per update and the ratios. The earlier revision's rivc/qnet.py and
rivc/learner.py are read with `git show` (the rest of the package is this checkout's)."""
from __future__ import annotations

import argparse
import copy
import importlib.util
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]


def module_at(rev: str, path: str, name: str, tmp: Path):
    """Import `path` as it was at git revision `rev`, under the module name `name`."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                                capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as err:
        sys.exit(f"bench_update: cannot read {path} at {rev!r}: {err.stderr.strip()}")
    file = tmp / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod            # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", default="116877d", help="git revision to compare with")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--scheme", choices=("rate", "graded"), default="rate")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--vision", action="store_true", help="the vision task's CNN (graded) instead of the MLP")
    args = ap.parse_args()
    if args.vision:
        args.scheme = "graded"
    from neurochip.conv import conv_out_shape
    from rivc import learner, qnet
    from rivc.replay import Batch

    torch.set_num_threads(1)
    B, A = args.batch, 7
    frames = [2, 32, 32] if args.vision else None
    obs_dim = math.prod(frames) if args.vision else 4
    cnn = {"conv": [[8, 4, 2], [16, 3, 2]], "input_shape": frames} if args.vision else {}
    gen = torch.Generator().manual_seed(0)

    def observations() -> torch.Tensor:
        """(B, obs_dim): uniform in [-1, 1], or sparse lit pixels in [0, 1] like the vision task's frames."""
        if args.vision:
            return (torch.rand(B, obs_dim, generator=gen) < 0.1) * torch.rand(B, obs_dim, generator=gen)
        return torch.rand(B, obs_dim, generator=gen) * 2 - 1

    batches = [Batch(obs=observations(), actions=torch.randint(0, A, (B,), generator=gen),
                     rewards=torch.rand(B, generator=gen), next_obs=observations(),
                     terminated=torch.zeros(B), discounts=None) for _ in range(50)]

    def rivc_update(qnet_mod, learner_mod, foreach):
        torch.manual_seed(0)
        net = qnet_mod.QuantQNetwork(obs_dim, A, [128], 4, 15, scheme=args.scheme, **cnn)
        target = copy.deepcopy(net)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=foreach)

        def run(n: int) -> float:
            t = time.perf_counter()
            for i in range(n):
                learner_mod.update(net, target, opt, batches[i % 50], 0.98, 0.9, None, 10.0, "huber")
                if i % 100 == 99:
                    target.load_state_dict(net.state_dict())
            return (time.perf_counter() - t) / n * 1e6
        return run

    if args.vision:                     # the same CNN in plain FP32 (SB3's CnnPolicy style)
        layers, shape = [nn.Unflatten(1, frames)], frames
        for channels, kernel, stride in cnn["conv"]:
            layers += [nn.Conv2d(shape[0], channels, kernel, stride), nn.ReLU()]
            shape = conv_out_shape(shape, channels, kernel, stride)
        mlp = nn.Sequential(*layers, nn.Flatten(), nn.Linear(math.prod(shape), 128), nn.ReLU(), nn.Linear(128, A))
    else:
        mlp = nn.Sequential(nn.Linear(obs_dim, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, A))
    mlp_target, mlp_opt = copy.deepcopy(mlp), torch.optim.Adam(mlp.parameters(), lr=1e-3)

    def plain(n: int) -> float:
        t = time.perf_counter()
        for i in range(n):
            b = batches[i % 50]
            with torch.no_grad():
                y = b.rewards + 0.99 * mlp_target(b.next_obs).max(1).values
            q = mlp(b.obs).gather(1, b.actions[:, None]).squeeze(1)
            loss = F.smooth_l1_loss(q, y)
            mlp_opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(mlp.parameters(), 10)
            mlp_opt.step()
            loss.item()
        return (time.perf_counter() - t) / n * 1e6

    with tempfile.TemporaryDirectory() as tmp:
        old_qnet = module_at(args.against, "rivc/qnet.py", "qnet_at_rev", Path(tmp))
        old_learner = module_at(args.against, "rivc/learner.py", "learner_at_rev", Path(tmp))
        runs = {f"rivc at {args.against}": rivc_update(old_qnet, old_learner, None),
                "rivc (this checkout)": rivc_update(qnet, learner, True),
                ("plain FP32 CNN (same shape)" if args.vision else "plain FP32 MLP [64, 64] (SB3-like)"): plain}
        times = {k: [] for k in runs}
        for _ in range(args.repeats):                   # interleaved, so drift hits all three alike
            for k, run in runs.items():
                times[k].append(run(150))
        best = {k: min(v) for k, v in times.items()}
    for k, v in best.items():
        print(f"{k:36s} {v:8.0f} us per update (batch {B}, {args.scheme}{', vision CNN' if args.vision else ''})")
    old, new, ref = best.values()
    print(f"this checkout / {args.against}: {new / old:.2f}x;  this checkout / plain FP32: {new / ref:.2f}x")


if __name__ == "__main__":
    main()
