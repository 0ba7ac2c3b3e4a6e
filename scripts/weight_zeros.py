"""Share of each layer's integer weights that are 0 (and the largest |W_int|) in training checkpoints.

usage: .venv/bin/python scripts/weight_zeros.py RUN_DIR/checkpoint.pt [...]

How much of a layer a k_w-bit per-tensor step rounds away: with one step max|w| / (2^(k_w-1) - 1)
for the whole tensor, a long-tailed layer keeps a few large weights and sends the rest to 0."""
from __future__ import annotations

import sys

from rivc.checkpoint import CheckpointError, load_checkpoint


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("weight_zeros: error: give one or more checkpoint.pt files")
    for path in sys.argv[1:]:
        try:
            net = load_checkpoint(path).net
        except CheckpointError as exc:
            raise SystemExit(f"weight_zeros: error: {exc}") from None
        layers = net.integer_layers()
        zeros = " / ".join(f"{100 * float((li.weight == 0).float().mean()):.0f}" for li in layers)
        peaks = " / ".join(str(int(li.weight.abs().max())) for li in layers)
        print(f"{path}: zero weights per layer {zeros} %, max |W_int| {peaks}, bits {net.layer_weight_bits}")


if __name__ == "__main__":
    main()
