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
def calibrate_clips(net: QuantQNetwork, obs: torch.Tensor, percentile: float = 100.0) -> QuantQNetwork:
    """A copy of `net` whose hidden clips are the `percentile` (100 = max) of each layer's
    positive pre-activations on `obs` (B, obs_dim). Layers without positive drive keep their clip."""
    net = copy.deepcopy(net)
    for l in range(len(net.shape.hidden)):
        z = _pre_activation(net, obs, l)
        pos = z[z > 0]
        if pos.numel():
            net.clips[l] = float(np.percentile(pos.numpy(), percentile))
    return net


def _pre_activation(net: QuantQNetwork, obs: torch.Tensor, layer: int) -> torch.Tensor:
    """z of hidden layer `layer` (B, n) in real units, with the network's current quantization."""
    counts = net.forward_full(obs).counts
    T = net.timesteps if net.scheme == "rate" else 1
    h = net.encode(obs).float() / net.input_max
    for l, (_, w_q, _, s_cur, b_q, unit_int) in enumerate(net._layers()):
        z = torch.nn.functional.linear(h, w_q, b_q)
        if l == layer:
            return z
        h = counts[l].float() * unit_int * s_cur / T
    raise IndexError(layer)
