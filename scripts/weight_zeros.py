"""Share of each layer's integer weights that are 0 (and the largest |W_int|) in training checkpoints,
and what the readout's step does to the action differences.

usage: .venv/bin/python scripts/weight_zeros.py RUN_DIR/checkpoint.pt [...]

How much of a layer a k_w-bit per-tensor step rounds away: with one step max|w| / (2^(k_w-1) - 1)
for the whole tensor, a long-tailed layer keeps a few large weights and sends the rest to 0.
For the readout W (A, n) it also prints the part every action shares (the mean row: the state
value a Q readout carries; a dueling readout computes the advantage only and has next to none),
as max|mean row| / max|W|, and the relative error the per-tensor rounding leaves in the action
differences W - mean row (what the argmax depends on): ||D(W_q) - D(W)|| / ||D(W)||."""
from __future__ import annotations

import sys

from rivc.checkpoint import CheckpointError, load_checkpoint
from rivc.qnet import QuantQNetwork


def readout_action_differences(net: QuantQNetwork) -> tuple[float, float]:
    """(shared part max|mean row| / max|W|, rounding error of the action differences) of the readout."""
    w = net.linears[-1].weight.detach()
    w_q = net.weight_q(w, net.layer_weight_bits[-1])[0].double()
    w = w.double()
    diff, diff_q = w - w.mean(0), w_q - w_q.mean(0)
    return float(w.mean(0).abs().max() / w.abs().max()), float((diff_q - diff).norm() / diff.norm())


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
        shared, error = readout_action_differences(net)
        print(f"{path}: zero weights per layer {zeros} %, max |W_int| {peaks}, bits {net.layer_weight_bits}; "
              f"readout: shared part {shared:.2f} of max|W|, action differences rounded with {100 * error:.0f} % error")


if __name__ == "__main__":
    main()
