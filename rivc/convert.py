"""Quantized FPNN -> NetworkSpec, in the network's scheme.

Rate scheme (binary spikes, IF neurons, voltage readout), mapping per layer (see rivc.qnet for the symbols):
  Lava weights = 2 * W_int with weight_exp = -1: Lava drops the lowest bit of mixed-sign
  weights, so even mantissas keep every k_w-bit value exact ((2 W s) >> 1 = W s).
  bias_mant = b_int, bias_exp = 6: one bias unit equals one synaptic-current unit.
  vth = theta_int (hidden); the readout has vth = 2^17 - 1 and never spikes.
  du = 4095 (current forgets each step), dv = 0 (no leak): integrate-and-fire.
  Readout: v / 64 = W_int @ n + T * b_int, so Q = v / 64 * s_cur / T.

Graded scheme (Loihi 2 graded spikes, SigmaDelta neurons; see neurochip.emulator_graded):
  every hidden unit becomes two SigmaDelta ReLU neurons with state_exp = m: "a" with bias b_int
  and "c" with bias b_int - L 2^m. They send floor(relu(z)/2^m) and floor(relu(z - L 2^m)/2^m),
  whose difference is exactly the clamped payload q = clamp(floor(z/2^m), 0, L); the next layer
  gets weights [W, -W] on the pair. Weights are 2 W_int with weight_exp = -1 as above, so every
  Dense product is exact. A step beyond state_exp's range is split (rivc.qnet): weight_exp =
  -1 - e, state_exp = m - e, biases b_int / 2^e (multiples of 2^e by construction). The readout
  is a SigmaDelta in unit mode: act = W_int @ q + b_int and Q = act * s_cur.
"""
from __future__ import annotations

import numpy as np

from neurochip.conv import conv_out_shape
from neurochip.ir import VTH_RANGE, LayerSpec, NetworkSpec
from rivc.qnet import QuantQNetwork


def convert(net: QuantQNetwork, timesteps: int | None = None, activation_bits: int = 4,
            validate: bool = True) -> NetworkSpec:
    """Convert the network's current weights. timesteps: T (default: the network's own)."""
    if net.scheme == "graded":
        return convert_graded(net, validate)
    T = timesteps or net.timesteps
    ints = net.integer_layers()
    layers = []
    for l, li in enumerate(ints):
        last = l == len(ints) - 1
        layers.append(LayerSpec(
            name="readout" if last else f"hidden{l}",
            weights=(2 * li.weight.numpy()).astype(np.int32),
            weight_exp=-1,
            bias_mant=_per_neuron_bias(li).astype(np.int32),
            conv=li.conv,
            bias_exp=6,
            vth=VTH_RANGE[1] if last else int(li.theta),
            du=4095,
            dv=0,
            num_message_bits=8 if l == 0 else 0,
            spiking=not last,
        ))
    spec = NetworkSpec(layers=layers, timesteps=T, input_bits=8, input_scale=1.0 / net.input_max,
                       output_scale=ints[-1].s_cur / T, weight_bits=max(net.layer_weight_bits),
                       activation_bits=activation_bits, scheme="rate")
    return spec.validate() if validate else spec


def convert_graded(net: QuantQNetwork, validate: bool = True) -> NetworkSpec:
    """Graded-scheme conversion (see the module docstring), at the network's own k_a."""
    L = net.levels
    ints = net.integer_layers()
    layers = []
    for l, li in enumerate(ints):
        last = l == len(ints) - 1
        w = li.weight.numpy().astype(np.int64)
        conv = None if li.conv is None else dict(li.conv, in_shape=list(li.conv["in_shape"]))
        if l:                                   # the layer below sends pairs (a, c): weights [W, -W]
            w = np.concatenate([w, -w], axis=1)     # conv: the input channels double, a-block first
            if conv:
                conv["in_shape"][0] *= 2
        b = _per_neuron_bias(li).astype(np.int64)
        e = li.weight_shift                     # b is a multiple of 2^e: exact after the Dense shift
        if not last:                            # conv: the output channels double, a-block first
            w = np.concatenate([w, w], axis=0)
            b = np.concatenate([b, b - L * li.theta])
        layers.append(LayerSpec(
            name="readout" if last else f"hidden{l}",
            weights=(2 * w).astype(np.int32), weight_exp=-1 - e,
            bias_mant=(b >> e).astype(np.int32), bias_exp=0, vth=0, conv=conv,
            num_message_bits=8 if l == 0 else 24, spiking=not last, neuron="sigma_delta",
            state_exp=0 if last else int(li.theta).bit_length() - 1 - e, act_mode="unit" if last else "relu"))
    spec = NetworkSpec(layers=layers, timesteps=1, input_bits=8, input_scale=1.0 / net.input_max,
                       output_scale=ints[-1].s_cur, weight_bits=max(net.layer_weight_bits),
                       activation_bits=net.activation_bits, scheme="graded")
    return spec.validate() if validate else spec


def _per_neuron_bias(li) -> np.ndarray:
    """(n_out,) int64 bias of every output neuron (a conv layer's per-channel bias repeated over
    its Ho * Wo positions, channel-major like the flattened outputs)."""
    b = li.bias.numpy().astype(np.int64)
    if li.conv is None:
        return b
    _, ho, wo = conv_out_shape(li.conv["in_shape"], 1, li.weight.shape[-1], li.conv["stride"])
    return np.repeat(b, ho * wo)


def hidden_activations(spec: NetworkSpec, sent: list[np.ndarray]) -> list[np.ndarray]:
    """Per hidden layer, the SNN's activation in the FPNN's integer units: spike counts (rate), or
    for graded specs the pair difference a - c of the payloads (B, 2n) -> (B, n)."""
    if spec.scheme != "graded":
        return sent
    return [s[:, : s.shape[1] // 2] - s[:, s.shape[1] // 2:] for s in sent]


def readout_to_q(spec: NetworkSpec, v: np.ndarray) -> np.ndarray:
    """Readout (B, n_actions) int (LIF voltage or SigmaDelta act) -> Q values (B, n_actions) float64."""
    return np.asarray(v, np.float64) / spec.readout_unit * spec.output_scale


def encode(spec: NetworkSpec, obs: np.ndarray) -> np.ndarray:
    """Scaled observations (B, obs_dim) in [-1, 1] -> the chip's signed integer input (B, obs_dim) int64
    (the same rounding as QuantQNetwork.encode)."""
    obs = np.clip(np.asarray(obs, np.float32), -1, 1) * np.float32(spec.input_max)
    return np.round(obs).astype(np.int64)


def task_meta(env_id: str, action_bins, scaling, action_table: list | None = None) -> dict:
    """What a NetworkSpec file needs to be deployed without its checkpoint (action_table: the
    continuous action of each index for Box tasks, so rivc.Policy needs no env to act)."""
    return {"env_id": env_id, "action_bins": action_bins, "obs_scaling": scaling.to_dict(), "action_table": action_table}
