"""Quantization-aware Q-network whose hidden activation *is* the chip neuron's spike count.

Symbols (per layer l):
  s_w      weight scale, W_q = s_w * W_int, W_int in [-(2^(k_w-1)-1), 2^(k_w-1)-1]
           (torch.fake_quantize_per_tensor_affine: straight-through gradient); k_w may differ per
           layer (`layer_weight_bits`, e.g. an 8-bit input layer as on BrainChip Akida)
  u_in     real value of one unit of per-timestep input: 1/127 for the 8-bit observation
           (sent every step), theta_{l-1} for a spike of the layer below
  s_cur    = s_w * u_in, real value of one unit of per-step synaptic current
  b_int    = round(b / s_cur), 13-bit;  theta_int = round(lambda_l / s_cur), 17-bit
  z        per-step drive in current units: W_int @ x_int + b_int (layer 1, exact integers),
           W_int @ (n_{l-1} / T) + b_int (deeper layers: the mean of the spike input)
  n        spike count of Lava's integrate-and-fire LIF (reset to zero) under constant drive z
           for T steps: it fires at steps k, 2k, ... with k = floor(theta_int / z) + 1, so
           n = floor(T / k) (0 if z <= 0)
  h        = theta * n / T (real activation; straight-through gradient of clamp(z, 0, theta),
           with slope ste_leak instead of 0 outside [0, theta] when ste_leak > 0)

For one hidden layer this is the SNN exactly (the readout integrates counts linearly); deeper
layers see spike trains rather than a constant drive, so their counts are approximate.

Graded scheme (Loihi 2 graded spikes, rivc.convert_graded): the hidden activation is a k_a-bit
payload q = clamp(floor(z_int / 2^m), 0, L), L = 2^k_a - 1, z_int = W_int @ x_int + b_int in
current units; the step 2^m is the clip lambda rounded to a power of two: m = round(log2(lambda /
(L s_cur))), m in 0..max_shift + max_weight_shift. One payload unit is worth 2^m s_cur. This is
exact at every depth. The SigmaDelta's state_exp shifts up to max_shift (7; 6 at k_a = 8); with
max_weight_shift > 0 the Dense's weight exponent shifts the rest, e in 0..max_weight_shift (it
shifts the synaptic sum, which arrives once per inference: floor(floor(x / 2^e) / 2^(m-e)) =
floor(x / 2^m)), and a layer with e > 0 keeps its bias on multiples of 2^e (then adding it after
the Dense shift is exact). With max_weight_shift = 0 (the default) the step is capped at
2^max_shift and the clip at 2^max_shift L s_cur: 8-bit weights (s_cur 16x smaller) need m of
10-13, so there the cap leaves a small fraction of lambda; at 4 bits it binds the vision CNN's
layers early in training and, measured, keeps that learner more stable (docs/results.md).

Float training (`quantized=False`, the ablations' "naive" framework): the network is a plain
FP32 ReLU MLP; the converter quantizes it after training steps (post-training weight
quantization) with per-layer clips calibrated from visited states (rivc.calibrate). Its
`counts` are the ideal activations the SNN should reach: floor(T clamp(h / lambda, 0, 1))
(rate) or clamp(floor(L h / lambda), 0, L) (graded).

Convolutions (optional, for image observations): `conv` = [[channels, kernel, stride], ...]
layers (no padding) before the dense ones, on observations reshaped to `input_shape`
(C, H, W). A conv layer is quantized and counted exactly like a dense one (one per-tensor
weight scale, one clip per layer); its activations are flattened in (channel, row, column)
order, the order `neurochip.conv` uses on the chip.

Dueling head (optional): the quantized readout is the advantage stream A (what the SNN
computes and acts on: argmax A = argmax Q); a float state-value head V on the last hidden
layer stays in the learner, Q = V + A - mean_a A.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from neurochip.conv import conv_out_shape

BIAS_MAX = 4095
VTH_MAX = 2**17 - 1
GRADED_BIAS_MAX = 2**14 - 1          # SigmaDelta bias is 16-bit; the clamp neuron adds -L * 2^m
MAX_WEIGHT_SHIFT = 7                 # graded: largest right shift of the Dense sum (weight_exp -1 - e >= -8)
SCHEMES = ("rate", "graded")
WEIGHT_SCALES = ("max", "mse")
MSE_CLIP_FRACTIONS = torch.linspace(0.25, 1.0, 16)   # clip / max|w| candidates of the "mse" weight scale
MSE_SAMPLE = 4096                                    # at most this many weights (evenly strided) enter its error


class _RoundClamped(torch.autograd.Function):
    """round(clamp(x, lo, hi)) forward; clamp's gradient (1 inside [lo, hi], bounds included,
    0 outside) backward, the rounding passed straight through. One autograd node for what
    `x.clamp(lo, hi)` followed by `c + (round(c) - c).detach()` gives, with the same values
    (c + (round(c) - c) is exactly round(c) in floating point) and the same gradients."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return torch.round(x.clamp(lo, hi))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return torch.where((x >= lo) & (x <= hi), g, torch.zeros((), dtype=g.dtype)), None, None


def ste_round_clamped(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """round(clamp(x, lo, hi)) with a straight-through rounding gradient."""
    return _RoundClamped.apply(x, lo, hi)


def if_spike_count(zT: torch.Tensor, theta_int: torch.Tensor, T: int) -> torch.Tensor:
    """Spike count of a reset-to-zero IF neuron over T steps.

    zT: (...) integer-valued, T times the per-step drive; theta_int: integer threshold >= 1.
    Returns (...) float64 counts in [0, T]. Computed in float64, which is exact here: both
    operands are integers below 2^40, so floor(a / b) is never off by rounding. A drive
    zT <= 0 is taken as 1, which gives k = theta_int * T + 1 > T, so n = 0 without a select."""
    k = torch.floor((theta_int.double() * T) / zT.double().clamp_min(1.0)) + 1.0
    return torch.floor(T / k)


def mse_weight_scale(w: torch.Tensor, qmax: int) -> torch.Tensor:
    """0-dim scale s = c / qmax of the clip c in MSE_CLIP_FRACTIONS * max|w| that minimises
    sum (w - s clamp(round(w / s), -qmax, qmax))^2. At 4 bits a per-tensor max scale lets a few
    large weights set the step, and most weights of a wide layer round to zero; clipping those
    few trades a small saturation error for a finer step (the usual PTQ/QAT choice). The error
    is summed over an evenly strided sample of at most MSE_SAMPLE weights (the max is exact)."""
    a = w.abs().flatten()
    scales = (a.max() * MSE_CLIP_FRACTIONS / qmax).clamp_min(1e-8)          # (G,)
    a = a[:: -(-a.numel() // MSE_SAMPLE)]
    err = (torch.round(a / scales[:, None]).clamp(max=qmax) * scales[:, None] - a).square().sum(1)
    return scales[err.argmin()]


class _StraightThroughCount(torch.autograd.Function):
    """h = h_s + (value - h_s) with h_s = min(relu(z), clip): the value of the exact count's
    activation, the gradient of the smooth h_s (what `h_s + (value - h_s).detach()` gives, bit
    for bit, in one autograd node instead of seven). Like torch.minimum, ties z = clip send half
    the gradient to each side. Masks come from sign() (comparisons are slow on CPU here).

    With leak > 0 a silent (z <= 0) or saturated (z > clip) unit passes leak * g to z instead of
    nothing (a leaky straight-through estimator: the forward value is unchanged, and a unit that
    is silent or saturated on every state can still move).

    z: (B, n) real pre-activation; clip: 0-dim, requires grad; value: (B, n), no grad."""

    @staticmethod
    def forward(ctx, z, clip, value, leak):
        r = torch.relu(z)
        h_s = torch.minimum(r, clip)
        ctx.save_for_backward(r, clip)
        ctx.leak = leak
        return h_s + (value - h_s)

    @staticmethod
    def backward(ctx, g):
        r, clip = ctx.saved_tensors
        side = torch.sign(clip - r)                      # 1: below clip, 0: tie, -1: clipped
        grad_z = g * ((1.0 + side) * 0.5) * torch.sign(r)    # relu: no gradient where r = 0
        if ctx.leak:
            grad_z = grad_z + (g - grad_z) * ctx.leak       # outside [0, clip]: leak * g
        grad_clip = (g * ((1.0 - side) * 0.5)).sum()
        return grad_z, grad_clip, None, None


def straight_through_count(z: torch.Tensor, clip: torch.Tensor, value: torch.Tensor,
                           leak: float = 0.0) -> torch.Tensor:
    """(B, n): value forward, d min(relu(z), clip) backward (slope leak outside [0, clip])."""
    return _StraightThroughCount.apply(z, clip, value, leak)


class LayerInts(NamedTuple):
    """Integer view of one layer, what the converter writes to the chip."""

    weight: torch.Tensor      # (n_out, n_in) int64, k_w-bit; conv: kernel (O, C, k, k)
    bias: torch.Tensor        # (n_out,) int64, in per-step current units; conv: per channel (O,)
    theta: int                # hidden layers: threshold (rate) or payload step 2^m (graded), current units; 0 for the readout
    s_cur: float              # real value of one current unit
    conv: dict | None = None  # conv geometry {"in_shape": [C, H, W], "stride": s} (neurochip.conv)
    weight_shift: int = 0     # graded: e, the part of m the Dense's weight exponent shifts (bias: multiple of 2^e)


class Forward(NamedTuple):
    q: torch.Tensor                   # (B, n_actions) Q values (quantized FPNN; with the value head if dueling)
    counts: list[torch.Tensor]        # per hidden layer (B, n_l) spike counts (rate) or payloads (graded), int64
    readout: torch.Tensor             # (B, n_actions) what the SNN reproduces: Q, or A if dueling


@dataclass
class QNetShape:
    obs_dim: int
    n_actions: int
    hidden: Sequence[int]


class QuantQNetwork(nn.Module):
    """obs (B, obs_dim) in [-1, 1] -> Q (B, n_actions); weights k_w bits, hidden activations
    spike counts in [0, T] (rate) or payloads in [0, 2^k_a - 1] (graded)."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: Sequence[int], weight_bits: int,
                 timesteps: int, input_bits: int = 8, clip_init: float = 1.0, scheme: str = "rate",
                 activation_bits: int = 4, dueling: bool = False, quantized: bool = True,
                 conv: Sequence[Sequence[int]] = (), input_shape: Sequence[int] | None = None,
                 weight_scale: str = "max", max_weight_shift: int = 0, ste_leak: float = 0.0,
                 layer_weight_bits: Sequence[int] | None = None):
        super().__init__()
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        if weight_scale not in WEIGHT_SCALES:
            raise ValueError(f"weight_scale must be one of {WEIGHT_SCALES}, got {weight_scale!r}")
        self.weight_scale = weight_scale
        if not 0 <= max_weight_shift <= MAX_WEIGHT_SHIFT:
            raise ValueError(f"max_weight_shift must be in 0..{MAX_WEIGHT_SHIFT}, got {max_weight_shift}")
        self.max_weight_shift = int(max_weight_shift)
        if not 0.0 <= ste_leak < 1.0:
            raise ValueError(f"ste_leak must be in [0, 1), got {ste_leak}")
        self.ste_leak = float(ste_leak)
        self.conv_spec = [[int(v) for v in c] for c in conv]
        self.input_shape = [int(v) for v in input_shape] if input_shape is not None else None
        self.convs, self.conv_in_shapes, flat = nn.ModuleList(), [], obs_dim
        if self.conv_spec:
            if self.input_shape is None or int(np.prod(self.input_shape)) != obs_dim:
                raise ValueError(f"conv layers need input_shape (C, H, W) with C*H*W = {obs_dim}, got {input_shape}")
            shape = tuple(self.input_shape)
            for channels, kernel, stride in self.conv_spec:
                self.convs.append(nn.Conv2d(shape[0], channels, kernel, stride))
                self.conv_in_shapes.append(list(shape))
                shape = conv_out_shape(shape, channels, kernel, stride)
            flat = int(np.prod(shape))
        sizes = [flat, *hidden, n_actions]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.n_hidden = len(self.convs) + len(hidden)
        self.clips = nn.Parameter(torch.full((self.n_hidden,), float(clip_init)))
        self.value_head = nn.Linear(sizes[-2], 1) if dueling else None
        self.shape = QNetShape(obs_dim, n_actions, list(hidden))
        self.weight_bits = weight_bits
        n_layers = len(self.convs) + len(self.linears)
        if layer_weight_bits is not None and (len(layer_weight_bits) != n_layers
                                              or not all(2 <= int(b) <= 8 for b in layer_weight_bits)):
            raise ValueError(f"layer_weight_bits must give 2..8 bits for each of the {n_layers} layers "
                             f"(conv, dense, readout), got {list(layer_weight_bits)}")
        self.layer_weight_bits = [int(b) for b in (layer_weight_bits or [weight_bits] * n_layers)]
        self.timesteps = 1 if scheme == "graded" else timesteps
        self.input_max = 2 ** (input_bits - 1) - 1
        self.scheme = scheme
        self.activation_bits = activation_bits
        self.levels = 2 ** activation_bits - 1
        self.quantized = quantized
        # Largest state_exp: 0..7, and the clamp neuron's bias b - L 2^m must stay 16-bit.
        self.max_shift = min(7, (2 ** 14 // self.levels).bit_length() - 1)
        self._param_list = list(self.parameters())     # fixed from here on; keys the layer cache

    @property
    def dueling(self) -> bool:
        return self.value_head is not None

    def model_args(self) -> dict:
        """Constructor arguments (what a checkpoint stores to rebuild the network)."""
        return {"obs_dim": self.shape.obs_dim, "n_actions": self.shape.n_actions,
                "hidden": list(self.shape.hidden), "weight_bits": self.weight_bits,
                "timesteps": self.timesteps, "input_bits": (self.input_max + 1).bit_length(),
                "scheme": self.scheme, "activation_bits": self.activation_bits, "dueling": self.dueling,
                "quantized": self.quantized, "conv": self.conv_spec, "input_shape": self.input_shape,
                "weight_scale": self.weight_scale, "max_weight_shift": self.max_weight_shift,
                "ste_leak": self.ste_leak, "layer_weight_bits": self.layer_weight_bits}

    def layer_modules(self) -> list[nn.Module]:
        """Conv layers, then dense layers (the last is the readout)."""
        return [*self.convs, *self.linears]

    def _apply(self, l: int, h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Layer l on flat inputs h (B, n_in) -> flat outputs (B, n_out)."""
        if l < len(self.convs):
            x = h.reshape(h.shape[0], *self.conv_in_shapes[l])
            return F.conv2d(x, w, b, stride=self.convs[l].stride).flatten(1)
        return F.linear(h, w, b)

    def conv_geometry(self, l: int) -> dict | None:
        """Layer l's geometry as a NetworkSpec conv layer stores it, or None for a dense layer."""
        if l >= len(self.convs):
            return None
        return {"in_shape": list(self.conv_in_shapes[l]), "stride": int(self.convs[l].stride[0])}

    def macs(self) -> int:
        """Multiply-accumulates of one FPNN inference (the A72's work): per conv output value
        C*k*k, per dense weight one."""
        total = 0
        for l, mod in enumerate(self.layer_modules()):
            if l < len(self.convs):
                o, c, k, _ = mod.weight.shape
                out = conv_out_shape(self.conv_in_shapes[l], o, k, mod.stride[0])
                total += int(np.prod(out)) * c * k * k
            else:
                total += mod.in_features * mod.out_features
        return total

    def weight_q(self, w: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
        """w -> (w_q = s_w * W_int, s_w) at `bits`: one symmetric scale per tensor, from max|w|
        ("max": no weight is clipped) or the clip that minimises the rounding error ("mse");
        weights beyond the clip saturate at +-qmax and get no gradient (torch's fake-quantize)."""
        qmax = 2 ** (bits - 1) - 1
        if self.weight_scale == "mse":
            scale = mse_weight_scale(w.detach(), qmax)
        else:
            scale = (w.detach().abs().max() / qmax).clamp_min(1e-8)
        w_q = torch.fake_quantize_per_tensor_affine(w, scale.item(), 0, -qmax, qmax)
        return w_q, scale

    def encode(self, obs: torch.Tensor) -> torch.Tensor:
        """obs (B, obs_dim) float in [-1, 1] -> x_int (B, obs_dim) int64 (the chip's 8-bit input)."""
        return self._input_levels(obs).long()

    def _input_levels(self, obs: torch.Tensor) -> torch.Tensor:
        """x_int as integer-valued floats (what the forward pass scales by 1 / input_max)."""
        return torch.round(obs.clamp(-1, 1) * self.input_max)

    def _layers(self) -> list:
        """`_quantized_layers()` as a list; without autograd (target network, acting, conversion)
        it is computed once per set of parameter values: the list is cached under the parameters'
        in-place version counters, which every optimizer step, load_state_dict and clip change bump."""
        if torch.is_grad_enabled():
            return list(self._quantized_layers())
        params = self._param_list                       # walking the module tree each call costs more
        key = tuple(p._version for p in params) + tuple(map(id, params))
        if getattr(self, "_layers_cache", (None,))[0] != key:
            self._layers_cache = (key, list(self._quantized_layers()))
        return self._layers_cache[1]

    def _quantized_layers(self):
        """Per layer, the quantized quantities both the forward pass and the converter use:
        (linear, w_q, s_w, s_cur, b_q, unit_int); unit_int is None for the readout, else the
        integer current one unit of the layer's output is worth: the threshold theta_int (rate)
        or the payload step 2^m (graded). Scales flow from layer to layer: one unit of the next
        layer's input is worth unit_int * s_cur."""
        u_in = torch.tensor(1.0 / self.input_max)
        modules = self.layer_modules()
        last = len(modules) - 1
        graded = self.scheme == "graded"
        for l, lin in enumerate(modules):
            w_q, s_w = self.weight_q(lin.weight, self.layer_weight_bits[l])
            s_cur = (s_w * u_in).detach()
            bias_max = GRADED_BIAS_MAX if graded else BIAS_MAX
            # graded: hidden layers after the first keep bias <= 0 (see NetworkSpec._validate_graded)
            bias_hi = 0 if graded and 0 < l < last else bias_max
            b_unit = s_cur            # the bias's step, in real units
            if l == last:
                unit_int = None
            elif graded:
                step = (self.clips[l].detach() / (self.levels * s_cur)).clamp_min(1e-12)
                unit_int = 2.0 ** torch.round(torch.log2(step)).clamp(0, self.max_shift + self.max_weight_shift)
                if self.max_weight_shift:       # 2^e, the shift beyond state_exp's, on the Dense
                    b_unit = s_cur * (unit_int / 2.0 ** self.max_shift).clamp_min(1.0)
            else:
                unit_int = ste_round_clamped(self.clips[l] / s_cur, 1, VTH_MAX)
            b_q = ste_round_clamped(lin.bias / b_unit, -bias_max, bias_hi) * b_unit
            yield lin, w_q, s_w, s_cur, b_q, unit_int
            if unit_int is not None:
                u_in = (unit_int * s_cur).detach()

    def _readout(self, h: torch.Tensor, z: torch.Tensor, counts: list) -> Forward:
        """The last layer's output z (B, A) as Q, or as A with the float value head on h."""
        if self.value_head is None:
            return Forward(z, counts, z)
        return Forward(self.value_head(h) + z - z.mean(dim=1, keepdim=True), counts, z)

    def _forward_float(self, obs: torch.Tensor, T: int) -> Forward:
        """Plain FP32 ReLU MLP (quantized=False); counts are the ideal SNN activations."""
        h = obs.clamp(-1, 1)
        counts = []
        modules = self.layer_modules()
        for l, lin in enumerate(modules):
            z = self._apply(l, h, lin.weight, lin.bias)
            if l == len(modules) - 1:
                return self._readout(h, z, counts)
            h = F.relu(z)
            frac = (h.detach() / self.clips[l].detach().clamp_min(1e-12)).clamp(0, 1)
            counts.append(torch.floor(frac * (self.levels if self.scheme == "graded" else T)).long())
        raise AssertionError("unreachable")

    def pre_activations(self, obs: torch.Tensor) -> list[torch.Tensor]:
        """Per hidden layer, z (B, n_l) in real units as the network computes it (float, or
        quantized with the current clips of the layers below)."""
        zs = []
        if not self.quantized:
            h = obs.clamp(-1, 1)
            for l, lin in enumerate(self.layer_modules()[:-1]):
                zs.append(self._apply(l, h, lin.weight, lin.bias))
                h = F.relu(zs[-1])
            return zs
        counts = self.forward_full(obs).counts
        T = self.timesteps if self.scheme == "rate" else 1
        h = self._input_levels(obs) / self.input_max
        for l, (_, w_q, _, s_cur, b_q, unit_int) in enumerate(self._layers()):
            if unit_int is None:
                return zs
            zs.append(self._apply(l, h, w_q, b_q))
            h = counts[l].float() * unit_int * s_cur / T
        return zs

    def forward_full(self, obs: torch.Tensor, timesteps: int | None = None) -> Forward:
        T = timesteps or self.timesteps
        if not self.quantized:
            return self._forward_float(obs, T)
        h = self._input_levels(obs) / self.input_max
        counts = []
        for l, (lin, w_q, s_w, s_cur, b_q, unit_int) in enumerate(self._layers()):
            z = self._apply(l, h, w_q, b_q)                             # (B, n_out) real
            if unit_int is None:
                return self._readout(h, z, counts)
            if self.scheme == "graded":
                with torch.no_grad():
                    # z / s_cur is W_int x_int + b_int up to float rounding far below 0.5, so its
                    # float32 round is that integer, exact below 2^24 (a spec that validates keeps
                    # the worst case below 2^23, SigmaDelta's 24-bit state); / 2^m is exact too.
                    n = torch.round(z / s_cur).div_(unit_int).floor_().clamp_(0, self.levels)
                    value = n * (unit_int * s_cur)          # = n 2^m s_cur: the product 2^m s_cur is exact
                if torch.is_grad_enabled():
                    clip = self.levels * unit_int * s_cur               # real clip (power-of-two step)
                    lam = self.clips[len(counts)]
                    # the clip's value, lambda's gradient
                    h = straight_through_count(z, lam + (clip - lam).detach(), value, self.ste_leak)
                else:       # its value: h_s + (value - h_s) is value exactly, h_s being within a factor 2 of it
                    h = value
                n = n.long()
            else:
                theta = unit_int * s_cur                                # real threshold
                zT = torch.round(z.detach().double() / s_cur * T)       # integer drive * T
                n = if_spike_count(zT, unit_int.detach(), T).long()
                with torch.no_grad():
                    value = n.float() * theta / T
                h = straight_through_count(z, theta, value, self.ste_leak)
            counts.append(n)
        raise AssertionError("unreachable")

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.forward_full(obs).q

    def readout(self, obs: torch.Tensor) -> torch.Tensor:
        """(B, n_actions) the quantity the converted SNN computes (Q, or A with a dueling head)."""
        return self.forward_full(obs).readout

    @torch.no_grad()
    def readout_units(self, readout: torch.Tensor) -> torch.Tensor:
        """(B, A) readout -> (B, A) float64 in the SNN's readout units. Quantized nets: the exact
        integers the chip's readout holds (rate: W_int n + T b_int = v / 64; graded: W_int q + b_int;
        float rounding in `readout` is far below half a unit), so the FPNN's and the SNN's greedy
        actions come from the same numbers (rivc.metrics.greedy). Float nets: the readout itself."""
        if not self.quantized:
            return readout.double()
        s_cur = self._layers()[-1][3]
        T = self.timesteps if self.scheme == "rate" else 1
        return torch.round(readout.double() * T / s_cur.double())

    @torch.no_grad()
    def greedy_actions(self, obs: torch.Tensor) -> np.ndarray:
        """obs (B, obs_dim) -> (B,) int64 greedy actions by the integer readout (rivc.metrics.greedy's tie rule)."""
        return self.readout_units(self.readout(obs)).numpy().argmax(axis=1).astype(np.int64)

    @torch.no_grad()
    def integer_layers(self) -> list[LayerInts]:
        """The network as integers: read back from the very values `forward_full` computes with."""
        def weight_shift(unit_int) -> int:     # graded: e of the step 2^m = 2^(state_exp + e)
            graded_hidden = self.scheme == "graded" and unit_int is not None
            return max(0, int(unit_int).bit_length() - 1 - self.max_shift) if graded_hidden else 0

        return [LayerInts(torch.round(w_q / s_w).long(), torch.round(b_q / s_cur).long(),
                          0 if unit_int is None else int(unit_int), float(s_cur), self.conv_geometry(l),
                          weight_shift(unit_int))
                for l, (_, w_q, s_w, s_cur, b_q, unit_int) in enumerate(self._layers())]
