"""Per-layer clip (threshold) calibration from visited states, and scheme changes of a trained
network: what a post-training converter does, measured by scripts/conversion_report.py.

A hidden layer's clip lambda is its largest representable activation (rate: the threshold,
one spike per timestep; graded: L payload steps). `calibrate_clips` sets each lambda to the
maximum or a percentile of that layer's pre-activation z = W x + b over the given states,
layer by layer (each layer sees the calibrated layers below it)."""
from __future__ import annotations

import copy

import numpy as np
import torch

from rivc.qnet import QuantQNetwork


def with_scheme(net: QuantQNetwork, scheme: str, timesteps: int | None = None) -> QuantQNetwork:
    """The same weights and clips as a network of another scheme (or another T)."""
    args = net.model_args()
    args.update(scheme=scheme, timesteps=timesteps or (2 ** net.activation_bits - 1 if scheme == "rate" else 1))
    other = QuantQNetwork(**args)
    other.load_state_dict(net.state_dict())
    return other


@torch.no_grad()
def calibrate_clips(net: QuantQNetwork, obs: torch.Tensor, percentile: float = 100.0,
                    inplace: bool = False) -> QuantQNetwork:
    """`net` (or a copy) whose hidden clips are the `percentile` (100 = max) of each layer's
    positive pre-activations on `obs` (B, obs_dim), layer by layer (a quantized layer's input
    depends on the clips below it). Layers without positive drive keep their clip."""
    net = net if inplace else copy.deepcopy(net)
    zs = None if net.quantized else net.pre_activations(obs)   # a float net's z does not depend on the clips
    for l in range(net.n_hidden):
        z = (zs if zs is not None else net.pre_activations(obs))[l]
        pos = z[z > 0]
        if pos.numel():
            net.clips[l] = float(np.percentile(pos.numpy(), percentile))
    return net
