"""Quantization-aware Q-network whose hidden activation *is* the chip neuron's spike count.

Symbols (per layer l):
  s_w      weight scale, W_q = s_w * W_int, W_int in [-(2^(k_w-1)-1), 2^(k_w-1)-1]
           (torch.fake_quantize_per_tensor_affine: straight-through gradient)
  u_in     real value of one unit of per-timestep input: 1/127 for the 8-bit observation
           (sent every step), theta_{l-1} for a spike of the layer below
  s_cur    = s_w * u_in, real value of one unit of per-step synaptic current
  b_int    = round(b / s_cur), 13-bit;  theta_int = round(lambda_l / s_cur), 17-bit
  z        per-step drive in current units: W_int @ x_int + b_int (layer 1, exact integers),
           W_int @ (n_{l-1} / T) + b_int (deeper layers: the mean of the spike input)
  n        spike count of Lava's integrate-and-fire LIF (reset to zero) under constant drive z
           for T steps: it fires at steps k, 2k, ... with k = floor(theta_int / z) + 1, so
           n = floor(T / k) (0 if z <= 0)
  h        = theta * n / T (real activation; straight-through gradient of clamp(z, 0, theta))

For one hidden layer this is the SNN exactly (the readout integrates counts linearly); deeper
layers see spike trains rather than a constant drive, so their counts are approximate.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import torch
from torch import nn
from torch.nn import functional as F

BIAS_MAX = 4095
VTH_MAX = 2**17 - 1


def ste_round(x: torch.Tensor) -> torch.Tensor:
    """round(x) forward, identity gradient."""
    return x + (torch.round(x) - x).detach()


def if_spike_count(zT: torch.Tensor, theta_int: torch.Tensor, T: int) -> torch.Tensor:
    """Spike count of a reset-to-zero IF neuron over T steps.

    zT: (...) integer-valued, T times the per-step drive; theta_int: integer threshold.
    Returns (...) float64 counts in [0, T]. Computed in float64, which is exact here: both
    operands are integers below 2^40, so floor(a / b) is never off by rounding."""
    zT, theta_T = zT.double(), theta_int.double() * T
    k = torch.floor(theta_T / zT.clamp_min(1.0)) + 1.0
    return torch.where(zT > 0, torch.floor(T / k), torch.zeros_like(zT))


class LayerInts(NamedTuple):
    """Integer view of one layer, what the converter writes to the chip."""

    weight: torch.Tensor      # (n_out, n_in) int64, k_w-bit
    bias: torch.Tensor        # (n_out,) int64, in per-step current units
    theta: int                # threshold in current units (hidden layers), 0 for the readout
    s_cur: float              # real value of one current unit


class Forward(NamedTuple):
    q: torch.Tensor                   # (B, n_actions) Q values (quantized FPNN)
    counts: list[torch.Tensor]        # per hidden layer (B, n_l) spike counts, int64


@dataclass
class QNetShape:
    obs_dim: int
    n_actions: int
    hidden: Sequence[int]


class QuantQNetwork(nn.Module):
    """obs (B, obs_dim) in [-1, 1] -> Q (B, n_actions); weights k_w bits, hidden counts in [0, T]."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: Sequence[int], weight_bits: int,
                 timesteps: int, input_bits: int = 8, clip_init: float = 1.0):
        super().__init__()
        sizes = [obs_dim, *hidden, n_actions]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.clips = nn.Parameter(torch.full((len(hidden),), float(clip_init)))
        self.shape = QNetShape(obs_dim, n_actions, list(hidden))
        self.weight_bits = weight_bits
        self.timesteps = timesteps
        self.input_max = 2 ** (input_bits - 1) - 1

    def _weight_q(self, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        qmax = 2 ** (self.weight_bits - 1) - 1
        scale = (w.detach().abs().max() / qmax).clamp_min(1e-8)
        w_q = torch.fake_quantize_per_tensor_affine(w, scale.item(), 0, -qmax, qmax)
        return w_q, scale

    def encode(self, obs: torch.Tensor) -> torch.Tensor:
        """obs (B, obs_dim) float in [-1, 1] -> x_int (B, obs_dim) int64 (the chip's 8-bit input)."""
        return torch.round(obs.clamp(-1, 1) * self.input_max).long()

    def _layers(self):
        """Per layer, the quantized quantities both the forward pass and the converter use:
        (linear, w_q, s_w, s_cur, b_q, theta_int); theta_int is None for the readout. Scales
        flow from layer to layer: one unit of the next layer's input is this layer's threshold."""
        u_in = torch.tensor(1.0 / self.input_max)
        last = len(self.linears) - 1
        for l, lin in enumerate(self.linears):
            w_q, s_w = self._weight_q(lin.weight)
            s_cur = (s_w * u_in).detach()
            b_q = ste_round((lin.bias / s_cur).clamp(-BIAS_MAX, BIAS_MAX)) * s_cur
            theta_int = None if l == last else ste_round((self.clips[l] / s_cur).clamp(1, VTH_MAX))
            yield lin, w_q, s_w, s_cur, b_q, theta_int
            if theta_int is not None:
                u_in = (theta_int * s_cur).detach()

    def forward_full(self, obs: torch.Tensor, timesteps: int | None = None) -> Forward:
        T = timesteps or self.timesteps
        h = self.encode(obs).float() / self.input_max
        counts = []
        for lin, w_q, s_w, s_cur, b_q, theta_int in self._layers():
            z = F.linear(h, w_q, b_q)                                   # (B, n_out) real
            if theta_int is None:
                return Forward(z, counts)
            theta = theta_int * s_cur                                   # real threshold
            zT = torch.round(z.detach().double() / s_cur * T)           # integer drive * T
            n = if_spike_count(zT, theta_int.detach(), T).long()
            h_smooth = torch.minimum(F.relu(z), theta)
            h = h_smooth + (n.float() * theta / T - h_smooth).detach()
            counts.append(n)
        raise AssertionError("unreachable")

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.forward_full(obs).q

    @torch.no_grad()
    def integer_layers(self) -> list[LayerInts]:
        """The network as integers: read back from the very values `forward_full` computes with."""
        return [LayerInts(torch.round(w_q / s_w).long(), torch.round(b_q / s_cur).long(),
                          0 if theta_int is None else int(theta_int), float(s_cur))
                for _, w_q, s_w, s_cur, b_q, theta_int in self._layers()]
