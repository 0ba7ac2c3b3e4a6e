"""Random NetworkSpecs covering depths, widths, bit widths, thresholds, decays (for the tests),
and the hand-derived graded network several tests share."""
from __future__ import annotations

import numpy as np

from neurochip.ir import LayerSpec, NetworkSpec


def _random_weights(rng: np.random.Generator):
    """Layer sizes (input, 1-3 hidden of 2-9, 2-4 outputs) and one weight matrix per layer (up to
    8 bits; hidden layers sometimes all-excitatory), as a list of (index, last, weights)."""
    depth = int(rng.integers(1, 4))
    sizes = [int(rng.integers(2, 6))] + [int(rng.integers(2, 10)) for _ in range(depth)] + [int(rng.integers(2, 5))]
    wmax = int(rng.choice([3, 15, 60, 255]))
    out = []
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        w = rng.integers(-wmax, wmax + 1, (sizes[i + 1], sizes[i]))
        if not last and rng.random() < 0.2:
            w = np.abs(w)                                      # excitatory sign mode
        out.append((i, last, w.astype(np.int32)))
    return out


def _first_valid(make) -> NetworkSpec:
    while True:
        try:
            return make().validate()
        except ValueError:
            continue


def random_spec(rng: np.random.Generator, integrate_and_fire: bool = False) -> NetworkSpec:
    """A valid random rate network: LIF layers with any du/dv (or integrate-and-fire), a readout."""
    def make():
        layers = []
        for i, last, w in _random_weights(rng):
            if integrate_and_fire or last:
                du, dv = 4095, 0
            else:
                du = int(rng.choice([4095, 0, int(rng.integers(0, 4096))]))
                dv = int(rng.choice([0, int(rng.integers(0, 4096))]))
            layers.append(LayerSpec(
                name=f"l{i}", weights=w, weight_exp=int(rng.integers(-3, 2)),
                bias_mant=rng.integers(-60, 60, w.shape[0]).astype(np.int32), bias_exp=int(rng.integers(0, 7)),
                vth=131071 if last else int(rng.integers(1, 2000)), du=du, dv=dv,
                num_message_bits=8 if i == 0 else 0, spiking=not last))
        return NetworkSpec(layers=layers, timesteps=int(rng.integers(1, 12)))
    return _first_valid(make)


def random_graded_spec(rng: np.random.Generator) -> NetworkSpec:
    """A valid random graded network: SigmaDelta (ReLU) hidden layers, state_exp 0-7, some delta
    thresholds, and a unit readout."""
    def make():
        layers = []
        for i, last, w in _random_weights(rng):
            bias = rng.integers(-3000, 3000, w.shape[0])
            if 0 < i and not last:
                bias = -np.abs(bias)                           # hidden layers after the first: bias <= 0
            layers.append(LayerSpec(
                name=f"l{i}", weights=w, weight_exp=int(rng.integers(-3, 2)),
                bias_mant=bias.astype(np.int32), bias_exp=0,
                vth=0 if last or rng.random() < 0.6 else int(rng.integers(1, 20)),
                num_message_bits=8 if i == 0 else 24, spiking=not last, neuron="sigma_delta",
                state_exp=0 if last else int(rng.integers(0, 8)), act_mode="unit" if last else "relu"))
        return NetworkSpec(layers=layers, timesteps=1, scheme="graded")
    return _first_valid(make)


def hand_graded_spec() -> NetworkSpec:
    """One hidden unit as a clamp pair (2-bit payload, state_exp 2) and one readout neuron.
    x = 10, weight 3 (mantissa 6, exp -1): z = 30 + bias 5 = 35 -> "a" sends 35 >> 2 = 8; the
    clamp twin (bias 5 - 3 * 4 = -7) sends (30 - 7) >> 2 = 5, so q = 8 - 5 = 3 = L. Readout
    weight 2 on the pair: 2 * 8 - 2 * 5 + bias 1 = 7."""
    return NetworkSpec(layers=[
        LayerSpec("h", np.array([[6], [6]], np.int32), -1, np.array([5, -7], np.int32), 0, vth=0,
                  num_message_bits=8, neuron="sigma_delta", state_exp=2, act_mode="relu"),
        LayerSpec("out", np.array([[4, -4]], np.int32), -1, np.array([1], np.int32), 0, vth=0,
                  num_message_bits=24, spiking=False, neuron="sigma_delta", act_mode="unit"),
    ], timesteps=1, scheme="graded").validate()


def random_conv_spec(rng: np.random.Generator, scheme: str) -> NetworkSpec:
    """A valid random network with 1-2 conv layers (1-2 input channels, 5x5 to 7x7 input, 2x2 or
    3x3 kernels, stride 1-2) before a dense readout, in either scheme."""
    def make():
        shape = [int(rng.integers(1, 3)), int(rng.integers(5, 8)), int(rng.integers(5, 8))]
        layers, wmax = [], int(rng.choice([15, 60, 255]))
        for i in range(int(rng.integers(1, 3)) + 1):
            last = len(layers) == i and i > 0 and (i == 2 or rng.random() < 0.5)
            conv = None
            if last:
                w = rng.integers(-wmax, wmax + 1, (int(rng.integers(2, 5)), int(np.prod(shape))))
            else:
                k = int(rng.integers(2, 4))
                w = rng.integers(-wmax, wmax + 1, (int(rng.integers(1, 4)), shape[0], k, k))
                conv = {"in_shape": list(shape), "stride": int(rng.integers(1, 3))}
            layer = LayerSpec(name=f"l{i}", weights=w.astype(np.int32), weight_exp=int(rng.integers(-3, 2)),
                              bias_mant=np.zeros(1, np.int32), bias_exp=0, vth=0, conv=conv,
                              num_message_bits=8 if i == 0 else (24 if scheme == "graded" else 0), spiking=not last)
            n = layer.n_out
            if scheme == "graded":
                bias = rng.integers(-3000, 3000, n)
                layer.bias_mant = (-np.abs(bias) if 0 < i and not last else bias).astype(np.int32)
                layer.neuron, layer.act_mode = "sigma_delta", "unit" if last else "relu"
                layer.state_exp = 0 if last else int(rng.integers(0, 8))
                layer.vth = 0 if last or rng.random() < 0.6 else int(rng.integers(1, 20))
            else:
                layer.bias_mant = rng.integers(-60, 60, n).astype(np.int32)
                layer.bias_exp = int(rng.integers(0, 7))
                layer.vth = 131071 if last else int(rng.integers(1, 2000))
            layers.append(layer)
            if last:
                break
            shape = list(layer.out_shape)
        return NetworkSpec(layers=layers, timesteps=1 if scheme == "graded" else int(rng.integers(1, 8)),
                           scheme=scheme)
    return _first_valid(make)


def hand_spec() -> NetworkSpec:
    """Input 10 per step into one IF neuron (weight 1, vth 25) feeding a readout (weight 2) and a
    second readout neuron with weight 0. T = 9, so an inference is 11 steps. The hidden neuron
    sees 0 at step 1 (Dense delay), then 10 per step: v = 10, 20, 30 > 25 -> spikes at steps
    4, 7, 10, and v = 10 at step 11: 3 spikes."""
    return NetworkSpec(layers=[
        LayerSpec("h", np.array([[2]], np.int32), -1, np.array([0], np.int32), 6, vth=25, num_message_bits=8),
        LayerSpec("out", np.array([[4], [0]], np.int32), -1, np.array([0, 0], np.int32), 6, vth=131071, spiking=False),
    ], timesteps=9).validate()
