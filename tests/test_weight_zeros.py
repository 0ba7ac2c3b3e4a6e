"""scripts/weight_zeros.py on a real network's checkpoint: the shares it prints are those of the chip's
per-tensor rounding, and of its readout's action differences, computed here from the float weights."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from envs import ObservationScaling
from rivc.checkpoint import save_checkpoint
from rivc.qnet import QuantQNetwork

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "weight_zeros.py"


def test_weight_zeros_reports_each_layers_share_of_zero_weights(tmp_path):
    torch.manual_seed(0)
    net = QuantQNetwork(4, 3, [16], 4, 15, scheme="graded", layer_weight_bits=[8, 4])
    with torch.no_grad():
        net.linears[0].weight[0, 0] = 50.0                  # one outlier: a coarse step for the rest of layer 0
    save_checkpoint(tmp_path / "checkpoint.pt", net, ObservationScaling(np.zeros(4), np.ones(4)), "InvertedPendulum-v5",
                    7, 4, 0, {})
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "checkpoint.pt")],
                          capture_output=True, text=True, check=True)
    # Independent of the network's integer code: per-tensor max step, round to nearest.
    expected = []
    for layer, bits in zip(net.linears, (8, 4)):
        w = layer.weight.detach()
        step = w.abs().max() / (2 ** (bits - 1) - 1)
        expected.append(f"{100 * float((torch.round(w / step) == 0).float().mean()):.0f}")
    assert f"zero weights per layer {' / '.join(expected)} %" in proc.stdout and "bits [8, 4]" in proc.stdout
    assert int(expected[0]) > 20                            # even at 8 bits the outlier rounds many to 0


def test_weight_zeros_reports_the_readouts_shared_part_and_action_difference_error(tmp_path):
    torch.manual_seed(1)
    net = QuantQNetwork(4, 3, [16], 4, 15, scheme="graded")
    with torch.no_grad():                 # a Q readout: one large row every action shares, small differences
        shared = torch.randn(16)
        net.linears[1].weight.copy_(shared + 0.05 * torch.randn(3, 16))
    save_checkpoint(tmp_path / "checkpoint.pt", net, ObservationScaling(np.zeros(4), np.ones(4)), "InvertedPendulum-v5",
                    7, 4, 0, {})
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "checkpoint.pt")],
                          capture_output=True, text=True, check=True)
    w = net.linears[1].weight.detach().double()
    step = w.abs().max() / 7                                   # 4 bits, per-tensor max step
    w_q = torch.round(w / step) * step
    diff, diff_q = w - w.mean(0), w_q - w_q.mean(0)
    share = float(w.mean(0).abs().max() / w.abs().max())
    error = float((diff_q - diff).norm() / diff.norm())
    assert f"readout: shared part {share:.2f} of max|W|, action differences rounded with {100 * error:.0f} % error" in proc.stdout
    assert share > 0.9 and error > 0.5                          # the step spans the shared row: differences rounded away
