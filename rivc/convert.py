"""Quantized FPNN -> NetworkSpec (rate scheme: binary spikes, IF neurons, voltage readout).

Mapping per layer (see rivc.qnet for the symbols):
  Lava weights = 2 * W_int with weight_exp = -1: Lava drops the lowest bit of mixed-sign
  weights, so even mantissas keep every k_w-bit value exact ((2 W s) >> 1 = W s).
  bias_mant = b_int, bias_exp = 6: one bias unit equals one synaptic-current unit.
  vth = theta_int (hidden); the readout has vth = 2^17 - 1 and never spikes.
  du = 4095 (current forgets each step), dv = 0 (no leak): integrate-and-fire.
  Readout: v / 64 = W_int @ n + T * b_int, so Q = v / 64 * s_cur / T.
"""
from __future__ import annotations

import numpy as np

from neurochip.ir import VTH_RANGE, LayerSpec, NetworkSpec
from rivc.qnet import QuantQNetwork


def convert(net: QuantQNetwork, timesteps: int | None = None, activation_bits: int = 4,
            validate: bool = True) -> NetworkSpec:
    """Convert the network's current weights. timesteps: T (default: the network's own)."""
    T = timesteps or net.timesteps
    ints = net.integer_layers()
    layers = []
    for l, li in enumerate(ints):
        last = l == len(ints) - 1
        layers.append(LayerSpec(
            name="readout" if last else f"hidden{l}",
            weights=(2 * li.weight.numpy()).astype(np.int32),
            weight_exp=-1,
            bias_mant=li.bias.numpy().astype(np.int32),
            bias_exp=6,
            vth=VTH_RANGE[1] if last else int(li.theta),
            du=4095,
            dv=0,
            num_message_bits=8 if l == 0 else 0,
            spiking=not last,
        ))
    spec = NetworkSpec(layers=layers, timesteps=T, input_bits=8, input_scale=1.0 / net.input_max,
                       output_scale=ints[-1].s_cur / T, weight_bits=net.weight_bits,
                       activation_bits=activation_bits, scheme="rate")
    return spec.validate() if validate else spec


def readout_to_q(spec: NetworkSpec, v: np.ndarray) -> np.ndarray:
    """Readout voltage (B, n_actions) int -> Q values (B, n_actions) float64."""
    return np.asarray(v, np.float64) / 64.0 * spec.output_scale


def encode(spec: NetworkSpec, obs: np.ndarray) -> np.ndarray:
    """Scaled observations (B, obs_dim) in [-1, 1] -> the chip's signed integer input (B, obs_dim) int64
    (the same rounding as QuantQNetwork.encode)."""
    obs = np.clip(np.asarray(obs, np.float32), -1, 1) * np.float32(spec.input_max)
    return np.round(obs).astype(np.int64)


def task_meta(env_id: str, action_bins, scaling) -> dict:
    """What a NetworkSpec file needs to be deployed without its checkpoint."""
    return {"env_id": env_id, "action_bins": action_bins, "obs_scaling": scaling.to_dict()}
